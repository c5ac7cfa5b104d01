import { defineJob, QueueName } from '@aihub/queue';

export interface ScoreSubmissionPayload {
  submissionId: string;
}

/** Scores one submission (predictions file or code bundle); job id = submission id. */
export const ScoreSubmissionJob = defineJob<ScoreSubmissionPayload>({
  queue: QueueName.Scoring,
  name: 'scoring.submission',
  jobId: (p) => p.submissionId,
  retry: { attempts: 5 },
});
