import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@aihub/core';

export const GRANT_VIEWS = ['raw', 'masked', 'synthetic'] as const;
export const GRANT_STATUSES = ['requested', 'active', 'revoked', 'expired'] as const;

export class RequestGrantDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  datasetVersionId: string;

  @ApiProperty({
    enum: GRANT_VIEWS,
    description:
      '`masked`: the field masking rules with a per-grant salt; `synthetic`: same schema and distributions, no real row',
  })
  @IsIn(GRANT_VIEWS)
  view: (typeof GRANT_VIEWS)[number];
}

export class GrantListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: GRANT_STATUSES })
  @IsOptional()
  @IsIn(GRANT_STATUSES)
  status?: (typeof GRANT_STATUSES)[number];
}

export class GrantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sandboxId: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ format: 'uuid' }) datasetId: string;
  @ApiProperty({ format: 'uuid' }) datasetVersionId: string;
  @ApiProperty({ description: 'mounted read-only at /data/<datasetName>/' }) datasetName: string;
  @ApiProperty({ enum: ['general', 'important', 'core'] }) grade: string;
  @ApiProperty({ format: 'uuid' }) providerOrgId: string;
  @ApiProperty({ enum: GRANT_VIEWS }) view: string;
  @ApiProperty({ enum: GRANT_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) approvedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class GrantPageView {
  @ApiProperty({ type: [GrantView] }) items: GrantView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
