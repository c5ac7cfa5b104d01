import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { MAX_PROBE_DURATION_MS, SystemProbeEntity, SystemProbeService } from '@aihub/queue';
import { DataSource } from 'typeorm';

class CreateQueueProbeDto {
  @ApiProperty({
    minimum: 0,
    maximum: MAX_PROBE_DURATION_MS,
    description: 'How long the worker holds the job before completing it.',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_PROBE_DURATION_MS)
  durationMs: number;
}

class QueueProbeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() durationMs: number;
  @ApiProperty({ description: 'Deliveries to a worker (> 1 after a worker crash).' }) attempts: number;
  @ApiProperty({ description: 'Effects applied; exactly 1 once done, never more.' }) completions: number;
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) completedBy: string | null;
}

const toView = (p: SystemProbeEntity): QueueProbeView => ({
  id: p.id,
  durationMs: p.durationMs,
  attempts: p.attempts,
  completions: p.completions,
  requestedAt: p.requestedAt.toISOString(),
  completedAt: p.completedAt?.toISOString() ?? null,
  completedBy: p.completedBy,
});

/** Operators check the whole job pipeline (outbox, relay, Redis, worker) end to end. */
@ApiTags('platform')
@ApiBearerAuth()
@Controller('ops/queue-probes')
export class QueueProbesController {
  constructor(
    private readonly probes: SystemProbeService,
    private readonly audit: AuditService,
    private readonly dataSource: DataSource,
  ) {}

  @Policy('create', 'SystemProbe')
  @Post()
  @ApiCreatedResponse({ type: QueueProbeView })
  create(
    @CurrentUser() actor: AuthenticatedActor,
    @Body() dto: CreateQueueProbeDto,
  ): Promise<QueueProbeView> {
    return this.dataSource.transaction(async (manager) => {
      const probe = await this.probes.request(manager, {
        durationMs: dto.durationMs,
        requestedBy: actor.user.id,
      });
      await this.audit.record(manager, {
        action: 'ops.queue_probe.request',
        objectType: 'SystemProbe',
        objectId: probe.id,
      });
      return toView(probe);
    });
  }

  @Policy('read', 'SystemProbe')
  @Get(':id')
  @ApiOkResponse({ type: QueueProbeView })
  async get(@Param('id', UuidParamPipe) id: string): Promise<QueueProbeView> {
    return toView(await this.probes.get(id));
  }
}
