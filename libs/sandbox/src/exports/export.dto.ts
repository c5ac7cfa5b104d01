import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';

export const EXPORT_STATUSES = [
  'checking',
  'flagged',
  'pending_review',
  'approved',
  'rejected',
  'released',
] as const;

export class CreateExportDto {
  @ApiProperty({
    type: [String],
    example: ['summary.csv'],
    description: 'output files of the run, relative to /output',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(1024, { each: true })
  paths: string[];

  @ApiProperty({ example: '按街道汇总的事件数量，用于撰写结题报告。' })
  @IsString()
  @MinLength(5)
  @MaxLength(5000)
  justification: string;
}

export class ExportDecisionDto {
  @ApiProperty()
  @IsBoolean()
  approve: boolean;

  @ApiProperty({ example: '汇总结果，未见个人信息。' })
  @IsString()
  @MinLength(2)
  @MaxLength(5000)
  reason: string;
}

export class ExportListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_STATUSES })
  @IsOptional()
  @IsIn(EXPORT_STATUSES)
  status?: (typeof EXPORT_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  runId?: string;
}

export class ExportCheckView {
  @ApiProperty({ enum: ['file_types', 'size', 'row_fingerprints', 'direct_identifiers', 'small_cells'] })
  name: string;
  @ApiProperty() passed: boolean;
  @ApiProperty() detail: string;
}

export class ExportFileView {
  @ApiProperty() path: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
}

export class ExportVoteView {
  @ApiProperty({ format: 'uuid' }) deciderId: string;
  @ApiProperty() approve: boolean;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) decidedAt: string;
}

export class ExportReviewView {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null: an operator reviews (no dataset was mounted)',
  })
  providerOrgId: string | null;
  @ApiProperty({ enum: ['general', 'important'] }) grade: string;
  @ApiProperty({ description: '1 for general data, 2 distinct approvers for important data' })
  requiredApprovals: number;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
  @ApiProperty({
    type: [ExportVoteView],
    description: 'the votes, shown only once the review is complete (votes are independent until then)',
  })
  decisions: ExportVoteView[];
}

export class ExportView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ format: 'uuid' }) sandboxId: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ enum: EXPORT_STATUSES }) status: string;
  @ApiProperty({ type: [String] }) paths: string[];
  @ApiProperty({ type: [ExportFileView] }) files: ExportFileView[];
  @ApiProperty() justification: string;
  @ApiProperty({ type: [ExportCheckView] }) checks: ExportCheckView[];
  @ApiProperty({ type: [ExportReviewView] }) reviews: ExportReviewView[];
  @ApiProperty({ type: ExportVoteView, nullable: true, description: "the caller's own vote, if any" })
  yourDecision: ExportVoteView | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class ExportPageView {
  @ApiProperty({ type: [ExportView] }) items: ExportView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
