import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Test, TestingModule } from '@nestjs/testing';
import { APP_CONFIG, AppConfig, ConfigModule, loadConfig, PayloadTooLargeError } from '@aihub/core';
import {
  ALL_BUCKETS,
  Bucket,
  hashStream,
  InvalidObjectKeyError,
  OBJECT_STORAGE,
  ObjectNotFoundError,
  ObjectStorage,
  physicalBucketName,
  RangeNotSatisfiableError,
  StorageModule,
  StorageUnavailableError,
} from '@aihub/storage';
import { MINIO_CONNECTION, MinioConnection } from '@aihub/storage/adapters/minio-connection';
import { pseudoRandomBytes, pseudoRandomStream } from '@aihub/storage/testing/pseudo-random-stream';

const MiB = 1024 * 1024;
const SHA256_OF_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

interface BootedStorage {
  moduleRef: TestingModule;
  storage: ObjectStorage;
  config: AppConfig;
  connection: MinioConnection;
}

/** One "process" worth of storage: config from the env the global setup prepared, own emulator. */
async function bootStorage(config?: AppConfig): Promise<BootedStorage> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StorageModule.forRoot()],
  }).compile();
  await moduleRef.init();
  return {
    moduleRef,
    storage: moduleRef.get<ObjectStorage>(OBJECT_STORAGE),
    config: moduleRef.get<AppConfig>(APP_CONFIG),
    connection: moduleRef.get<MinioConnection>(MINIO_CONNECTION),
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Samples RSS often enough to see the peak of a streaming upload. */
function startRssSampler(intervalMs = 5): { stop(): { baselineBytes: number; peakBytes: number } } {
  const baselineBytes = process.memoryUsage.rss();
  let peakBytes = baselineBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peakBytes = Math.max(peakBytes, process.memoryUsage.rss());
      return { baselineBytes, peakBytes };
    },
  };
}

/** Parts of multipart uploads that were never completed or aborted, as the emulator keeps them. */
async function leftoverUploadParts(emulatorDir: string, bucketName: string): Promise<string[]> {
  const uploadsDir = join(emulatorDir, bucketName, '._S3rver_uploads');
  return readdir(uploadsDir).catch(() => [] as string[]);
}

describe('ObjectStorage over the embedded S3 emulator (e2e)', () => {
  let api: BootedStorage;
  let storage: ObjectStorage;
  let partSize: number;
  const prefix = `e2e/${randomUUID()}`;
  const newKey = (name: string) => `${prefix}/${randomUUID()}/${name}`;

  beforeAll(async () => {
    api = await bootStorage();
    storage = api.storage;
    partSize = api.config.storage.partSizeBytes;
  });

  afterAll(async () => {
    await api?.moduleRef.close();
  });

  it('runs the emulator and creates every logical bucket at boot', async () => {
    expect(api.connection.emulated).toBe(true);
    expect(api.connection.endpoint.hostname).toBe('127.0.0.1');
    for (const bucket of ALL_BUCKETS) {
      const bucketName = physicalBucketName(api.config.storage.bucketPrefix, bucket);
      expect(bucketName.startsWith(`${api.config.storage.bucketPrefix}-`)).toBe(true);
      await expect(api.connection.client.bucketExists(bucketName)).resolves.toBe(true);
    }
    await expect(storage.ensureBuckets()).resolves.toBeUndefined(); // idempotent
    await expect(storage.ping()).resolves.toBeUndefined();
  });

  // early, before other tests inflate the heap: the RSS baseline is then closest to a fresh process
  it('streams 200 MB through put and get with equal SHA-256 and bounded memory', async () => {
    const sizeBytes = 200 * MiB;
    const key = newKey('large.bin');
    const expected = await hashStream(pseudoRandomStream(sizeBytes, 'large-200'));

    const sampler = startRssSampler();
    const startedAt = Date.now();
    const stored = await storage.put(Bucket.Submissions, key, pseudoRandomStream(sizeBytes, 'large-200'), {
      maxBytes: sizeBytes,
    });
    const uploadMs = Date.now() - startedAt;
    const { baselineBytes, peakBytes } = sampler.stop();
    const growthMiB = (peakBytes - baselineBytes) / MiB;

    const readBack = await hashStream(await storage.get(Bucket.Submissions, key));
    expect(stored).toMatchObject({ sizeBytes, sha256: expected.sha256 });
    expect(readBack).toEqual(expected);
    // visible in verbose runs; the assertion is what matters
    process.stdout.write(`    200 MB upload: ${uploadMs} ms, RSS growth ${growthMiB.toFixed(1)} MiB\n`);
    expect(growthMiB).toBeLessThan(150);
    await storage.remove(Bucket.Submissions, key);
  }, 90_000);

  it('round-trips a small object with its hash, type and metadata', async () => {
    const key = newKey('hello.txt');
    const stored = await storage.put(Bucket.Attachments, key, Readable.from([Buffer.from('abc')]), {
      contentType: 'text/plain',
      metadata: { 'submission-id': 'sub-1' },
    });
    expect(stored).toEqual({
      bucket: 'attachments',
      key,
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      sizeBytes: 3,
      contentType: 'text/plain',
    });
    expect((await readAll(await storage.get(Bucket.Attachments, key))).toString()).toBe('abc');
    const stat = await storage.stat(Bucket.Attachments, key);
    expect(stat).toMatchObject({
      sizeBytes: 3,
      contentType: 'text/plain',
      metadata: { 'submission-id': 'sub-1' },
    });
    expect(stat?.etag).toMatch(/^[0-9a-f]{32}$/);
    await expect(storage.exists(Bucket.Attachments, key)).resolves.toBe(true);
  });

  it('round-trips an empty object', async () => {
    const key = newKey('empty.bin');
    const stored = await storage.put(Bucket.Outputs, key, Readable.from([]));
    expect(stored).toMatchObject({
      sha256: SHA256_OF_EMPTY,
      sizeBytes: 0,
      contentType: 'application/octet-stream',
    });
    expect((await readAll(await storage.get(Bucket.Outputs, key))).length).toBe(0);
    await expect(storage.stat(Bucket.Outputs, key)).resolves.toMatchObject({ sizeBytes: 0 });
  });

  it.each([
    ['exactly one part (single PUT)', () => partSize],
    ['exactly two parts (ends on a boundary)', () => 2 * partSize],
    ['two and a half parts', () => 2 * partSize + 12_345],
  ])('round-trips a body of %s', async (_label, size) => {
    const sizeBytes = size();
    const key = newKey('multi.bin');
    const expected = await pseudoRandomBytes(sizeBytes, key);
    const stored = await storage.put(
      Bucket.Datasets,
      key,
      pseudoRandomStream(sizeBytes, key, 64 * 1024 + 7),
      {
        metadata: { kind: 'multipart' },
      },
    );
    const expectedSha = (await hashStream(Readable.from([expected]))).sha256;
    expect(stored).toMatchObject({ sizeBytes, sha256: expectedSha });
    const back = await readAll(await storage.get(Bucket.Datasets, key));
    expect(back.length).toBe(sizeBytes);
    expect(back.equals(expected)).toBe(true);
    await expect(storage.stat(Bucket.Datasets, key)).resolves.toMatchObject({
      sizeBytes,
      metadata: { kind: 'multipart' },
    });
  });

  it('reads byte ranges, including across part boundaries', async () => {
    const key = newKey('ranges.bin');
    const sizeBytes = partSize + 1000;
    const bytes = await pseudoRandomBytes(sizeBytes, key);
    await storage.put(Bucket.Runs, key, Readable.from([bytes]));

    const read = async (start: number, end?: number) =>
      readAll(await storage.get(Bucket.Runs, key, { start, end }));
    expect((await read(10, 19)).equals(bytes.subarray(10, 20))).toBe(true);
    expect((await read(0, 0)).equals(bytes.subarray(0, 1))).toBe(true);
    expect((await read(partSize - 5, partSize + 5)).equals(bytes.subarray(partSize - 5, partSize + 6))).toBe(
      true,
    );
    expect((await read(sizeBytes - 10)).equals(bytes.subarray(sizeBytes - 10))).toBe(true);
    expect((await read(0)).equals(bytes)).toBe(true);
    await expect(storage.get(Bucket.Runs, key, { start: sizeBytes + 10 })).rejects.toBeInstanceOf(
      RangeNotSatisfiableError,
    );
    await expect(storage.get(Bucket.Runs, key, { start: 5, end: 4 })).rejects.toBeInstanceOf(
      RangeNotSatisfiableError,
    );
  });

  it('reports missing objects as ObjectNotFoundError / null, and removes idempotently', async () => {
    const key = newKey('missing.bin');
    const error = await storage.get(Bucket.Reports, key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ObjectNotFoundError);
    expect(error).toMatchObject({ code: 'OBJECT_NOT_FOUND', status: 404 });
    await expect(storage.stat(Bucket.Reports, key)).resolves.toBeNull();
    await expect(storage.exists(Bucket.Reports, key)).resolves.toBe(false);
    await expect(storage.remove(Bucket.Reports, key)).resolves.toBeUndefined();

    await storage.put(Bucket.Reports, key, Readable.from(['x']));
    await storage.remove(Bucket.Reports, key);
    await storage.remove(Bucket.Reports, key);
    await expect(storage.exists(Bucket.Reports, key)).resolves.toBe(false);
  });

  it('refuses a body over maxBytes in one part and leaves nothing behind', async () => {
    const key = newKey('too-large-small.bin');
    const error = await storage
      .put(Bucket.Submissions, key, pseudoRandomStream(2000, key), { maxBytes: 1000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    await expect(storage.exists(Bucket.Submissions, key)).resolves.toBe(false);
  });

  it('aborts a multipart upload that passes maxBytes and leaves no object nor parts', async () => {
    const key = newKey('too-large-multi.bin');
    const bucketName = physicalBucketName(api.config.storage.bucketPrefix, Bucket.GroundTruth);
    const before = await leftoverUploadParts(api.config.storage.emulatorDir, bucketName);
    const body = pseudoRandomStream(4 * partSize, key);
    const error = await storage
      .put(Bucket.GroundTruth, key, body, { maxBytes: 2 * partSize + partSize / 2 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(body.destroyed).toBe(true);
    await expect(storage.exists(Bucket.GroundTruth, key)).resolves.toBe(false);
    expect(await leftoverUploadParts(api.config.storage.emulatorDir, bucketName)).toEqual(before);
  });

  it('defaults maxBytes to config.uploads.maxBytes and stops reading an endless body', async () => {
    const limited = await bootStorage(loadConfig({ ...process.env, UPLOAD_MAX_MB: '1' }));
    try {
      expect(limited.config.uploads.maxBytes).toBe(MiB);
      const fits = await limited.storage.put(
        Bucket.Attachments,
        newKey('fits.bin'),
        pseudoRandomStream(MiB, 'fits'),
      );
      expect(fits.sizeBytes).toBe(MiB);

      let producedBytes = 0;
      const endless = new Readable({
        read() {
          producedBytes += 64 * 1024;
          this.push(Buffer.alloc(64 * 1024));
        },
      });
      const key = newKey('endless.bin');
      await expect(limited.storage.put(Bucket.Attachments, key, endless)).rejects.toBeInstanceOf(
        PayloadTooLargeError,
      );
      expect(producedBytes).toBeLessThan(2 * MiB);
      await expect(storage.exists(Bucket.Attachments, key)).resolves.toBe(false);
    } finally {
      await limited.moduleRef.close();
    }
  });

  it('refuses invalid keys before touching storage', async () => {
    const body = Readable.from(['x']);
    await expect(storage.put(Bucket.Attachments, '../etc/passwd', body)).rejects.toBeInstanceOf(
      InvalidObjectKeyError,
    );
    expect(body.destroyed).toBe(true); // a failed put always releases the body it was handed
    await expect(storage.get(Bucket.Attachments, '/absolute')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(storage.removePrefix(Bucket.Attachments, '')).rejects.toBeInstanceOf(InvalidObjectKeyError);
  });

  it('removes every object under a prefix and only those', async () => {
    const base = newKey('tree');
    for (const name of ['a.txt', 'b/c.txt', 'b/d/e.txt']) {
      await storage.put(Bucket.Views, `${base}/${name}`, Readable.from([name]));
    }
    const sibling = `${base}-sibling.txt`;
    await storage.put(Bucket.Views, sibling, Readable.from(['keep']));

    await expect(storage.removePrefix(Bucket.Views, `${base}/`)).resolves.toBe(3);
    await expect(storage.exists(Bucket.Views, `${base}/b/d/e.txt`)).resolves.toBe(false);
    await expect(storage.exists(Bucket.Views, sibling)).resolves.toBe(true);
    await expect(storage.removePrefix(Bucket.Views, `${base}/`)).resolves.toBe(0);
  });

  it('copies objects server-side', async () => {
    const from = newKey('source.csv');
    const to = newKey('copy.csv');
    const stored = await storage.put(Bucket.Outputs, from, Readable.from(['a,b\n1,2\n']), {
      contentType: 'text/csv',
    });
    await storage.copy(Bucket.Outputs, from, Bucket.Exports, to);
    await expect(hashStream(await storage.get(Bucket.Exports, to))).resolves.toEqual({
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
    });
    await expect(storage.copy(Bucket.Outputs, newKey('nope'), Bucket.Exports, to)).rejects.toBeInstanceOf(
      ObjectNotFoundError,
    );
  });

  it('signs GET URLs that serve the object over plain HTTP', async () => {
    const key = newKey('report.pdf');
    await storage.put(Bucket.AuditExports, key, Readable.from([Buffer.from('%PDF-1.7')]));
    const url = await storage.presignedGetUrl(Bucket.AuditExports, key, 60);
    expect(url).toContain('X-Amz-Signature=');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('%PDF-1.7');
  });

  it('shares objects with a second process-like instance (the worker) over the same folder', async () => {
    const worker = await bootStorage();
    try {
      expect(worker.connection.endpoint.port).not.toBe(api.connection.endpoint.port);
      const fromApi = newKey('from-api.bin');
      const stored = await storage.put(Bucket.Submissions, fromApi, pseudoRandomStream(3 * MiB, fromApi));
      await expect(hashStream(await worker.storage.get(Bucket.Submissions, fromApi))).resolves.toEqual({
        sha256: stored.sha256,
        sizeBytes: stored.sizeBytes,
      });

      const fromWorker = newKey('from-worker.json');
      await worker.storage.put(Bucket.Outputs, fromWorker, Readable.from(['{"score":0.9}']));
      expect((await readAll(await storage.get(Bucket.Outputs, fromWorker))).toString()).toBe('{"score":0.9}');
    } finally {
      await worker.moduleRef.close();
    }
    // its emulator is gone: its port no longer answers, while the api instance still does
    await expect(worker.storage.ping()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(storage.ping()).resolves.toBeUndefined();
  });
});
