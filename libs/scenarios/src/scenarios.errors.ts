import type { MultipartProblem } from '@aihub/storage';
import { ConflictError, DomainError, FieldError, UnprocessableError } from '@aihub/core';

export class BatchNumberTakenError extends ConflictError {
  constructor(number: number) {
    super('BATCH_NUMBER_TAKEN', `Batch number ${number} already exists.`, { number });
  }
}

export class BatchNotPublishedError extends ConflictError {
  constructor(batchId: string) {
    super('BATCH_NOT_PUBLISHED', 'Scenarios can only be published into a published batch.', { batchId });
  }
}

export class ScenarioNotPublishedError extends ConflictError {
  constructor(status: string) {
    super('SCENARIO_NOT_PUBLISHED', `The scenario is ${status}; it does not take applications.`, {
      scenarioStatus: status,
    });
  }
}

export class ApplicationWindowNotOpenError extends ConflictError {
  constructor(opensAt: Date) {
    super('APPLICATION_WINDOW_NOT_OPEN', `Applications open at ${opensAt.toISOString()}.`, {
      applicationOpensAt: opensAt.toISOString(),
    });
  }
}

export class ApplicationWindowClosedError extends ConflictError {
  constructor(closesAt: Date) {
    super('APPLICATION_WINDOW_CLOSED', `Applications closed at ${closesAt.toISOString()}.`, {
      applicationClosesAt: closesAt.toISOString(),
    });
  }
}

export class WindowAlreadyClosedError extends UnprocessableError {
  constructor(closesAt: Date) {
    super('APPLICATION_WINDOW_PASSED', `The application window closed at ${closesAt.toISOString()}.`, {
      applicationClosesAt: closesAt.toISOString(),
    });
  }
}

export class AlreadyAppliedError extends ConflictError {
  constructor(applicationId?: string) {
    super(
      'ALREADY_APPLIED',
      'Your organization already takes part in an application to this scenario.',
      applicationId ? { applicationId } : {},
    );
  }
}

export class BatchApplicationCapError extends ConflictError {
  constructor(cap: number) {
    super('BATCH_APPLICATION_CAP', `An organization may have at most ${cap} applications in one batch.`, {
      cap,
    });
  }
}

/** Content that refers to things that do not fit (unknown organizations, wrong applications …). */
export class InvalidReferencesError extends UnprocessableError {
  constructor(errors: FieldError[], code = 'INVALID_REFERENCES') {
    super(code, errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}

export class AwardModeViolationError extends UnprocessableError {
  constructor(detail: string) {
    super('AWARD_MODE_VIOLATION', detail);
  }
}

export class AwardPublicityOpenError extends ConflictError {
  constructor(publicityId: string) {
    super('AWARD_PUBLICITY_OPEN', 'An award publicity of this scenario is still open.', { publicityId });
  }
}

export class PublicityClosedError extends ConflictError {
  constructor() {
    super('PUBLICITY_CLOSED', 'The publicity period is over; objections are no longer accepted.');
  }
}

export class ObjectionResolvedError extends ConflictError {
  constructor(status: string) {
    super('OBJECTION_ALREADY_RESOLVED', `The objection is already ${status}.`, { objectionStatus: status });
  }
}

export class AttachmentTypeError extends UnprocessableError {
  constructor(detail: string, code = 'ATTACHMENT_TYPE_NOT_ALLOWED') {
    super(code, detail, { allowed: ['pdf', 'docx', 'zip'] });
  }
}

export class EmptyAttachmentError extends UnprocessableError {
  constructor() {
    super('ATTACHMENT_EMPTY', 'The file is empty.');
  }
}

/** A multipart request without the one expected `file` part. */
/** Wording of `receiveMultipart`'s problems for routes that take one `file` part. */
export const ONE_FILE_PART_PROBLEMS: Record<MultipartProblem['kind'], string> = {
  not_multipart: 'send multipart/form-data with one "file" part',
  missing: 'a "file" part is required',
  malformed: 'the multipart body is malformed',
  interrupted: 'the upload was interrupted',
};

export class MultipartError extends DomainError {
  constructor(detail: string) {
    super('VALIDATION_FAILED', 400, 'Validation failed', detail, {
      errors: [{ field: 'file', message: detail }],
    });
  }
}
