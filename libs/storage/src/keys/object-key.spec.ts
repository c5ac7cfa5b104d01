import { InvalidObjectKeyError, InvalidObjectMetadataError } from '../storage.errors';
import {
  assertValidContentType,
  assertValidKeyPrefix,
  assertValidMetadata,
  assertValidObjectKey,
  MAX_OBJECT_KEY_BYTES,
} from './object-key';

describe('assertValidObjectKey', () => {
  it.each([
    'a',
    'submissions/0f8fad5b-d9cb-469f-a165-70867728950e/predictions.csv',
    'runs/42/output/part-00001.parquet',
    'datasets/v3/数据.csv',
    'a..b/c.d',
    'x'.repeat(MAX_OBJECT_KEY_BYTES),
  ])('accepts %s', (key) => {
    expect(() => assertValidObjectKey(key)).not.toThrow();
  });

  it.each([
    ['', /empty/],
    ['/absolute', /starts with/],
    ['../escape', /"\.\." segment/],
    ['a/../b', /"\.\." segment/],
    ['a/./b', /"\." segment/],
    ['a//b', /empty path segment/],
    ['dir/', /empty path segment/],
    ['line\nbreak', /control character/],
    ['nul\u0000byte', /control character/],
    ['del\u007f', /control character/],
    ['back\\slash', /backslash/],
    ['x'.repeat(MAX_OBJECT_KEY_BYTES + 1), /longer than 1024 bytes/],
    ['数'.repeat(342), /longer than 1024 bytes/], // 1026 UTF-8 bytes in 342 characters
  ])('refuses %j', (key, reason) => {
    let thrown: unknown;
    try {
      assertValidObjectKey(key);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidObjectKeyError);
    expect(thrown).toMatchObject({ code: 'INVALID_OBJECT_KEY', status: 400 });
    expect((thrown as Error).message).toMatch(reason);
  });
});

describe('assertValidKeyPrefix', () => {
  it('accepts prefixes with or without a trailing slash', () => {
    expect(() => assertValidKeyPrefix('runs/42/')).not.toThrow();
    expect(() => assertValidKeyPrefix('runs/42')).not.toThrow();
  });

  it('refuses the empty prefix (a whole bucket) and unsafe ones', () => {
    expect(() => assertValidKeyPrefix('')).toThrow(InvalidObjectKeyError);
    expect(() => assertValidKeyPrefix('/')).toThrow(InvalidObjectKeyError);
    expect(() => assertValidKeyPrefix('runs/../')).toThrow(InvalidObjectKeyError);
    expect(() => assertValidKeyPrefix('runs//')).toThrow(InvalidObjectKeyError);
  });
});

describe('assertValidMetadata / assertValidContentType', () => {
  it('accepts lowercase names and printable ASCII values', () => {
    expect(() =>
      assertValidMetadata({ 'submission-id': 'abc-123', 'original-name': 'a b.csv' }),
    ).not.toThrow();
    expect(() => assertValidContentType('text/csv; charset=utf-8')).not.toThrow();
  });

  it.each([
    [{ Upper: 'x' }],
    [{ 'content-type': 'x' }],
    [{ 'x-amz-acl': 'public-read' }],
    [{ name: 'caf\u00e9' }],
    [{ name: 'line\nbreak' }],
  ])('refuses %j', (metadata) => {
    expect(() => assertValidMetadata(metadata)).toThrow(InvalidObjectMetadataError);
  });

  it('refuses content types that cannot be a header', () => {
    expect(() => assertValidContentType('')).toThrow(InvalidObjectMetadataError);
    expect(() => assertValidContentType('text/plain\r\nx-injected: 1')).toThrow(InvalidObjectMetadataError);
  });
});
