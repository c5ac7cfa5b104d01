import { DomainError, NotFoundError } from '@aihub/core';

/** A missing object. Code `OBJECT_NOT_FOUND`, status 404. */
export class ObjectNotFoundError extends NotFoundError {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    // the key is internal (ids, not user filenames) but still not echoed to clients
    super('Object');
  }
}

/** A key or prefix that could escape its namespace or break the backend. Code `INVALID_OBJECT_KEY`. */
export class InvalidObjectKeyError extends DomainError {
  constructor(reason: string) {
    super('INVALID_OBJECT_KEY', 400, 'Invalid object key', `The object key is not valid: ${reason}.`);
  }
}

/** Object metadata that cannot travel as S3 headers. Code `INVALID_OBJECT_METADATA`. */
export class InvalidObjectMetadataError extends DomainError {
  constructor(reason: string) {
    super(
      'INVALID_OBJECT_METADATA',
      400,
      'Invalid object metadata',
      `The object metadata is not valid: ${reason}.`,
    );
  }
}

/** A byte range outside the object. Code `RANGE_NOT_SATISFIABLE`, status 416. */
export class RangeNotSatisfiableError extends DomainError {
  constructor(detail = 'The requested byte range is outside the object.') {
    super('RANGE_NOT_SATISFIABLE', 416, 'Range not satisfiable', detail);
  }
}

/** Object storage cannot be reached or is not ready (health checks). Code `STORAGE_UNAVAILABLE`, status 503. */
export class StorageUnavailableError extends DomainError {
  constructor(detail: string) {
    super('STORAGE_UNAVAILABLE', 503, 'Storage unavailable', detail);
  }
}
