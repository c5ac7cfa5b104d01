import type { MultipartProblem } from '@aihub/storage';
import { ConflictError, ForbiddenError, RateLimitedError, UnprocessableError } from '@aihub/core';

export class PhasesOverlapError extends ConflictError {
  constructor(a: string, b: string) {
    super('PHASES_OVERLAP', `Phases '${a}' and '${b}' overlap; phase windows must not intersect.`, {
      phases: [a, b],
    });
  }
}

/** A metric whose file format does not fit the target (or another phase's ground truth). */
export class MetricTargetMismatchError extends ConflictError {
  constructor(detail: string) {
    super('METRIC_TARGET_MISMATCH', detail);
  }
}

export class PhaseLockedError extends ConflictError {
  constructor(name: string, detail: string) {
    super('PHASE_LOCKED', `Phase '${name}' already has submissions: ${detail}`, { phase: name });
  }
}

export class EvaluationNotConfiguredError extends ConflictError {
  constructor() {
    super('EVALUATION_NOT_CONFIGURED', 'This scenario has no evaluation yet; PUT one first.');
  }
}

export class GroundTruthMissingError extends ConflictError {
  constructor() {
    super(
      'GROUND_TRUTH_MISSING',
      'The ground truth of this evaluation has not been uploaded yet; submissions open once it is.',
    );
  }
}

export class PhaseNotOpenError extends ConflictError {
  constructor(reason: string, extra: Record<string, unknown> = {}) {
    super('PHASE_NOT_OPEN', reason, extra);
  }
}

export class NotAnAwardeeError extends ForbiddenError {
  constructor() {
    super(
      'Only organizations selected for this scenario (awardees and their consortium members) may submit to this phase.',
      'NOT_AN_AWARDEE',
    );
  }
}

export class QuotaExceededError extends RateLimitedError {
  constructor(detail: string, resetsAt: Date | null, now: Date) {
    super(
      'QUOTA_EXCEEDED',
      detail,
      resetsAt ? Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)) : 86_400,
    );
    this.extra.resetsAt = resetsAt ? resetsAt.toISOString() : null;
  }
}

export class FinalSelectionLimitError extends ConflictError {
  constructor(limit: number) {
    super(
      'FINAL_SELECTION_LIMIT',
      `At most ${limit} submissions per organization can be selected as final in a phase; unselect one first.`,
      { limit },
    );
  }
}

export class SubmissionNotScoredError extends ConflictError {
  constructor(status: string) {
    super(
      'SUBMISSION_NOT_SCORED',
      `Only scored submissions can be selected as final; this one is ${status}.`,
      { submissionStatus: status },
    );
  }
}

export class ResultsAlreadyPublishedError extends ConflictError {
  constructor() {
    super('RESULTS_ALREADY_PUBLISHED', "The phase's results are already published.");
  }
}

export class MultipartError extends UnprocessableError {
  constructor(detail: string) {
    super('INVALID_MULTIPART', detail);
  }
}

const quoted = (fields: readonly string[]) => fields.map((f) => `"${f}"`).join(', ');

/** `receiveMultipart`'s problems as INVALID_MULTIPART, naming the parts this route wants. */
export const invalidMultipart =
  (required: readonly string[]) =>
  (problem: MultipartProblem): MultipartError => {
    switch (problem.kind) {
      case 'not_multipart':
        return new MultipartError(`send multipart/form-data with the part(s) ${quoted(required)}`);
      case 'missing':
        return new MultipartError(`the multipart part(s) ${quoted(problem.fields)} are required`);
      case 'malformed':
        return new MultipartError('the multipart body is malformed');
      case 'interrupted':
        return new MultipartError('the upload was interrupted');
    }
  };

export class EmptyUploadError extends UnprocessableError {
  constructor() {
    super('EMPTY_FILE', 'The uploaded file is empty.');
  }
}

export class ScoreRateLimitedError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super(
      'TOO_MANY_SCORE_REQUESTS',
      'Too many scoring requests; wait before trying again.',
      retryAfterSeconds,
    );
  }
}
