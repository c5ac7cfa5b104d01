import { defineJob, QueueName } from '@aihub/queue';

export interface RunSandboxPayload {
  runId: string;
}

/** Executes one run through the runtime driver (job id = run id). */
export const RunSandboxJob = defineJob<RunSandboxPayload>({
  queue: QueueName.Sandbox,
  name: 'sandbox.run',
  jobId: (p) => p.runId,
  // a run is not retried blindly: a second attempt only happens after a worker crash (stalled job)
  retry: { attempts: 2 },
});
