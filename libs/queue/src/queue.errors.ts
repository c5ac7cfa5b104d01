/** Programming errors in job wiring. They stop the process at boot rather than lose jobs later. */
export class JobDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class DuplicateJobNameError extends JobDefinitionError {
  constructor(readonly jobName: string) {
    super(`Job "${jobName}" is defined twice; job names must be unique across all queues.`);
  }
}

export class InvalidJobIdError extends JobDefinitionError {
  constructor(
    readonly jobName: string,
    readonly key: unknown,
    reason: string,
  ) {
    super(`Job "${jobName}" produced an unusable job id ${JSON.stringify(key)}: ${reason}.`);
  }
}

export interface HandlerMismatch {
  /** registered jobs that no handler class handles */
  missing: string[];
  /** jobs handled by more than one class, with the class names */
  duplicated: { jobName: string; handlers: string[] }[];
  /** handler classes whose job is not in the registry this process checks against */
  unregistered: { jobName: string; handler: string }[];
}

/** Thrown at worker boot when a job has no handler or several: the process must exit non-zero. */
export class JobHandlerMismatchError extends Error {
  constructor(readonly mismatch: HandlerMismatch) {
    const parts: string[] = [];
    if (mismatch.missing.length) parts.push(`no handler for ${mismatch.missing.join(', ')}`);
    for (const d of mismatch.duplicated)
      parts.push(`${d.handlers.length} handlers for ${d.jobName} (${d.handlers.join(', ')})`);
    for (const u of mismatch.unregistered) parts.push(`${u.handler} handles unregistered job ${u.jobName}`);
    super(`Job handler check failed: ${parts.join('; ')}.`);
    this.name = 'JobHandlerMismatchError';
  }
}
