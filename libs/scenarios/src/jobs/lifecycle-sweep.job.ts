import { defineJob, QueueName } from '@aihub/queue';

export interface LifecycleSweepPayload {
  /** the sweep interval this run belongs to (epoch ms / interval): one job per interval */
  slot: number;
}

/**
 * The safety net of the lifecycle timers: every interval, close whatever is due (scenarios past
 * `applicationClosesAt`, publicities past `endsAt`) even if its own delayed job was lost.
 */
export const LifecycleSweepJob = defineJob<LifecycleSweepPayload>({
  queue: QueueName.Timers,
  name: 'lifecycle.sweep',
  jobId: (p) => `slot-${p.slot}`,
  retry: { attempts: 3 },
});
