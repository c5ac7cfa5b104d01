import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '@aihub/core';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled'] as const;

export class RunLogQueryDto {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'true: the unredacted log, for operators and data stewards of a mounted dataset reviewing the run',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  raw?: 'true' | 'false';
}

export class RunListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RUN_STATUSES })
  @IsOptional()
  @IsIn(RUN_STATUSES)
  status?: (typeof RUN_STATUSES)[number];
}

export class RunUsageView {
  @ApiProperty() cpuSeconds: number;
  @ApiProperty() maxMemoryMb: number;
}

export class RunOutputView {
  @ApiProperty({ example: 'result.csv', description: 'relative to /output' }) path: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
}

export class RunMountView {
  @ApiProperty({ format: 'uuid' }) grantId: string;
  @ApiProperty({ example: '/data/hotline_events' }) mountPath: string;
  @ApiProperty({ enum: ['raw', 'masked', 'synthetic'] }) view: string;
  @ApiProperty() rowCount: number;
}

export class RunView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sandboxId: string;
  @ApiProperty({ enum: RUN_STATUSES }) status: string;
  @ApiProperty({ type: [String] }) command: string[];
  @ApiProperty({ nullable: true, type: Number }) exitCode: number | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'why it failed, timed out or was cancelled (e.g. out of memory)',
  })
  reason: string | null;
  @ApiProperty({ type: [String] }) notes: string[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ type: RunUsageView, nullable: true }) usage: RunUsageView | null;
  @ApiProperty({ type: [RunOutputView] }) outputs: RunOutputView[];
  @ApiProperty({ type: [RunMountView] }) mounts: RunMountView[];
  @ApiProperty({ description: 'log lines replaced by a marker in the company view' }) redactedLines: number;
  @ApiProperty() logTruncated: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class RunPageView {
  @ApiProperty({ type: [RunView] }) items: RunView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class CreateRunForm {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: '.tar.gz of the code, extracted read-only at /code',
  })
  bundle: unknown;
  @ApiProperty({ example: '["python3","main.py"]', description: 'JSON array of argv, run in /code' })
  command: string;
}
