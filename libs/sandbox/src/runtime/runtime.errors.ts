import { UnprocessableError } from '@aihub/core';

/** The run spec cannot be executed as given (bad command, paths, limits or environment). */
export class InvalidRunSpecError extends UnprocessableError {
  constructor(readonly problems: string[]) {
    super('INVALID_RUN_SPEC', `The run cannot be started: ${problems.join('; ')}.`, { problems });
  }
}

/**
 * The sandbox could not be set up or torn down (a platform fault, not the company's code): missing
 * bubblewrap, an unreadable mount, processes that survived the run. Never shown to companies verbatim.
 */
export class SandboxRuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxRuntimeError';
  }
}
