import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, Max, Min, ValidateNested } from 'class-validator';
import { SCENARIO_RESULT_STATUSES, type ScenarioResultStatus } from '../entities/scenario-result.entity';
import { OrganizationRefView } from './expert.dto';

export class ResultWeightsDto {
  @ApiProperty({ example: 0.6, description: 'weight of the normalized private metric score' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  metric: number;

  @ApiProperty({ example: 0.4, description: 'weight of the expert aggregate' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1000)
  expert: number;
}

export class PublishResultsDto {
  @ApiProperty({ type: ResultWeightsDto, description: 'normalized to sum 1; not both 0' })
  @ValidateNested()
  @Type(() => ResultWeightsDto)
  weights: ResultWeightsDto;
}

export class ScenarioResultItemView {
  @ApiProperty({ type: Number, nullable: true }) rank: number | null;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ type: OrganizationRefView }) organization: OrganizationRefView;
  @ApiProperty({ type: [OrganizationRefView] }) consortium: OrganizationRefView[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) submissionId: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the private leaderboard score' })
  metricScore: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '0–100, best = 100' })
  normalizedMetric: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'the expert panel’s aggregate (0–100)' })
  expertScore: number | null;
  @ApiProperty({ type: Number, nullable: true }) finalScore: number | null;
}

export class ScenarioResultView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) scenarioId: string;
  @ApiProperty({ enum: SCENARIO_RESULT_STATUSES }) status: ScenarioResultStatus;
  @ApiProperty({ type: ResultWeightsDto }) weights: ResultWeightsDto;
  @ApiProperty({ type: String, nullable: true }) metric: string | null;
  @ApiProperty({ format: 'uuid' }) panelId: string;
  @ApiProperty() panelRound: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) publicityId: string | null;
  @ApiProperty({ type: String, nullable: true }) publishedAt: string | null;
  @ApiProperty({ type: [ScenarioResultItemView], description: 'best first' }) items: ScenarioResultItemView[];
}
