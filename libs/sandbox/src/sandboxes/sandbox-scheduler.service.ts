import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '@aihub/core';
import { OutboxService } from '@aihub/queue';
import { SandboxExpireJob, SandboxSweepJob } from '../jobs/sandbox-timers.job';

/** BullMQ cannot delay beyond 2^31-1 ms (~24.8 days); farther deadlines are reached in hops. */
const MAX_TIMER_DELAY_MS = 2_000_000_000;
export const SANDBOX_SWEEP_INTERVAL_MS = 60_000;

/** Schedules the sandbox timers through the outbox, in the caller's transaction. */
@Injectable()
export class SandboxScheduler {
  constructor(
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async expiry(manager: EntityManager, sandboxId: string, expiresAt: Date): Promise<void> {
    const now = this.clock.now().getTime();
    const delayMs = Math.min(Math.max(0, expiresAt.getTime() - now), MAX_TIMER_DELAY_MS);
    const at = delayMs === MAX_TIMER_DELAY_MS ? new Date(now + delayMs) : expiresAt;
    await this.outbox.enqueue(manager, SandboxExpireJob, { sandboxId, dueAt: at.toISOString() }, { delayMs });
  }

  async nextSweep(manager: EntityManager): Promise<void> {
    const now = this.clock.now().getTime();
    const slot = Math.floor(now / SANDBOX_SWEEP_INTERVAL_MS) + 1;
    await this.outbox.enqueue(
      manager,
      SandboxSweepJob,
      { slot },
      { delayMs: slot * SANDBOX_SWEEP_INTERVAL_MS - now },
    );
  }

  async currentSweep(manager: EntityManager): Promise<void> {
    const slot = Math.floor(this.clock.now().getTime() / SANDBOX_SWEEP_INTERVAL_MS);
    await this.outbox.enqueue(manager, SandboxSweepJob, { slot });
  }
}
