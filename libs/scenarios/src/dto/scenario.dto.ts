import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import { SCENARIO_STATES, type ScenarioState } from '../lifecycle/state-machine';
import {
  AWARD_MODES,
  type AwardMode,
  type Domain,
  DOMAIN_CODES,
  type Layer,
  LAYER_CODES,
  PARALLEL_MAX_AWARDEES,
  SANDBOX_DAYS_DEFAULT,
  SANDBOX_DAYS_MAX,
  SANDBOX_DAYS_MIN,
  TECH_FIELD_CODES,
  type TechField,
} from '../vocabularies';

export class CreateScenarioDto {
  @ApiProperty({ example: '城市事件智能分拨' })
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  title: string;

  @ApiProperty({ example: '基于12345热线与网格事件数据，自动判定事件类别与承办部门。' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  summary: string;

  @ApiProperty({ description: 'the full demand: background, data offered, expected results' })
  @IsString()
  @MinLength(1)
  @MaxLength(50_000)
  description: string;

  @ApiProperty({ enum: DOMAIN_CODES })
  @IsIn(DOMAIN_CODES)
  domain: Domain;

  @ApiProperty({ enum: TECH_FIELD_CODES })
  @IsIn(TECH_FIELD_CODES)
  techField: TechField;

  @ApiProperty({ enum: LAYER_CODES })
  @IsIn(LAYER_CODES)
  layer: Layer;

  @ApiProperty({ enum: AWARD_MODES, description: '`single`: one awardee; `parallel`: 2–5 (horse race)' })
  @IsIn(AWARD_MODES)
  awardMode: AwardMode;

  @ApiProperty({ minimum: 1, maximum: PARALLEL_MAX_AWARDEES, description: '1 for single, 2–5 for parallel' })
  @IsInt()
  @Min(1)
  @Max(PARALLEL_MAX_AWARDEES)
  maxAwardees: number;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true, strictSeparator: true })
  applicationOpensAt: string;

  @ApiProperty({ format: 'date-time', description: 'exclusive: applications at this instant are refused' })
  @IsISO8601({ strict: true, strictSeparator: true })
  applicationClosesAt: string;

  @ApiPropertyOptional({
    minimum: SANDBOX_DAYS_MIN,
    maximum: SANDBOX_DAYS_MAX,
    default: SANDBOX_DAYS_DEFAULT,
  })
  @IsOptional()
  @IsInt()
  @Min(SANDBOX_DAYS_MIN)
  @Max(SANDBOX_DAYS_MAX)
  sandboxDays?: number;

  @ApiPropertyOptional({ type: String, format: 'uuid', isArray: true, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  datasetIds?: string[];
}

export class UpdateScenarioDto extends PartialType(CreateScenarioDto) {}

export class ReasonDto {
  @ApiProperty({ example: '需求描述不完整，请补充数据范围。' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason: string;
}

export class OptionalReasonDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class PublishScenarioDto {
  @ApiProperty({ format: 'uuid', description: 'a published batch' })
  @IsUUID()
  batchId: string;
}

export class AwardDto {
  @ApiProperty({ type: String, format: 'uuid', isArray: true, minItems: 1, maxItems: PARALLEL_MAX_AWARDEES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(PARALLEL_MAX_AWARDEES)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  applicationIds: string[];
}

export class ScenarioListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  batchId?: string;

  @ApiPropertyOptional({ enum: DOMAIN_CODES })
  @IsOptional()
  @IsIn(DOMAIN_CODES)
  domain?: Domain;

  @ApiPropertyOptional({ enum: TECH_FIELD_CODES })
  @IsOptional()
  @IsIn(TECH_FIELD_CODES)
  techField?: TechField;

  @ApiPropertyOptional({ enum: SCENARIO_STATES })
  @IsOptional()
  @IsIn(SCENARIO_STATES)
  status?: ScenarioState;

  @ApiPropertyOptional({
    description:
      'substring of the title or summary, case-insensitive (Chinese works: 分拨 finds 城市事件智能分拨)',
    maxLength: 100,
  })
  @IsOptional()
  @Type(() => String)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  q?: string;
}

export class ScenarioView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() title: string;
  @ApiProperty() summary: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: DOMAIN_CODES }) domain: Domain;
  @ApiProperty({ enum: TECH_FIELD_CODES }) techField: TechField;
  @ApiProperty({ enum: LAYER_CODES }) layer: Layer;
  @ApiProperty({ enum: AWARD_MODES }) awardMode: AwardMode;
  @ApiProperty() maxAwardees: number;
  @ApiProperty({ format: 'date-time' }) applicationOpensAt: string;
  @ApiProperty({ format: 'date-time' }) applicationClosesAt: string;
  @ApiProperty() sandboxDays: number;
  @ApiProperty({ type: String, format: 'uuid', isArray: true }) datasetIds: string[];
  @ApiProperty({ enum: SCENARIO_STATES }) status: ScenarioState;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) batchId: string | null;
  @ApiProperty({ format: 'uuid' }) issuerOrgId: string;
  @ApiProperty({ type: String, nullable: true }) issuerOrgName: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'why the operator returned it to draft' })
  returnReason: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) publishedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ScenarioPageView {
  @ApiProperty({ type: ScenarioView, isArray: true }) items: ScenarioView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
