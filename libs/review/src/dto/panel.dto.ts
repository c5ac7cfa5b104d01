import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import { PANEL_STAGES, PANEL_STATUSES, type PanelStage, type PanelStatus } from '../entities/panel.entity';
import { OrganizationRefView } from './expert.dto';

export const AGGREGATIONS = ['mean', 'trimmed_mean'] as const;
export const MIN_RECOMMENDED_EXPERTS = 3;

export class RubricCriterionDto {
  @ApiProperty({ example: '技术方案' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  criterion: string;

  @ApiProperty({ example: 0.4, description: 'weights of a rubric sum to 1' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  weight: number;

  @ApiProperty({ example: 100 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  maxScore: number;
}

export class CreatePanelDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  scenarioId: string;

  @ApiProperty({
    enum: PANEL_STAGES,
    description:
      '`application`: the formally passed applications of a closed scenario; `result`: the selected awardees’ final results',
  })
  @IsIn(PANEL_STAGES)
  stage: PanelStage;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'experts of the pool (user ids); 5–7 are typical',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(25)
  @IsUUID('all', { each: true })
  expertIds: string[];

  @ApiProperty({ description: 'experts see panel codes (A-07) instead of companies' })
  @IsBoolean()
  blind: boolean;

  @ApiProperty({ type: [RubricCriterionDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => RubricCriterionDto)
  rubric: RubricCriterionDto[];

  @ApiProperty({ enum: AGGREGATIONS })
  @IsIn(AGGREGATIONS)
  aggregation: (typeof AGGREGATIONS)[number];

  @ApiPropertyOptional({
    minimum: 1,
    description:
      'stage `application`: how many of the best-ranked applications are shortlisted when the panel closes (default: every scored one)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  shortlistSize?: number;
}

export class PanelListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  scenarioId?: string;
}

export class PanelResultsQueryDto {
  @ApiPropertyOptional({ minimum: 1, description: 'a closed round (default: the last closed one)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  round?: number;
}

export class DeclareConflictDto {
  @ApiProperty({ format: 'uuid', description: 'the panel subject (from the assignments)' })
  @IsUUID()
  subjectId: string;

  @ApiProperty({ example: '本人曾为该单位提供技术咨询。' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
}

export class ScoreDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { 技术方案: 85, 数据使用: 70 },
    description: 'one score per criterion of the rubric, 0 ≤ score ≤ maxScore',
  })
  @IsObject()
  scores: Record<string, number>;

  @ApiPropertyOptional({ description: 'required when the total is below REVIEW_COMMENT_THRESHOLD' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;
}

export class RubricCriterionView {
  @ApiProperty() criterion: string;
  @ApiProperty() weight: number;
  @ApiProperty() maxScore: number;
}

export class PanelSubjectView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'A-07' }) code: string;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ type: OrganizationRefView }) organization: OrganizationRefView;
  @ApiProperty({ type: [OrganizationRefView] }) consortium: OrganizationRefView[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) submissionId: string | null;
  @ApiProperty({ type: [String], format: 'uuid' }) recusedExpertIds: string[];
  @ApiProperty({ description: 'experts on the panel who are not recused from this subject' })
  eligibleExperts: number;
}

export class PanelWarningView {
  @ApiProperty({ example: 'FEW_ELIGIBLE_EXPERTS' }) code: string;
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() subjectCode: string;
  @ApiProperty() eligibleExperts: number;
  @ApiProperty() message: string;
}

export class PanelView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) scenarioId: string;
  @ApiProperty({ enum: PANEL_STAGES }) stage: PanelStage;
  @ApiProperty() blind: boolean;
  @ApiProperty({ type: [RubricCriterionView] }) rubric: RubricCriterionView[];
  @ApiProperty({ enum: AGGREGATIONS }) aggregation: string;
  @ApiProperty({ enum: PANEL_STATUSES }) status: PanelStatus;
  @ApiProperty({ description: 'the round being scored, or the last closed round' }) round: number;
  @ApiProperty({ type: Number, nullable: true }) shortlistSize: number | null;
  @ApiProperty({ type: [String], format: 'uuid' }) expertIds: string[];
  @ApiProperty({ type: [PanelSubjectView] }) subjects: PanelSubjectView[];
  @ApiProperty({
    type: [PanelWarningView],
    description: 'subjects with fewer than 3 experts left after recusal',
  })
  warnings: PanelWarningView[];
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: String, nullable: true }) closedAt: string | null;
}

export class PanelPageView {
  @ApiProperty({ type: [PanelView] }) items: PanelView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class ExpertTotalView {
  @ApiProperty({ format: 'uuid' }) expertId: string;
  @ApiProperty() total: number;
  @ApiProperty({ description: 'more than 20 points or 2 standard deviations from the subject’s median' })
  outlier: boolean;
}

export class PanelResultItemView {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() code: string;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ type: OrganizationRefView }) organization: OrganizationRefView;
  @ApiProperty({ type: Number, nullable: true }) aggregate: number | null;
  @ApiProperty({ type: Number, nullable: true }) rank: number | null;
  @ApiProperty({ type: [ExpertTotalView] }) expertTotals: ExpertTotalView[];
  @ApiProperty({ type: [String], format: 'uuid' }) recusedExpertIds: string[];
}

export class PanelResultsView {
  @ApiProperty({ format: 'uuid' }) panelId: string;
  @ApiProperty() round: number;
  @ApiProperty({ enum: AGGREGATIONS }) aggregation: string;
  @ApiProperty({ type: [PanelResultItemView], description: 'best first' }) items: PanelResultItemView[];
}
