/**
 * Base of every error the platform answers on purpose. `code` is stable and machine-readable;
 * the global filter renders it as RFC 9457 problem+json.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
  get detail(): string {
    return this.message;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  constructor(
    errors: FieldError[],
    detail = errors.length ? errors.map((e) => e.message).join('; ') : 'The request is not valid.',
  ) {
    super('VALIDATION_FAILED', 400, 'Validation failed', detail, { errors });
  }
}

/** Well-formed input whose content is unusable (a bad CSV, a wrong file type). */
export class UnprocessableError extends DomainError {
  constructor(code: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, 422, 'Unprocessable content', detail, extra);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(code = 'UNAUTHENTICATED', detail = 'A valid access token is required.') {
    super(code, 401, 'Unauthenticated', detail, {}, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail = 'You are not allowed to do this.', code = 'FORBIDDEN') {
    super(code, 403, 'Forbidden', detail);
  }
}

/** Also used for objects the caller may not know exist. */
export class NotFoundError extends DomainError {
  constructor(objectType: string, id?: string) {
    super(
      `${objectType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_NOT_FOUND`,
      404,
      'Not found',
      id ? `${objectType} ${id} was not found.` : `${objectType} was not found.`,
    );
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, detail: string, extra: Record<string, unknown> = {}) {
    super(code, 409, 'Conflict', detail, extra);
  }
}

/** An illegal state transition. */
export class InvalidStateError extends ConflictError {
  constructor(objectType: string, from: string, action: string) {
    super('INVALID_STATE_TRANSITION', `Cannot ${action} a ${objectType} that is ${from}.`, { from, action });
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limitBytes: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      413,
      'Payload too large',
      `The upload exceeds the limit of ${limitBytes} bytes.`,
      {
        limitBytes,
      },
    );
  }
}

export class RateLimitedError extends DomainError {
  constructor(code: string, detail: string, retryAfterSeconds: number) {
    super(
      code,
      429,
      'Too many requests',
      detail,
      { retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
