import type { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import type { SubmissionEntity } from '../entities/submission.entity';
import type { Readable } from 'node:stream';

/** Runs a code submission in the sandbox and hands back its predictions (provided by the worker only). */
export const CODE_RUNNER = Symbol('CODE_RUNNER');

export interface CodeRunner {
  /**
   * Runs the bundle against the phase's hidden inputs; resolves with a way to open `/output/predictions.csv`
   * (or `.json`, as often as needed until `cleanup`), or throws `SubmitterFailure` (timeout, out of memory, crashed, no predictions file).
   */
  run(
    submission: SubmissionEntity,
    phase: EvaluationPhaseEntity,
    signal?: AbortSignal,
  ): Promise<{ open: () => Promise<Readable>; cleanup: () => Promise<void> }>;
}
