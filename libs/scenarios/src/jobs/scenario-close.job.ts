import { defineJob, QueueName } from '@aihub/queue';

export interface ScenarioClosePayload {
  scenarioId: string;
  /** when this job is meant to run: `applicationClosesAt`, or an intermediate hop for far deadlines */
  dueAt: string;
}

/** Closes a published scenario when its application window ends (`applicationClosesAt`). */
export const ScenarioCloseJob = defineJob<ScenarioClosePayload>({
  queue: QueueName.Timers,
  name: 'scenario.close',
  jobId: (p) => `${p.scenarioId}.${Date.parse(p.dueAt)}`,
});
