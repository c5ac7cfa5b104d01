import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@aihub/core';
import { OutboxService } from '@aihub/queue';
import { LifecycleSweepJob } from '../jobs/lifecycle-sweep.job';
import { PublicityCloseJob } from '../jobs/publicity-close.job';
import { ScenarioCloseJob } from '../jobs/scenario-close.job';

/** BullMQ cannot delay beyond 2^31-1 ms (~24.8 days); farther deadlines are reached in hops. */
export const MAX_TIMER_DELAY_MS = 2_000_000_000;
/** how often the sweep runs */
export const SWEEP_INTERVAL_MS = 60_000;

/**
 * Schedules the lifecycle's timers through the outbox, in the caller's transaction: a delayed job at
 * the deadline (or at the farthest hop towards it), plus the periodic sweep.
 */
@Injectable()
export class LifecycleScheduler {
  constructor(
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /** the next stop towards `dueAt` and the delay to it */
  private hop(dueAt: Date): { at: Date; delayMs: number } {
    const now = this.clock.now().getTime();
    const delayMs = Math.min(Math.max(0, dueAt.getTime() - now), MAX_TIMER_DELAY_MS);
    return { at: delayMs === MAX_TIMER_DELAY_MS ? new Date(now + delayMs) : dueAt, delayMs };
  }

  async scenarioClose(manager: EntityManager, scenarioId: string, closesAt: Date): Promise<void> {
    const { at, delayMs } = this.hop(closesAt);
    await this.outbox.enqueue(
      manager,
      ScenarioCloseJob,
      { scenarioId, dueAt: at.toISOString() },
      { delayMs },
    );
  }

  async publicityClose(manager: EntityManager, publicityId: string, endsAt: Date): Promise<void> {
    const { at, delayMs } = this.hop(endsAt);
    await this.outbox.enqueue(
      manager,
      PublicityCloseJob,
      { publicityId, dueAt: at.toISOString() },
      { delayMs },
    );
  }

  /** the sweep of the interval after the current one */
  async nextSweep(manager: EntityManager): Promise<void> {
    const now = this.clock.now().getTime();
    const slot = Math.floor(now / SWEEP_INTERVAL_MS) + 1;
    await this.outbox.enqueue(
      manager,
      LifecycleSweepJob,
      { slot },
      { delayMs: slot * SWEEP_INTERVAL_MS - now },
    );
  }

  /** the sweep of the current interval (worker start-up) */
  async currentSweep(manager: EntityManager): Promise<void> {
    const slot = Math.floor(this.clock.now().getTime() / SWEEP_INTERVAL_MS);
    await this.outbox.enqueue(manager, LifecycleSweepJob, { slot });
  }
}
