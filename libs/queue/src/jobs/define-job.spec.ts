import { DuplicateJobNameError, InvalidJobIdError, JobDefinitionError } from '../queue.errors';
import { QueueName } from '../queue-name';
import { DEFAULT_RETRY_POLICY, defineJob, jobRegistry, JobRegistry } from './define-job';
import { SystemProbeJob } from './system-probe.job';

interface ThingPayload {
  thingId: string;
  note?: string;
}

describe('defineJob and the job registry', () => {
  it('registers definitions and refuses a second job with the same name, whatever its queue', () => {
    const registry = new JobRegistry();
    const first = defineJob<ThingPayload>(
      { queue: QueueName.Scoring, name: 'test.thing', jobId: (p) => p.thingId },
      registry,
    );
    expect(registry.all()).toEqual([first]);
    expect(registry.get('test.thing')).toBe(first);
    expect(() =>
      defineJob<ThingPayload>(
        { queue: QueueName.Exports, name: 'test.thing', jobId: (p) => p.thingId },
        registry,
      ),
    ).toThrow(DuplicateJobNameError);
    expect(registry.all()).toHaveLength(1);
  });

  it('registers the platform jobs in the process-wide registry', () => {
    expect(jobRegistry.get('system.probe')).toBe(SystemProbeJob);
    expect(SystemProbeJob.queue).toBe(QueueName.System);
  });

  it('rejects names that are not lowercase dotted words, and unknown queues', () => {
    const registry = new JobRegistry();
    for (const name of ['probe', 'System.Probe', 'system:probe', 'system/probe', 'system.', '']) {
      expect(() => defineJob({ queue: QueueName.System, name, jobId: () => 'x' }, registry)).toThrow(
        JobDefinitionError,
      );
    }
    expect(() =>
      defineJob({ queue: 'nope' as QueueName, name: 'test.queue', jobId: () => 'x' }, registry),
    ).toThrow(/unknown queue/);
    expect(registry.all()).toHaveLength(0);
  });

  it('applies the default retry policy unless the definition overrides it', () => {
    const registry = new JobRegistry();
    const plain = defineJob<ThingPayload>(
      { queue: QueueName.Timers, name: 'test.plain', jobId: (p) => p.thingId },
      registry,
    );
    const custom = defineJob<ThingPayload>(
      { queue: QueueName.Timers, name: 'test.custom', jobId: (p) => p.thingId, retry: { attempts: 1 } },
      registry,
    );
    expect(plain.retry).toEqual(DEFAULT_RETRY_POLICY);
    expect(custom.retry).toEqual({ attempts: 1, backoff: DEFAULT_RETRY_POLICY.backoff });
    expect(() =>
      defineJob(
        { queue: QueueName.Timers, name: 'test.zero', jobId: () => 'x', retry: { attempts: 0 } },
        registry,
      ),
    ).toThrow(JobDefinitionError);
  });

  describe('job ids', () => {
    const registry = new JobRegistry();
    const ThingJob = defineJob<ThingPayload>(
      { queue: QueueName.Audit, name: 'test.ids', jobId: (p) => p.thingId },
      registry,
    );
    const OtherJob = defineJob<ThingPayload>(
      { queue: QueueName.Audit, name: 'test.other', jobId: (p) => p.thingId },
      registry,
    );

    it('are deterministic: the same business key always gives the same id, other fields do not matter', () => {
      const a = ThingJob.jobId({ thingId: '7f1c2f43-8a8e-4d5c-9a52-1f7d3c5b9e10', note: 'first' });
      const b = ThingJob.jobId({ thingId: '7f1c2f43-8a8e-4d5c-9a52-1f7d3c5b9e10', note: 'again' });
      expect(a).toBe(b);
      expect(a).toBe('test.ids/7f1c2f43-8a8e-4d5c-9a52-1f7d3c5b9e10');
      expect(ThingJob.jobId({ thingId: 'another' })).not.toBe(a);
    });

    it('are namespaced by job name, so two job types keyed by the same row do not collide', () => {
      expect(ThingJob.jobId({ thingId: 'same' })).not.toBe(OtherJob.jobId({ thingId: 'same' }));
    });

    it('are never integers, empty, oversized or contain ":" (BullMQ reserves them)', () => {
      expect(ThingJob.jobId({ thingId: '42' })).toBe('test.ids/42');
      expect(() => ThingJob.jobId({ thingId: '' })).toThrow(InvalidJobIdError);
      expect(() => ThingJob.jobId({ thingId: 'a:b' })).toThrow(InvalidJobIdError);
      expect(() => ThingJob.jobId({ thingId: 'x'.repeat(201) })).toThrow(InvalidJobIdError);
      expect(() => ThingJob.jobId({ thingId: undefined as unknown as string })).toThrow(InvalidJobIdError);
    });
  });
});
