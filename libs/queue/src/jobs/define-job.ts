import { DuplicateJobNameError, InvalidJobIdError, JobDefinitionError } from '../queue.errors';
import { QueueName } from '../queue-name';

/** How BullMQ retries a failed job. `attempts` counts the first try. */
export interface JobRetryPolicy {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delayMs: number };
}

export const DEFAULT_RETRY_POLICY: JobRetryPolicy = {
  attempts: 5,
  backoff: { type: 'exponential', delayMs: 2_000 },
};

export interface JobDefinitionSpec<P extends object> {
  queue: QueueName;
  /** unique across all queues, dotted and lowercase: `<domain>.<action>`, e.g. `scoring.submission` */
  name: string;
  /**
   * The business key of one job: the same business event must always give the same key (usually the id
   * of the row the job works on). It makes the BullMQ job id, so re-enqueueing the same event is a no-op.
   */
  jobId: (payload: P) => string;
  retry?: Partial<JobRetryPolicy>;
}

/** A job type: which queue it goes to, its name, how its id is derived and how it is retried. */
export interface JobDefinition<P extends object = object> {
  readonly queue: QueueName;
  readonly name: string;
  readonly retry: JobRetryPolicy;
  /**
   * The BullMQ job id for this payload, `<name>/<key>`. Namespaced by job name so two job types keyed by
   * the same row never swallow each other's jobs in a shared queue.
   */
  jobId(payload: P): string;
}

/** The payload type a definition carries. */
export type PayloadOf<D> = D extends JobDefinition<infer P> ? P : never;

const JOB_NAME_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const MAX_KEY_LENGTH = 200;

/** Every job type known to this process. Definitions register themselves when their module loads. */
export class JobRegistry {
  private readonly byName = new Map<string, JobDefinition>();

  register(definition: JobDefinition): void {
    if (this.byName.has(definition.name)) throw new DuplicateJobNameError(definition.name);
    this.byName.set(definition.name, definition);
  }

  get(name: string): JobDefinition | undefined {
    return this.byName.get(name);
  }

  all(): JobDefinition[] {
    return [...this.byName.values()];
  }
}

/** The process-wide registry `defineJob` writes to. */
export const jobRegistry = new JobRegistry();

/**
 * Declares a job type. Call it once, at module level, in a `*.job.ts` file next to the payload interface:
 * `export const SystemProbeJob = defineJob<SystemProbePayload>({ queue: QueueName.System, name: 'system.probe', jobId: (p) => p.probeId })`.
 */
export function defineJob<P extends object>(
  spec: JobDefinitionSpec<P>,
  registry: JobRegistry = jobRegistry,
): JobDefinition<P> {
  if (!JOB_NAME_PATTERN.test(spec.name)) {
    throw new JobDefinitionError(
      `Job name "${spec.name}" is not valid: use lowercase dotted words such as "scoring.submission".`,
    );
  }
  if (!Object.values(QueueName).includes(spec.queue)) {
    throw new JobDefinitionError(`Job "${spec.name}" names an unknown queue "${String(spec.queue)}".`);
  }
  const retry: JobRetryPolicy = {
    attempts: spec.retry?.attempts ?? DEFAULT_RETRY_POLICY.attempts,
    backoff: spec.retry?.backoff ?? DEFAULT_RETRY_POLICY.backoff,
  };
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) {
    throw new JobDefinitionError(`Job "${spec.name}" needs at least one attempt.`);
  }
  const name = spec.name;
  const definition: JobDefinition<P> = Object.freeze({
    queue: spec.queue,
    name,
    retry,
    jobId(payload: P): string {
      const key: unknown = spec.jobId(payload);
      if (typeof key !== 'string' || key.length === 0)
        throw new InvalidJobIdError(name, key, 'it must be a non-empty string');
      // BullMQ reserves ':' for its own key layout
      if (key.includes(':')) throw new InvalidJobIdError(name, key, 'it must not contain ":"');
      if (key.length > MAX_KEY_LENGTH)
        throw new InvalidJobIdError(name, key, `it is longer than ${MAX_KEY_LENGTH}`);
      return `${name}/${key}`;
    },
  });
  registry.register(definition);
  return definition;
}
