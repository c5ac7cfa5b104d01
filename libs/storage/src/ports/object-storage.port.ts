import { Readable } from 'node:stream';
import { BucketName } from '../buckets';

/** Injection token of the {@link ObjectStorage} port. */
export const OBJECT_STORAGE = Symbol('OBJECT_STORAGE');

export interface PutObjectOptions {
  /** Defaults to `application/octet-stream`. */
  contentType?: string;
  /** Upper bound of the body; defaults to `config.uploads.maxBytes`. Passing it throws PayloadTooLargeError. */
  maxBytes?: number;
  /** User metadata (`x-amz-meta-*`): lowercase names, printable ASCII values. */
  metadata?: Record<string, string>;
}

export interface StoredObject {
  bucket: BucketName;
  key: string;
  /** Hex SHA-256 of the body, computed while streaming it. */
  sha256: string;
  sizeBytes: number;
  contentType: string;
}

/** Inclusive byte range, like HTTP `Range: bytes=start-end`; without `end`, to the end of the object. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface ObjectStat {
  sizeBytes: number;
  contentType?: string;
  /** Backend ETag without quotes (MD5 for single PUTs, not a content hash for multipart ones). */
  etag: string;
  lastModified?: Date;
  /** User metadata given at put time. */
  metadata: Record<string, string>;
}

/**
 * The platform's object storage. Buckets are logical ({@link BucketName}); keys are built by services
 * from ids and validated. Bodies are streamed in both directions, never held whole in memory.
 */
export interface ObjectStorage {
  /**
   * Streams `body` into `bucket/key`, hashing it on the way. Throws PayloadTooLargeError (nothing
   * stored, multipart aborted) when the body passes `maxBytes`. Overwrites an existing object.
   * `put` owns `body` from then on: it is read to the end, or destroyed when the put fails.
   */
  put(bucket: BucketName, key: string, body: Readable, opts?: PutObjectOptions): Promise<StoredObject>;
  /** The object's bytes (or a range of them). Throws ObjectNotFoundError / RangeNotSatisfiableError. */
  get(bucket: BucketName, key: string, range?: ByteRange): Promise<Readable>;
  /** Size, type, etag and metadata, or null when the object does not exist. */
  stat(bucket: BucketName, key: string): Promise<ObjectStat | null>;
  exists(bucket: BucketName, key: string): Promise<boolean>;
  /** Deletes the object; deleting a missing object is not an error. */
  remove(bucket: BucketName, key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (non-empty); returns how many were deleted. */
  removePrefix(bucket: BucketName, prefix: string): Promise<number>;
  /** Server-side copy (no bytes through this process). Throws ObjectNotFoundError for a missing source. */
  copy(fromBucket: BucketName, fromKey: string, toBucket: BucketName, toKey: string): Promise<void>;
  /** A time-limited GET URL signed for the storage endpoint as this process sees it. */
  presignedGetUrl(bucket: BucketName, key: string, ttlSeconds: number): Promise<string>;
  /** Creates every logical bucket that does not exist yet (idempotent, safe across processes). */
  ensureBuckets(): Promise<void>;
  /** Resolves when storage answers and the buckets exist; throws StorageUnavailableError otherwise. */
  ping(): Promise<void>;
}
