import { defineJob, QueueName } from '@aihub/queue';

export interface PublicityClosePayload {
  publicityId: string;
  /** when this job is meant to run: `endsAt`, or an intermediate hop for far deadlines */
  dueAt: string;
}

/** Closes a publicity (公示) at its `endsAt` once every objection is resolved. */
export const PublicityCloseJob = defineJob<PublicityClosePayload>({
  queue: QueueName.Timers,
  name: 'publicity.close',
  jobId: (p) => `${p.publicityId}.${Date.parse(p.dueAt)}`,
});
