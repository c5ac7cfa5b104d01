import { Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '@aihub/core';
import { type HandlesJob, JobHandler } from '@aihub/queue';
import { LifecycleScheduler } from '../services/lifecycle-scheduler.service';
import { ScenarioTransitionsService } from '../services/scenario-transitions.service';
import { ScenarioCloseJob, type ScenarioClosePayload } from './scenario-close.job';

/**
 * Closes the scenario at `applicationClosesAt`. The close itself is idempotent (a locked state check);
 * a job that fires before the deadline (a hop towards a far deadline) schedules the next hop.
 */
@JobHandler(ScenarioCloseJob)
export class ScenarioCloseHandler implements HandlesJob<ScenarioClosePayload> {
  private readonly logger = new Logger(ScenarioCloseHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transitions: ScenarioTransitionsService,
    private readonly scheduler: LifecycleScheduler,
    private readonly clock: Clock,
  ) {}

  async handle(payload: ScenarioClosePayload): Promise<{ closed: boolean }> {
    const result = await this.transitions.closeIfDue(payload.scenarioId, this.clock.now());
    if (result.closed || result.reason !== 'not_due' || !result.dueAt) return { closed: result.closed };
    if (result.dueAt.getTime() <= Date.parse(payload.dueAt)) {
      // fired a little early (clock skew): retry with backoff; the sweep is the safety net
      throw new Error(`scenario ${payload.scenarioId} is not due yet`);
    }
    await this.dataSource.transaction((m) =>
      this.scheduler.scenarioClose(m, payload.scenarioId, result.dueAt!),
    );
    this.logger.debug({ scenarioId: payload.scenarioId }, 'scheduled the next hop towards the close');
    return { closed: false };
  }
}
