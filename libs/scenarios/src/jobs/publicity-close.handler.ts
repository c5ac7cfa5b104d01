import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@aihub/core';
import { type HandlesJob, JobHandler } from '@aihub/queue';
import { LifecycleScheduler } from '../services/lifecycle-scheduler.service';
import { PublicitiesService } from '../services/publicities.service';
import { PublicityCloseJob, type PublicityClosePayload } from './publicity-close.job';

/**
 * Closes a publicity at `endsAt`. Idempotent (a locked state check). With objections still pending it
 * does nothing: resolving the last one closes the publicity, and the sweep catches anything missed.
 */
@JobHandler(PublicityCloseJob)
export class PublicityCloseHandler implements HandlesJob<PublicityClosePayload> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly publicities: PublicitiesService,
    private readonly scheduler: LifecycleScheduler,
    private readonly clock: Clock,
  ) {}

  async handle(payload: PublicityClosePayload): Promise<{ closed: boolean }> {
    const result = await this.publicities.closeIfDue(payload.publicityId, this.clock.now());
    if (result.closed || result.reason !== 'not_due' || !result.dueAt) return { closed: result.closed };
    if (result.dueAt.getTime() <= Date.parse(payload.dueAt))
      throw new Error(`publicity ${payload.publicityId} is not due yet`);
    await this.dataSource.transaction((m) =>
      this.scheduler.publicityClose(m, payload.publicityId, result.dueAt!),
    );
    return { closed: false };
  }
}
