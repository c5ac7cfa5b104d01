import type { Job } from 'bullmq';
import type { ScoringService } from '../services/scoring.service';
import { ScoreSubmissionHandler } from './score-submission.handler';
import type { ScoreSubmissionPayload } from './score-submission.job';

const job = (attemptsMade: number, attempts = 5) =>
  ({ attemptsMade, opts: { attempts } }) as unknown as Job<ScoreSubmissionPayload>;

describe('ScoreSubmissionHandler', () => {
  it('ends the submission only when the last attempt fails', async () => {
    const giveUp = jest.fn().mockResolvedValue(undefined);
    const scoring = {
      score: jest.fn().mockRejectedValue(new Error('storage down')),
      giveUp,
    } as unknown as ScoringService;
    const handler = new ScoreSubmissionHandler(scoring);
    await expect(handler.handle({ submissionId: 's1' }, job(0))).rejects.toThrow('storage down');
    await expect(handler.handle({ submissionId: 's1' }, job(3))).rejects.toThrow('storage down');
    expect(giveUp).not.toHaveBeenCalled();
    await expect(handler.handle({ submissionId: 's1' }, job(4))).rejects.toThrow('storage down');
    expect(giveUp).toHaveBeenCalledWith('s1');
    // a shutdown abort is not a failure of the job: another worker takes it over
    giveUp.mockClear();
    const aborted = new AbortController();
    aborted.abort();
    await expect(handler.handle({ submissionId: 's1' }, job(4), aborted.signal)).rejects.toThrow();
    expect(giveUp).not.toHaveBeenCalled();
  });

  it('returns the outcome', async () => {
    const scoring = { score: jest.fn().mockResolvedValue({ status: 'scored' }) } as unknown as ScoringService;
    await expect(new ScoreSubmissionHandler(scoring).handle({ submissionId: 's1' }, job(0))).resolves.toEqual(
      { status: 'scored' },
    );
  });
});
