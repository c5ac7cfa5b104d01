/**
 * Streaming throughput and memory of the object-storage port against the embedded emulator.
 *
 *   npm run bench:storage-stream                # 1 GiB
 *   BENCH_SIZE_MB=256 npm run bench:storage-stream
 *
 * Measures (a) a plain file stream copy of the same bytes (the reference), (b) `put` through the port
 * into the embedded S3 emulator, (c) `get` back with SHA-256 hashing; prints MiB/s, the ratio to the
 * reference and the peak RSS growth during (b) against its target. Everything lives in a temp folder
 * that is removed at the end. Exit code 1 when a check fails.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@aihub/core';
import { Bucket, hashStream, OBJECT_STORAGE, ObjectStorage, StorageModule } from '@aihub/storage';
import { pseudoRandomStream } from '@aihub/storage/testing/pseudo-random-stream';

const MiB = 1024 * 1024;
const RSS_GROWTH_TARGET_MIB = 100;
const RSS_SAMPLE_INTERVAL_MS = 5;

interface Measurement {
  label: string;
  seconds: number;
  note?: string;
}

async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const startedAt = process.hrtime.bigint();
  const result = await run();
  return { seconds: Number(process.hrtime.bigint() - startedAt) / 1e9, result };
}

function startRssSampler(): { stop(): number } {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, RSS_SAMPLE_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      return (Math.max(peak, process.memoryUsage.rss()) - baseline) / MiB;
    },
  };
}

function printTable(sizeBytes: number, rows: Measurement[], reference: Measurement): void {
  const throughput = (m: Measurement) => sizeBytes / MiB / m.seconds;
  const header = ['step', 'seconds', 'MiB/s', 'vs reference', 'note'];
  const lines = rows.map((m) => [
    m.label,
    m.seconds.toFixed(2),
    throughput(m).toFixed(0),
    `${(throughput(m) / throughput(reference)).toFixed(2)}x`,
    m.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const sizeMiB = Number(process.env.BENCH_SIZE_MB ?? 1024);
  if (!Number.isInteger(sizeMiB) || sizeMiB < 1) throw new Error('BENCH_SIZE_MB must be a positive integer');
  const sizeBytes = sizeMiB * MiB;
  const workDir = await mkdtemp(join(tmpdir(), 'aihub-bench-storage-'));

  // an isolated config: temp DATA_DIR, the embedded emulator, a bucket prefix of its own
  for (const name of ['S3_ENDPOINT', 'S3_ACCESS_KEY', 'S3_SECRET_KEY']) delete process.env[name];
  Object.assign(process.env, {
    NODE_ENV: 'development',
    DATA_DIR: join(workDir, 'data'),
    S3_BUCKET_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    UPLOAD_MAX_MB: String(Math.max(sizeMiB, 1)),
  });
  const config: AppConfig = loadConfig();

  @Module({ imports: [ConfigModule.forRoot(config), StorageModule.forRoot()] })
  class StorageBenchModule {}

  const app = await NestFactory.createApplicationContext(StorageBenchModule, { logger: ['error', 'warn'] });
  try {
    const storage = app.get<ObjectStorage>(OBJECT_STORAGE);
    const sourcePath = join(workDir, 'source.bin');
    console.log(`Generating ${sizeMiB} MiB of pseudo-random bytes in ${workDir} ...`);
    await pipeline(pseudoRandomStream(sizeBytes, 'storage-stream-bench', MiB), createWriteStream(sourcePath));
    const source = await hashStream(createReadStream(sourcePath, { highWaterMark: MiB }));

    const copyPath = join(workDir, 'copy.bin');
    const streamCopy = await timed(() => pipeline(createReadStream(sourcePath), createWriteStream(copyPath)));
    await rm(copyPath);
    const kernelCopy = await timed(() => copyFile(sourcePath, copyPath));
    await rm(copyPath);

    const sampler = startRssSampler();
    const put = await timed(() =>
      storage.put(Bucket.Datasets, 'bench/source.bin', createReadStream(sourcePath), { maxBytes: sizeBytes }),
    );
    const rssGrowthMiB = sampler.stop();

    const get = await timed(async () => hashStream(await storage.get(Bucket.Datasets, 'bench/source.bin')));
    const putHashOk = put.result.sha256 === source.sha256 && put.result.sizeBytes === source.sizeBytes;
    const getHashOk = get.result.sha256 === source.sha256 && get.result.sizeBytes === source.sizeBytes;

    const reference: Measurement = {
      label: '(a) fs stream copy',
      seconds: streamCopy.seconds,
      note: 'reference',
    };
    const rows: Measurement[] = [
      reference,
      { label: '    fs.copyFile', seconds: kernelCopy.seconds, note: 'kernel copy, for context' },
      {
        label: '(b) put -> emulator',
        seconds: put.seconds,
        note: `${Math.ceil(sizeBytes / config.storage.partSizeBytes)} parts; SHA-256 ${putHashOk ? 'ok' : 'MISMATCH'}`,
      },
      { label: '(c) get + SHA-256', seconds: get.seconds, note: `SHA-256 ${getHashOk ? 'ok' : 'MISMATCH'}` },
    ];

    console.log();
    console.log(
      `storage-stream: ${sizeMiB} MiB, part size ${config.storage.partSizeBytes / MiB} MiB, ` +
        `embedded S3 emulator, node ${process.version}`,
    );
    printTable(sizeBytes, rows, reference);
    const memoryOk = rssGrowthMiB < RSS_GROWTH_TARGET_MIB;
    console.log();
    console.log(
      `peak RSS growth during (b): ${rssGrowthMiB.toFixed(1)} MiB ` +
        `(target < ${RSS_GROWTH_TARGET_MIB} MiB)  ${memoryOk ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `SHA-256 round trip: ${source.sha256.slice(0, 16)}...  ${putHashOk && getHashOk ? 'PASS' : 'FAIL'}`,
    );
    if (!memoryOk || !putHashOk || !getHashOk) process.exitCode = 1;
  } finally {
    await app.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
