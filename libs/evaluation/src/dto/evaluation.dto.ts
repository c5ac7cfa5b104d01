import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
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
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { METRIC_NAMES } from '../metrics/metric-types';
import { PHASE_MODES, type PhaseMode } from '../entities/evaluation-phase.entity';

export class PhaseLimitsDto {
  @ApiProperty({ minimum: 0.1, maximum: 16, example: 1 })
  @IsNumber()
  @Min(0.1)
  @Max(16)
  cpus: number;

  @ApiProperty({ minimum: 64, maximum: 65536, example: 1024 })
  @IsInt()
  @Min(64)
  @Max(65536)
  memoryMb: number;

  @ApiProperty({ minimum: 1, maximum: 86400, example: 600 })
  @IsInt()
  @Min(1)
  @Max(86400)
  runTimeoutSeconds: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 65536, default: 256 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65536)
  diskMb?: number;
}

export class PhaseDto {
  @ApiPropertyOptional({ description: 'id of an existing phase to keep (its submissions stay attached)' })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ example: '初赛' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  endsAt: string;

  @ApiProperty({ enum: PHASE_MODES })
  @IsIn(PHASE_MODES)
  mode: PhaseMode;

  @ApiProperty({ enum: METRIC_NAMES })
  @IsIn(METRIC_NAMES)
  metric: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'e.g. {"k": 10} for hits_at_k',
  })
  @IsOptional()
  @IsObject()
  metricParams?: Record<string, unknown>;

  @ApiProperty({
    minimum: 1,
    maximum: 1000,
    description: 'scored submissions per organization per local day',
  })
  @IsInt()
  @Min(1)
  @Max(1000)
  dailyLimit: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100000,
    description: 'scored submissions per organization in the phase',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  totalLimit?: number;

  @ApiProperty({ minimum: 1, maximum: 10240 })
  @IsInt()
  @Min(1)
  @Max(10_240)
  maxFileMb: number;

  @ApiProperty({
    minimum: 0,
    maximum: 1,
    example: 0.3,
    description: 'share of the ids scored on the public leaderboard',
  })
  @IsNumber()
  @Min(0)
  @Max(1)
  publicFraction: number;

  @ApiPropertyOptional({ default: false, description: 'any enterprise may submit (otherwise awardees only)' })
  @IsOptional()
  @IsBoolean()
  open?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description: 'code mode: argv run in the sandbox (default ["python3","main.py"])',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @IsString({ each: true })
  command?: string[];

  @ApiPropertyOptional({ type: PhaseLimitsDto, description: 'code mode: limits of the run' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PhaseLimitsDto)
  limits?: PhaseLimitsDto;
}

export class PutEvaluationDto {
  @ApiProperty({ type: PhaseDto, isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => PhaseDto)
  phases: PhaseDto[];

  @ApiPropertyOptional({ default: 'id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  idColumn?: string;

  @ApiPropertyOptional({ description: 'required for the CSV metrics; absent for map_iou and span_f1' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  targetColumn?: string;
}

export class PhaseView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty({ enum: PHASE_MODES }) mode: PhaseMode;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) direction: 'higher' | 'lower';
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) metricParams: Record<
    string,
    unknown
  > | null;
  @ApiProperty() dailyLimit: number;
  @ApiProperty({ type: Number, nullable: true }) totalLimit: number | null;
  @ApiProperty() maxFileMb: number;
  @ApiProperty() publicFraction: number;
  @ApiProperty() open: boolean;
  @ApiProperty({ type: [String], nullable: true }) command: string[] | null;
  @ApiProperty({ type: PhaseLimitsDto, nullable: true }) limits: PhaseLimitsDto | null;
  @ApiProperty({ enum: ['upcoming', 'open', 'ended', 'closed', 'published'] }) status: string;
  @ApiProperty({ type: String, nullable: true }) closedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) resultsPublishedAt: string | null;
}

export class EvaluationView {
  @ApiProperty() scenarioId: string;
  @ApiProperty() idColumn: string;
  @ApiProperty({ type: String, nullable: true }) targetColumn: string | null;
  @ApiProperty({ description: 'whether the hidden ground truth has been uploaded (it is never served)' })
  groundTruthUploaded: boolean;
  @ApiProperty({ type: String, nullable: true }) groundTruthUploadedAt: string | null;
  @ApiProperty({ type: PhaseView, isArray: true }) phases: PhaseView[];
}

export class GroundTruthView {
  @ApiProperty() scenarioId: string;
  @ApiProperty() sha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'rows (images for map_iou) in the ground truth' }) rows: number;
  @ApiProperty() uploadedAt: string;
}

export const FILE_UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', format: 'binary' } },
};

export const SCORE_UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['truth', 'predictions', 'metric'],
  properties: {
    truth: { type: 'string', format: 'binary', description: 'at most 20 MB' },
    predictions: { type: 'string', format: 'binary', description: 'at most 20 MB' },
    metric: { type: 'string', enum: [...METRIC_NAMES] },
    metricParams: { type: 'string', description: 'JSON object' },
    idColumn: { type: 'string', default: 'id' },
    targetColumn: { type: 'string' },
  },
};

export class ScoreResultView {
  @ApiProperty({ enum: METRIC_NAMES }) metric: string;
  @ApiProperty() score: number;
  @ApiProperty({ enum: ['higher', 'lower'] }) direction: 'higher' | 'lower';
  @ApiProperty() rows: number;
}

export class PhaseInputsView {
  @ApiProperty() phaseId: string;
  @ApiProperty() sha256: string;
  @ApiProperty() sizeBytes: number;
}
