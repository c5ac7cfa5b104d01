import { QueueName } from '../queue-name';
import { defineJob } from './define-job';

export interface SystemProbePayload {
  probeId: string;
}

/** Diagnostic job operators use to check the queue pipeline end to end (see SystemProbeService). */
export const SystemProbeJob = defineJob<SystemProbePayload>({
  queue: QueueName.System,
  name: 'system.probe',
  jobId: (p) => p.probeId,
});
