import { ConflictError, DomainError, UnprocessableError } from '@aihub/core';
import type { SchemaProblem } from './schema/schema-check';

export class DatasetNameTakenError extends ConflictError {
  constructor(name: string) {
    super('DATASET_NAME_TAKEN', `Your organization already has a dataset named "${name}".`, { name });
  }
}

/** The CSV does not fit the declared fields: header, field counts or sampled cell types. */
export class DatasetSchemaMismatchError extends UnprocessableError {
  constructor(problems: SchemaProblem[]) {
    super(
      'DATASET_SCHEMA_MISMATCH',
      problems
        .slice(0, 5)
        .map((p) => `line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${p.message}`)
        .join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''),
      { errors: problems },
    );
  }
}

/** Not parseable as CSV at all (a stray quote, an unclosed quoted field, not UTF-8). */
export class DatasetCsvInvalidError extends UnprocessableError {
  constructor(line: number, message: string) {
    super('DATASET_CSV_INVALID', `line ${line}: ${message}`, { errors: [{ line, message }] });
  }
}

export class DatasetFileTypeError extends UnprocessableError {
  constructor(detail: string) {
    super('DATASET_FILE_TYPE', detail, { allowed: ['csv', 'tar.gz', 'zip'] });
  }
}

export class DatasetArchiveInvalidError extends UnprocessableError {
  constructor(detail: string) {
    super('DATASET_ARCHIVE_INVALID', detail);
  }
}

export class DatasetFileEmptyError extends UnprocessableError {
  constructor() {
    super('DATASET_FILE_EMPTY', 'The file is empty.');
  }
}

export class DatasetViewNotAvailableError extends UnprocessableError {
  constructor(view: string, kind: string) {
    super(
      'DATASET_VIEW_NOT_AVAILABLE',
      `A ${view} view cannot be derived from an ${kind} version; only the raw view exists for archives.`,
      { view, kind },
    );
  }
}

/** A stored object no longer matches the checksum recorded when it was uploaded. */
export class DatasetIntegrityError extends DomainError {
  constructor(what: string) {
    super('DATASET_INTEGRITY', 500, 'Integrity check failed', `${what} does not match its recorded SHA-256.`);
  }
}

/** A multipart request without the one expected `file` part. */
export class DatasetUploadError extends DomainError {
  constructor(detail: string) {
    super('VALIDATION_FAILED', 400, 'Validation failed', detail, {
      errors: [{ field: 'file', message: detail }],
    });
  }
}
