import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { SystemProbeEntity } from '../entities/system-probe.entity';
import { claimOnce } from '../services/claim-once';
import { WorkerIdentity } from '../services/worker-identity';
import { JobHandler, type HandlesJob } from './job-handler.decorator';
import { SystemProbeJob, type SystemProbePayload } from './system-probe.job';

/** Upper bound on the work a probe simulates, so a probe cannot occupy a worker slot for long. */
export const MAX_PROBE_DURATION_MS = 60_000;

/**
 * Counts the delivery, "works" for the probe's duration, then completes it exactly once. A worker that
 * dies mid-wait leaves `attempts` raised but no completion; the redelivered job completes it.
 */
@JobHandler(SystemProbeJob)
export class SystemProbeHandler implements HandlesJob<SystemProbePayload> {
  private readonly logger = new Logger(SystemProbeHandler.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly identity: WorkerIdentity,
  ) {}

  async handle(
    payload: SystemProbePayload,
    _job: Job<SystemProbePayload>,
    signal?: AbortSignal,
  ): Promise<{ completed: boolean }> {
    // its own statement, committed at once: the count must survive a crash during the work below
    const counted = await this.dataSource
      .createQueryBuilder()
      .update(SystemProbeEntity)
      .set({ attempts: () => 'attempts + 1' })
      .where('id = :id', { id: payload.probeId })
      .returning(['durationMs'])
      .execute();
    const probe = (counted.raw as { duration_ms: number }[])[0];
    if (!probe) {
      this.logger.warn(`System probe ${payload.probeId} does not exist; nothing to do`);
      return { completed: false };
    }

    await sleep(Math.min(Math.max(probe.duration_ms, 0), MAX_PROBE_DURATION_MS), undefined, { signal });

    const completed = await this.dataSource.transaction(async (manager) => {
      if (!(await claimOnce(manager, `${SystemProbeJob.name}:${payload.probeId}`))) return false;
      await manager.update(
        SystemProbeEntity,
        { id: payload.probeId },
        {
          completedAt: () => 'now()',
          completions: () => 'completions + 1',
          completedBy: this.identity.instanceId,
        },
      );
      return true;
    });
    return { completed };
  }
}
