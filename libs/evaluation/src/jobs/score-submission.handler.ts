import type { Job } from 'bullmq';
import { HandlesJob, JobHandler } from '@aihub/queue';
import { ScoringService } from '../services/scoring.service';
import { ScoreSubmissionJob, type ScoreSubmissionPayload } from './score-submission.job';

@JobHandler(ScoreSubmissionJob)
export class ScoreSubmissionHandler implements HandlesJob<ScoreSubmissionPayload> {
  constructor(private readonly scoring: ScoringService) {}

  async handle(payload: ScoreSubmissionPayload, _job: Job<ScoreSubmissionPayload>, signal?: AbortSignal) {
    const outcome = await this.scoring.score(payload.submissionId, signal);
    return { status: outcome?.status ?? 'already-done' };
  }
}
