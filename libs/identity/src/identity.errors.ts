import { ConflictError, RateLimitedError, UnauthenticatedError, UnprocessableError } from '@aihub/core';

export class InvalidCredentialsError extends UnauthenticatedError {
  constructor() {
    super('INVALID_CREDENTIALS', 'The email or password is wrong.');
  }
}

export class InvalidRefreshTokenError extends UnauthenticatedError {
  constructor() {
    super('INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or revoked. Log in again.');
  }
}

export class RefreshTokenReusedError extends UnauthenticatedError {
  constructor() {
    super(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; every session of this login was revoked.',
    );
  }
}

export class TooManyLoginAttemptsError extends RateLimitedError {
  constructor(retryAfterSeconds: number) {
    super('TOO_MANY_LOGIN_ATTEMPTS', 'Too many login attempts. Try again later.', retryAfterSeconds);
  }
}

export class EmailTakenError extends ConflictError {
  constructor() {
    super('EMAIL_TAKEN', 'An account with this email already exists.');
  }
}

export class OrganizationExistsError extends ConflictError {
  constructor(field: 'name' | 'creditCode') {
    super('ORGANIZATION_EXISTS', `An organization with this ${field} already exists.`, { field });
  }
}

export class RoleNotAllowedError extends UnprocessableError {
  constructor(role: string, organizationType: string) {
    super(
      'ROLE_NOT_ALLOWED_FOR_ORGANIZATION',
      `Role ${role} cannot be given to a member of a ${organizationType} organization.`,
      {
        role,
        organizationType,
      },
    );
  }
}
