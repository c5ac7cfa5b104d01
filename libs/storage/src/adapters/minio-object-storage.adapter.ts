import { Readable } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Client, CopyDestinationOptions, CopySourceOptions } from 'minio';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { ALL_BUCKETS, Bucket, BucketName, physicalBucketName } from '../buckets';
import {
  assertValidContentType,
  assertValidKeyPrefix,
  assertValidMetadata,
  assertValidObjectKey,
  isReservedMetadataName,
} from '../keys/object-key';
import {
  ByteRange,
  ObjectStat,
  ObjectStorage,
  PutObjectOptions,
  StoredObject,
} from '../ports/object-storage.port';
import { BodyPart, HashingPartSplitter } from '../streaming/hashing-part-splitter';
import { ObjectNotFoundError, RangeNotSatisfiableError, StorageUnavailableError } from '../storage.errors';
import { MINIO_CONNECTION, MinioConnection } from './minio-connection';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound']);
const BUCKET_TAKEN_CODES = new Set(['BucketAlreadyOwnedByYou', 'BucketAlreadyExists']);
const DELETE_BATCH_SIZE = 1000; // the S3 limit of one DeleteObjects request
const PING_TIMEOUT_MS = 5_000;
const MAX_PRESIGN_TTL_SECONDS = 7 * 24 * 3600; // the SigV4 limit

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/**
 * {@link ObjectStorage} over the minio-js client: MinIO or any S3 in production, the embedded
 * emulator in development and tests.
 *
 * Uploads do not use minio-js `putObject` for streams: it first lists multipart uploads (the emulator
 * lacks that call) and buffers whole parts itself. Instead the body is cut into parts of
 * `S3_PART_SIZE_MB` while being hashed; a body that fits in one part is one PUT, a larger one a
 * multipart upload that sends part N while part N+1 is read (at most two parts in memory).
 */
@Injectable()
export class MinioObjectStorage implements ObjectStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StorageModule');
  private readonly client: Client;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MINIO_CONNECTION) private readonly connection: MinioConnection,
  ) {
    this.client = connection.client;
  }

  async onModuleInit(): Promise<void> {
    await this.ensureBuckets();
  }

  onApplicationShutdown(): void {
    this.connection.close();
  }

  async put(
    bucket: BucketName,
    key: string,
    body: Readable,
    opts: PutObjectOptions = {},
  ): Promise<StoredObject> {
    const contentType = opts.contentType ?? DEFAULT_CONTENT_TYPE;
    let bucketName = '';
    let uploadId: string | undefined;
    let partInFlight: Promise<void> | undefined;
    try {
      bucketName = this.bucketName(bucket);
      assertValidObjectKey(key);
      const headers = this.putHeaders(contentType, opts.metadata ?? {});
      const splitter = new HashingPartSplitter(
        this.config.storage.partSizeBytes,
        opts.maxBytes ?? this.config.uploads.maxBytes,
      );
      const uploadedParts: { part: number; etag: string }[] = [];
      for await (const part of splitter.split(body)) {
        if (part.partNumber === 1 && part.isLast) {
          await this.putSinglePart(bucketName, key, headers, part.data);
          break;
        }
        uploadId ??= await this.client.initiateNewMultipartUpload(bucketName, key, { ...headers });
        // the previous part must be sent before this one starts: two parts in memory at most
        if (partInFlight) await partInFlight;
        partInFlight = this.uploadPart(bucketName, key, uploadId, part).then((uploaded) => {
          uploadedParts.push(uploaded);
        });
        // awaited on the next part or below; this only keeps a failure from being "unhandled" meanwhile
        partInFlight.catch(() => undefined);
      }
      if (partInFlight) await partInFlight;
      if (uploadId) await this.client.completeMultipartUpload(bucketName, key, uploadId, uploadedParts);
      return { bucket, key, sha256: splitter.sha256, sizeBytes: splitter.sizeBytes, contentType };
    } catch (error) {
      // the caller handed the body over: a failed put never leaves it half-read and open
      if (!body.destroyed) body.destroy();
      if (uploadId) {
        // a part still being sent after the abort would recreate the upload on some backends
        await partInFlight?.catch(() => undefined);
        await this.abortMultipartUpload(bucketName, key, uploadId);
      }
      throw error;
    }
  }

  async get(bucket: BucketName, key: string, range?: ByteRange): Promise<Readable> {
    const bucketName = this.bucketName(bucket);
    assertValidObjectKey(key);
    if (range) this.assertValidRange(range);
    try {
      if (!range) return await this.client.getObject(bucketName, key);
      // minio-js: length 0 means "to the end"
      const length = range.end === undefined ? 0 : range.end - range.start + 1;
      return await this.client.getPartialObject(bucketName, key, range.start, length);
    } catch (error) {
      throw this.translateError(error, bucket, key);
    }
  }

  async stat(bucket: BucketName, key: string): Promise<ObjectStat | null> {
    const bucketName = this.bucketName(bucket);
    assertValidObjectKey(key);
    try {
      const stat = await this.client.statObject(bucketName, key);
      const headers = stat.metaData as Record<string, unknown>;
      const metadata: Record<string, string> = {};
      for (const [name, value] of Object.entries(headers)) {
        if (!isReservedMetadataName(name) && typeof value === 'string') metadata[name.toLowerCase()] = value;
      }
      const contentType = headers['content-type'] ?? headers['Content-Type'];
      return {
        sizeBytes: stat.size,
        contentType: typeof contentType === 'string' ? contentType : undefined,
        etag: stat.etag,
        lastModified: stat.lastModified,
        metadata,
      };
    } catch (error) {
      if (NOT_FOUND_CODES.has(errorCode(error) ?? '')) return null;
      throw error;
    }
  }

  async exists(bucket: BucketName, key: string): Promise<boolean> {
    return (await this.stat(bucket, key)) !== null;
  }

  async remove(bucket: BucketName, key: string): Promise<void> {
    const bucketName = this.bucketName(bucket);
    assertValidObjectKey(key);
    try {
      await this.client.removeObject(bucketName, key);
    } catch (error) {
      // S3 answers 204 for a missing key; some backends answer 404
      if (!NOT_FOUND_CODES.has(errorCode(error) ?? '')) throw error;
    }
  }

  async removePrefix(bucket: BucketName, prefix: string): Promise<number> {
    const bucketName = this.bucketName(bucket);
    assertValidKeyPrefix(prefix);
    let removed = 0;
    let batch: string[] = [];
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      // minio-js returns only the per-key errors of the DeleteObjects answer
      const failures = await this.client.removeObjects(bucketName, batch);
      if (failures.length) {
        throw new Error(`Could not delete ${failures.length} object(s) under ${bucketName}/${prefix}`);
      }
      removed += batch.length;
      batch = [];
    };
    // listing and deleting interleave, so a huge prefix never sits in memory whole
    for await (const item of this.client.listObjects(bucketName, prefix, true)) {
      const name = (item as { name?: string }).name;
      if (!name) continue; // a common prefix, not an object
      batch.push(name);
      if (batch.length >= DELETE_BATCH_SIZE) await flush();
    }
    await flush();
    return removed;
  }

  async copy(fromBucket: BucketName, fromKey: string, toBucket: BucketName, toKey: string): Promise<void> {
    const source = this.bucketName(fromBucket);
    const destination = this.bucketName(toBucket);
    assertValidObjectKey(fromKey);
    assertValidObjectKey(toKey);
    try {
      await this.client.copyObject(
        new CopySourceOptions({ Bucket: source, Object: fromKey }),
        new CopyDestinationOptions({ Bucket: destination, Object: toKey }),
      );
    } catch (error) {
      throw this.translateError(error, fromBucket, fromKey);
    }
  }

  async presignedGetUrl(bucket: BucketName, key: string, ttlSeconds: number): Promise<string> {
    const bucketName = this.bucketName(bucket);
    assertValidObjectKey(key);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer between 1 and ${MAX_PRESIGN_TTL_SECONDS}`);
    }
    return this.client.presignedGetObject(bucketName, key, ttlSeconds);
  }

  async ensureBuckets(): Promise<void> {
    await Promise.all(ALL_BUCKETS.map((bucket) => this.ensureBucket(this.bucketName(bucket))));
  }

  async ping(): Promise<void> {
    const bucketName = this.bucketName(Bucket.Attachments);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    let exists: boolean;
    try {
      exists = await Promise.race([this.client.bucketExists(bucketName), timeout]);
    } catch (error) {
      throw new StorageUnavailableError(
        `Object storage at ${this.connection.endpoint.origin} is unreachable: ${describe(error)}`,
      );
    } finally {
      clearTimeout(timer);
    }
    if (!exists) throw new StorageUnavailableError(`Bucket ${bucketName} does not exist.`);
  }

  private putHeaders(contentType: string, metadata: Record<string, string>): Record<string, string> {
    assertValidContentType(contentType);
    assertValidMetadata(metadata);
    const headers: Record<string, string> = { 'Content-Type': contentType };
    for (const [name, value] of Object.entries(metadata)) headers[`x-amz-meta-${name}`] = value;
    return headers;
  }

  private bucketName(bucket: BucketName): string {
    return physicalBucketName(this.config.storage.bucketPrefix, bucket);
  }

  private async ensureBucket(bucketName: string): Promise<void> {
    if (await this.client.bucketExists(bucketName)) return;
    try {
      await this.client.makeBucket(bucketName, this.config.storage.region);
      this.logger.log(`Created bucket ${bucketName}`);
    } catch (error) {
      // another process (api vs worker) may have won the race; only a bucket we can use is fine
      if (BUCKET_TAKEN_CODES.has(errorCode(error) ?? '') && (await this.client.bucketExists(bucketName)))
        return;
      throw error;
    }
  }

  private async putSinglePart(
    bucketName: string,
    key: string,
    headers: Record<string, string>,
    data: Buffer,
  ): Promise<void> {
    // a direct PUT: minio-js putObject would turn the buffer back into a stream and copy it again
    const response = await this.client.makeRequestAsync(
      { method: 'PUT', bucketName, objectName: key, headers: { ...headers } },
      data,
      [200],
    );
    response.resume();
    await new Promise<void>((resolve, reject) => response.once('end', resolve).once('error', reject));
  }

  private async uploadPart(
    bucketName: string,
    key: string,
    uploadId: string,
    part: BodyPart,
  ): Promise<{ part: number; etag: string }> {
    const { etag } = await this.client.uploadPart(
      // minio-js puts uploadId into the query unescaped
      {
        bucketName,
        objectName: key,
        uploadID: encodeURIComponent(uploadId),
        partNumber: part.partNumber,
        headers: {},
      },
      part.data,
    );
    return { part: part.partNumber, etag };
  }

  private async abortMultipartUpload(bucketName: string, key: string, uploadId: string): Promise<void> {
    try {
      await this.client.abortMultipartUpload(bucketName, key, encodeURIComponent(uploadId));
    } catch (error) {
      // the original failure matters more; a lifecycle rule on the bucket cleans leftovers
      this.logger.warn(
        `Could not abort multipart upload ${uploadId} of ${bucketName}/${key}: ${describe(error)}`,
      );
    }
  }

  private assertValidRange(range: ByteRange): void {
    const { start, end } = range;
    if (!Number.isSafeInteger(start) || start < 0) {
      throw new RangeNotSatisfiableError('The range start must be a non-negative integer.');
    }
    if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) {
      throw new RangeNotSatisfiableError('The range end must be an integer not below the start.');
    }
  }

  private translateError(error: unknown, bucket: BucketName, key: string): unknown {
    const code = errorCode(error);
    if (code && NOT_FOUND_CODES.has(code)) return new ObjectNotFoundError(bucket, key);
    if (code === 'InvalidRange') return new RangeNotSatisfiableError();
    return error;
  }
}
