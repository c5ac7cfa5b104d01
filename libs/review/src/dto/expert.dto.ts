import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import { TECH_FIELD_CODES } from '@aihub/scenarios';

export class CreateExpertDto {
  @ApiProperty({ format: 'uuid', description: 'a user with the `expert` role' })
  @IsUUID()
  userId: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'the organization the expert is affiliated with; defaults to the user’s organization',
  })
  @IsOptional()
  @IsUUID()
  affiliationOrgId?: string;

  @ApiProperty({ enum: TECH_FIELD_CODES, isArray: true, description: 'tech field codes' })
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn(TECH_FIELD_CODES, { each: true })
  expertise: string[];
}

export class UpdateExpertDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  affiliationOrgId?: string;

  @ApiPropertyOptional({ enum: TECH_FIELD_CODES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @IsIn(TECH_FIELD_CODES, { each: true })
  expertise?: string[];

  @ApiPropertyOptional({ description: 'inactive experts cannot be put on new panels' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ExpertListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TECH_FIELD_CODES, description: 'experts with this expertise' })
  @IsOptional()
  @IsIn(TECH_FIELD_CODES)
  expertise?: string;
}

export class OrganizationRefView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class ExpertView {
  @ApiProperty({ format: 'uuid', description: 'the user’s id' }) id: string;
  @ApiProperty() displayName: string;
  @ApiProperty() email: string;
  @ApiProperty({ type: OrganizationRefView }) affiliation: OrganizationRefView;
  @ApiProperty({ type: [String] }) expertise: string[];
  @ApiProperty() active: boolean;
  @ApiProperty() createdAt: string;
}

export class ExpertPageView {
  @ApiProperty({ type: [ExpertView] }) items: ExpertView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
