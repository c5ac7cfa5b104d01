import { Injectable } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from '@aihub/core';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { SystemProbeEntity } from '../entities/system-probe.entity';
import { MAX_PROBE_DURATION_MS } from '../jobs/system-probe.handler';
import { SystemProbeJob } from '../jobs/system-probe.job';
import { OutboxService } from './outbox.service';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SystemProbeRequest {
  durationMs: number;
  requestedBy?: string | null;
}

/** Requests and reads queue pipeline probes (the operators' `POST /ops/queue-probes`). */
@Injectable()
export class SystemProbeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
  ) {}

  /** Inserts the probe and its job in one transaction: the caller's, or a new one when `manager` is undefined. */
  async request(manager: EntityManager | undefined, request: SystemProbeRequest): Promise<SystemProbeEntity> {
    const { durationMs } = request;
    if (!Number.isInteger(durationMs) || durationMs < 0 || durationMs > MAX_PROBE_DURATION_MS) {
      throw new ValidationFailedError([
        { field: 'durationMs', message: `must be an integer between 0 and ${MAX_PROBE_DURATION_MS}` },
      ]);
    }
    if (!manager) return this.dataSource.transaction((tx) => this.request(tx, request));

    const probe = manager.create(SystemProbeEntity, {
      id: randomUUID(),
      requestedBy: request.requestedBy ?? null,
      durationMs,
    });
    await manager.insert(SystemProbeEntity, probe);
    await this.outbox.enqueue(manager, SystemProbeJob, { probeId: probe.id });
    // reload for the database defaults (requested_at, counters)
    return manager.findOneByOrFail(SystemProbeEntity, { id: probe.id });
  }

  async get(id: string): Promise<SystemProbeEntity> {
    if (!UUID_PATTERN.test(id)) throw new NotFoundError('SystemProbe', id);
    const probe = await this.dataSource.getRepository(SystemProbeEntity).findOneBy({ id });
    if (!probe) throw new NotFoundError('SystemProbe', id);
    return probe;
  }
}
