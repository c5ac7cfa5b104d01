import type { Job } from 'bullmq';
import { HandlesJob, JobHandler } from '@aihub/queue';
import { ScoringService } from '../services/scoring.service';
import { ScoreSubmissionJob, type ScoreSubmissionPayload } from './score-submission.job';

@JobHandler(ScoreSubmissionJob)
export class ScoreSubmissionHandler implements HandlesJob<ScoreSubmissionPayload> {
  constructor(private readonly scoring: ScoringService) {}

  async handle(payload: ScoreSubmissionPayload, job: Job<ScoreSubmissionPayload>, signal?: AbortSignal) {
    try {
      const outcome = await this.scoring.score(payload.submissionId, signal);
      return { status: outcome?.status ?? 'already-done' };
    } catch (err) {
      // the last attempt: end the submission (it would hold a quota slot forever), then let BullMQ record it
      if (!signal?.aborted && job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
        await this.scoring.giveUp(payload.submissionId);
      throw err;
    }
  }
}
