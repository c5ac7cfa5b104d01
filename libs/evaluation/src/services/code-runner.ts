import type { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import type { SubmissionEntity } from '../entities/submission.entity';
import type { LineSource } from '../scoring/lines';

/** Runs a code submission in the sandbox and hands back its predictions (provided by the worker only). */
export const CODE_RUNNER = Symbol('CODE_RUNNER');

export interface CodeRunner {
  /**
   * Runs the bundle against the phase's hidden inputs; resolves with the lines of `/output/predictions.csv`
   * (or `.json`), or throws `SubmitterFailure` (timeout, out of memory, crashed, no predictions file).
   */
  run(
    submission: SubmissionEntity,
    phase: EvaluationPhaseEntity,
    signal?: AbortSignal,
  ): Promise<{ lines: LineSource; cleanup: () => Promise<void> }>;
}
