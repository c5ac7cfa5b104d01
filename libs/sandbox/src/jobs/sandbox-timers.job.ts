import { defineJob, QueueName } from '@aihub/queue';

export interface SandboxExpirePayload {
  sandboxId: string;
  /** the deadline (or hop towards it) this job was scheduled for: part of the job id */
  dueAt: string;
}

/** A delayed job at a sandbox's `expiresAt`; finds it not due (extended) or expires it. */
export const SandboxExpireJob = defineJob<SandboxExpirePayload>({
  queue: QueueName.Timers,
  name: 'sandbox.expire',
  jobId: (p) => `${p.sandboxId}.${Date.parse(p.dueAt)}`,
  retry: { attempts: 5 },
});

export interface SandboxSweepPayload {
  slot: number;
}

/** Every minute: provision pending requests and expire due sandboxes, even if their own jobs were lost. */
export const SandboxSweepJob = defineJob<SandboxSweepPayload>({
  queue: QueueName.Timers,
  name: 'sandbox.sweep',
  jobId: (p) => `slot-${p.slot}`,
  retry: { attempts: 3 },
});

export interface SandboxProvisionPayload {
  requestId: string;
}

/**
 * One `sandbox_provision_requests` row to turn into a sandbox. Enqueued by a database trigger on the
 * row's insert (same transaction as the award publicity's close), so provisioning starts at once.
 */
export const SandboxProvisionJob = defineJob<SandboxProvisionPayload>({
  queue: QueueName.Sandbox,
  name: 'sandbox.provision',
  jobId: (p) => p.requestId,
  retry: { attempts: 5 },
});
