import type { Job } from 'bullmq';
import { defineJob, JobRegistry } from '../jobs/define-job';
import { handledJobOf, type HandlesJob, JobHandler } from '../jobs/job-handler.decorator';
import { JobHandlerMismatchError } from '../queue.errors';
import { QueueName } from '../queue-name';
import { type DiscoveredJobHandler, pairJobsWithHandlers } from './handler-check';

interface Payload {
  id: string;
}

const registry = new JobRegistry();
const AlphaJob = defineJob<Payload>(
  { queue: QueueName.System, name: 'check.alpha', jobId: (p) => p.id },
  registry,
);
const BetaJob = defineJob<Payload>(
  { queue: QueueName.Timers, name: 'check.beta', jobId: (p) => p.id },
  registry,
);

@JobHandler(AlphaJob)
class AlphaHandler implements HandlesJob<Payload> {
  async handle(_payload: Payload, _job: Job<Payload>): Promise<void> {}
}

@JobHandler(BetaJob)
class BetaHandler implements HandlesJob<Payload> {
  async handle(): Promise<void> {}
}

@JobHandler(BetaJob)
class SecondBetaHandler implements HandlesJob<Payload> {
  async handle(): Promise<void> {}
}

const discovered = (cls: new () => HandlesJob<Payload>): DiscoveredJobHandler => ({
  definition: handledJobOf(cls)!,
  handlerName: cls.name,
  instance: new cls() as HandlesJob<object>,
});

function mismatchOf(fn: () => unknown): JobHandlerMismatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobHandlerMismatchError) return err;
    throw err;
  }
  throw new Error('expected a JobHandlerMismatchError');
}

describe('pairJobsWithHandlers (the worker boot check)', () => {
  it('records which job a class handles', () => {
    expect(handledJobOf(AlphaHandler)).toBe(AlphaJob);
    expect(handledJobOf(class Plain {})).toBeUndefined();
  });

  it('pairs every job with its single handler', () => {
    const pairs = pairJobsWithHandlers(registry.all(), [discovered(AlphaHandler), discovered(BetaHandler)]);
    expect([...pairs.keys()].sort()).toEqual(['check.alpha', 'check.beta']);
    expect(pairs.get('check.beta')!.handlerName).toBe('BetaHandler');
  });

  it('fails naming a job that has no handler', () => {
    const err = mismatchOf(() => pairJobsWithHandlers(registry.all(), [discovered(AlphaHandler)]));
    expect(err.mismatch.missing).toEqual(['check.beta']);
    expect(err.message).toContain('no handler for check.beta');
  });

  it('fails naming a job that has two handlers, and both handlers', () => {
    const err = mismatchOf(() =>
      pairJobsWithHandlers(registry.all(), [
        discovered(AlphaHandler),
        discovered(BetaHandler),
        discovered(SecondBetaHandler),
      ]),
    );
    expect(err.mismatch.duplicated).toEqual([
      { jobName: 'check.beta', handlers: ['BetaHandler', 'SecondBetaHandler'] },
    ]);
    expect(err.message).toMatch(/2 handlers for check\.beta \(BetaHandler, SecondBetaHandler\)/);
  });

  it('reports every problem at once', () => {
    const err = mismatchOf(() =>
      pairJobsWithHandlers(registry.all(), [discovered(BetaHandler), discovered(SecondBetaHandler)]),
    );
    expect(err.mismatch.missing).toEqual(['check.alpha']);
    expect(err.mismatch.duplicated.map((d) => d.jobName)).toEqual(['check.beta']);
  });

  it('fails on a handler whose job is not the registered definition of that name', () => {
    const stray = new JobRegistry();
    const StrayAlpha = defineJob<Payload>(
      { queue: QueueName.System, name: 'check.alpha', jobId: (p) => p.id },
      stray,
    );
    @JobHandler(StrayAlpha)
    class StrayAlphaHandler implements HandlesJob<Payload> {
      async handle(): Promise<void> {}
    }
    const err = mismatchOf(() =>
      pairJobsWithHandlers(registry.all(), [discovered(StrayAlphaHandler), discovered(BetaHandler)]),
    );
    expect(err.mismatch.unregistered).toEqual([{ jobName: 'check.alpha', handler: 'StrayAlphaHandler' }]);
  });
});
