import { ApiProperty } from '@nestjs/swagger';

const countMap = (example: Record<string, number>) =>
  ApiProperty({ type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, example });

export class ScenarioStatsView {
  @ApiProperty({ description: 'Scenarios in `published` or a later state.' }) total: number;
  @countMap({ city_appearance: 8, government_services: 7 }) byDomain: Record<string, number>;
  @countMap({ video_recognition: 9, text_processing: 6 }) byTechField: Record<string, number>;
}

export class StatsView {
  @ApiProperty({ description: 'Published batches (第N期需求清单).' }) batches: number;
  @ApiProperty({ type: ScenarioStatsView }) scenarios: ScenarioStatsView;
  @ApiProperty({ description: 'Organizations of type enterprise.' }) enterprises: number;
  @ApiProperty({ description: 'Distinct organizations holding at least one selected application.' })
  awardees: number;
  @ApiProperty({ description: 'Applications selected (a parallel award counts each awardee).' })
  selectedApplications: number;
  @ApiProperty() datasets: number;
  @ApiProperty({ description: 'Total rows of the latest version of every dataset.' }) datasetRows: number;
  @ApiProperty() sandboxRuns: number;
  @ApiProperty() submissions: number;
  @ApiProperty({
    format: 'date-time',
    description: 'When these counts were computed (cached a few seconds).',
  })
  generatedAt: string;
}
