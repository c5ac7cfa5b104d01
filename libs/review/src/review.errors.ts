import { ConflictError, DomainError, FieldError, UnprocessableError } from '@aihub/core';

export class ExpertExistsError extends ConflictError {
  constructor(id: string) {
    super('EXPERT_EXISTS', `User ${id} is already in the expert pool.`, { expertId: id });
  }
}

/** Unknown or unusable ids in a request (users, organizations, experts, subjects). */
export class ReviewReferencesError extends UnprocessableError {
  constructor(errors: FieldError[]) {
    super('INVALID_REFERENCES', errors.map((e) => e.message).join('; '), { errors });
  }
}

export class ScenarioNotReadyForPanelError extends ConflictError {
  constructor(stage: string, status: string, allowed: readonly string[]) {
    super(
      'SCENARIO_NOT_READY_FOR_PANEL',
      `A ${stage} panel needs the scenario to be ${allowed.join(' or ')}; it is ${status}.`,
      { stage, scenarioStatus: status },
    );
  }
}

export class NoPanelSubjectsError extends ConflictError {
  constructor(stage: string) {
    super(
      'NO_PANEL_SUBJECTS',
      stage === 'application'
        ? 'The scenario has no formally passed applications to review.'
        : 'The scenario has no selected awardees to review.',
      { stage },
    );
  }
}

export class PanelClosedError extends ConflictError {
  constructor(round: number) {
    super('PANEL_CLOSED', `Round ${round} of this panel is closed; its scores cannot change.`, { round });
  }
}

export class PanelNotClosedError extends ConflictError {
  constructor() {
    super('PANEL_NOT_CLOSED', 'The panel has no closed round yet.');
  }
}

export class PanelResultsInUseError extends ConflictError {
  constructor(resultId: string) {
    super('PANEL_RESULTS_IN_USE', 'Published or publicized results rest on this panel; it cannot reopen.', {
      scenarioResultId: resultId,
    });
  }
}

export class AlreadyRecusedError extends ConflictError {
  constructor(kind: string) {
    super('ALREADY_RECUSED', `You are already recused from this subject (${kind}).`, { kind });
  }
}

export class InvalidScoresError extends UnprocessableError {
  constructor(errors: FieldError[]) {
    super('INVALID_SCORES', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}

export class CommentRequiredError extends UnprocessableError {
  constructor(total: number, threshold: number) {
    super(
      'COMMENT_REQUIRED',
      `A total of ${total.toFixed(2)} is below ${threshold}: explain the score in a comment.`,
      { total, threshold, errors: [{ field: 'comment', message: 'a comment is required for this score' }] },
    );
  }
}

export class ResultPanelNotClosedError extends ConflictError {
  constructor() {
    super('RESULT_PANEL_NOT_CLOSED', 'Close the scenario’s result panel before publishing the results.');
  }
}

export class ResultsAlreadyPublishedError extends ConflictError {
  constructor(status: string, id: string) {
    super(
      status === 'publicity' ? 'RESULTS_PUBLICITY_OPEN' : 'RESULTS_ALREADY_PUBLISHED',
      status === 'publicity'
        ? 'The results are already in their publicity (公示).'
        : 'The results of this scenario are already published.',
      { scenarioResultId: id },
    );
  }
}

/** The server lacks a CJK font (an installation problem, not the caller's). */
export class ReportFontMissingError extends DomainError {
  constructor() {
    super(
      'REPORT_FONT_MISSING',
      503,
      'Service unavailable',
      'The report font is not installed on this server.',
    );
  }
}
