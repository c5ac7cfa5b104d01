import { InvalidObjectKeyError, InvalidObjectMetadataError } from '../storage.errors';

/** S3's limit on the UTF-8 length of a key. */
export const MAX_OBJECT_KEY_BYTES = 1024;

// C0 controls and DEL; keys reach file systems (emulator) and log lines
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex

function problemWithPath(value: string, allowTrailingSlash: boolean): string | undefined {
  if (value.length === 0) return 'it is empty';
  if (Buffer.byteLength(value, 'utf8') > MAX_OBJECT_KEY_BYTES)
    return `it is longer than ${MAX_OBJECT_KEY_BYTES} bytes`;
  if (CONTROL_CHARACTER.test(value)) return 'it contains a control character';
  if (value.includes('\\')) return 'it contains a backslash';
  if (value.startsWith('/')) return 'it starts with "/"';
  const segments = value.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'it contains an empty path segment';
    if (segment === '.' || segment === '..') return `it contains a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Keys are built by services from ids (never from user filenames), but are checked anyway so a bug
 * cannot address another tenant's prefix or a path outside the emulator's folder.
 */
export function assertValidObjectKey(key: string): void {
  if (typeof key !== 'string') throw new InvalidObjectKeyError('it is not a string');
  const problem = problemWithPath(key, false);
  if (problem) throw new InvalidObjectKeyError(problem);
}

/** Same rules as keys, plus a trailing "/" is allowed. An empty prefix (the whole bucket) is refused. */
export function assertValidKeyPrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new InvalidObjectKeyError('the prefix is not a string');
  const problem = problemWithPath(prefix, true);
  if (problem) throw new InvalidObjectKeyError(`the prefix is not valid: ${problem}`);
}

const METADATA_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
// printable ASCII: values travel as HTTP headers
const METADATA_VALUE = /^[\x20-\x7e]{0,1024}$/;
// names S3 (or minio-js) treats as headers of their own rather than user metadata
const RESERVED_METADATA_PREFIXES = ['content-', 'x-amz-', 'cache-control', 'expires', 'if-'];

export function isReservedMetadataName(name: string): boolean {
  const lower = name.toLowerCase();
  return RESERVED_METADATA_PREFIXES.some((reserved) => lower.startsWith(reserved));
}

/** User metadata becomes `x-amz-meta-*` headers: lowercase names, printable ASCII values. */
export function assertValidMetadata(metadata: Record<string, string>): void {
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_NAME.test(name)) {
      throw new InvalidObjectMetadataError(`name "${name}" must be lowercase letters, digits and dashes`);
    }
    if (isReservedMetadataName(name)) {
      throw new InvalidObjectMetadataError(`name "${name}" is reserved`);
    }
    if (typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new InvalidObjectMetadataError(
        `value of "${name}" must be printable ASCII, at most 1024 characters`,
      );
    }
  }
}

const CONTENT_TYPE = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export function assertValidContentType(contentType: string): void {
  if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
    throw new InvalidObjectMetadataError('the content type must be printable ASCII, at most 255 characters');
  }
}
