/**
 * Scoring throughput and memory, beside pandas.read_csv + scikit-learn on the same files in the same run, and
 * submission-to-score latency through the real api, queue and worker.
 *
 *   npm run bench:scoring                         # 1M and 10M rows, macro_f1 and rmse; 40 API submissions of 10k rows
 *   BENCH_ROWS=1000000 npm run bench:scoring      # sizes to run (comma-separated)
 *   BENCH_LATENCY_N=100 BENCH_SKIP_FILES=1 ...    # only the latency part, more samples
 *
 * File part: each file pair is generated once into a temporary folder (predictions in the truth's row order, as a
 * model writing one prediction per test row produces them; `shuffled` rows put them in random order), at every
 * size. Every scoring run is a process of its own, so peak RSS (maxRSS) is that run's: `platform` is the worker's
 * path (streaming merge join; when it gives up, the disk join, spilling into the same temporary folder;
 * public/private/all partitions), `in-memory` the exact in-memory join (1M rows only),
 * `reference` pandas.read_csv of both files + merge + sklearn's f1_score(average='macro') / sqrt(mean_squared_error)
 * (python import time excluded). Scores are compared (|Δ| < 1e-9).
 *
 * Latency part: boots the api and an in-process worker on a database of their own, uploads a 10k-row truth, and
 * submits BENCH_LATENCY_N prediction files one after another, timing POST → status `scored` (polled every 5 ms).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase, loadConfig, parseDatabaseUrl, runMigrations } from '@aihub/core';
import { EvaluationPhaseEntity, EvaluationSpecEntity } from '@aihub/evaluation';
import { OrganizationEntity, PasswordHasher, UserEntity, withCreditCodeCheck } from '@aihub/identity';
import { Bucket, OBJECT_STORAGE, type ObjectStorage } from '@aihub/storage';
import { AppModule } from '../apps/api/src/app.module';
import { configureApp } from '../apps/api/src/configure-app';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { ApplicationEntity, ScenarioEntity, BatchEntity } from '@aihub/scenarios';

const CLASSES = [
  '市容环境',
  '交通出行',
  '噪音扰民',
  '物业管理',
  '劳动保障',
  '住房建设',
  '环境保护',
  '医疗卫生',
];
const env = process.env;
const sizes = (env.BENCH_ROWS ?? '1000000,10000000').split(',').map(Number);

function lcg(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000;
}

async function writeLines(path: string, header: string, n: number, line: (i: number) => string) {
  const out = createWriteStream(path);
  out.write(header + '\n');
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += line(i) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  out.end(buf);
  await new Promise<void>((r) => out.on('close', () => r()));
}

/** truth + predictions for `metric` with n rows; `order` of prediction rows (identity or shuffled) */
async function makeFiles(dir: string, metric: 'macro_f1' | 'rmse', n: number, shuffled: boolean) {
  const rnd = lcg(n + (metric === 'rmse' ? 1 : 0));
  const truth = join(dir, `${metric}-${n}-truth.csv`);
  const pred = join(dir, `${metric}-${n}${shuffled ? '-shuffled' : ''}-pred.csv`);
  const t: (string | number)[] = new Array(n);
  for (let i = 0; i < n; i++)
    t[i] = metric === 'rmse' ? Math.round(rnd() * 100000) / 100 : CLASSES[Math.floor(rnd() * rnd() * 8)];
  const p = t.map((v) =>
    metric === 'rmse'
      ? Math.round(((v as number) + (rnd() - 0.5) * 20) * 100) / 100
      : rnd() < 0.8
        ? v
        : CLASSES[Math.floor(rnd() * 8)],
  );
  const order = Array.from({ length: n }, (_, i) => i);
  if (shuffled)
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  const id = (i: number) => `ID${String(i).padStart(9, '0')}`;
  await writeLines(truth, 'id,target', n, (i) => `${id(i)},${t[i]}`);
  await writeLines(pred, 'id,target', n, (k) => `${id(order[k])},${p[order[k]]}`);
  return { truth, pred };
}

interface RunResult {
  scores?: Record<string, number>;
  score?: number;
  seconds: number;
  cpuSeconds?: number;
  maxRssMb: number;
  path?: string;
}

function platform(
  metric: string,
  truth: string,
  pred: string,
  mode: 'stream' | 'memory',
  rows: number,
  tempDir: string,
): RunResult {
  const out = execFileSync(
    process.execPath,
    [
      '--max-old-space-size=16000',
      join(__dirname, 'scoring-run.js'),
      metric,
      truth,
      pred,
      'id',
      'target',
      mode,
      CLASSES.join(','),
      String(rows),
      tempDir,
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.toString());
}

function reference(metric: string, truth: string, pred: string): RunResult {
  const out = execFileSync(
    '/usr/bin/python3',
    [join(__dirname, '../../bench/scoring-reference.py'), metric, truth, pred, 'id', 'target'],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(out.toString());
}

const f = (x: number, d = 2) => x.toFixed(d);

async function fileBench() {
  const dir = await mkdtemp(join(tmpdir(), 'aihub-scoring-bench-'));
  try {
    console.log(
      'rows        metric    order     run                     seconds  cpu s  peak RSS MB  score              ratio to reference   load (1 min)',
    );
    for (const n of sizes) {
      for (const metric of ['macro_f1', 'rmse'] as const) {
        for (const shuffled of [false, true]) {
          const { truth, pred } = await makeFiles(dir, metric, n, shuffled);
          const ref = reference(metric, truth, pred);
          const runs: [string, RunResult][] = [['platform', platform(metric, truth, pred, 'stream', n, dir)]];
          if (n <= 1_000_000) runs.push(['in-memory', platform(metric, truth, pred, 'memory', n, dir)]);
          for (const [name, r] of runs) {
            const score = r.scores!.all;
            if (Math.abs(score - ref.score!) > 1e-9)
              throw new Error(`${metric} ${n}: platform ${score} vs reference ${ref.score}`);
            console.log(
              `${String(n).padEnd(11)} ${metric.padEnd(9)} ${(shuffled ? 'shuffled' : 'in order').padEnd(9)} ${`${name}${r.path && name === 'platform' ? ` (${r.path})` : ''}`.padEnd(23)} ${f(r.seconds).padStart(7)} ${f(r.cpuSeconds ?? NaN, 1).padStart(6)} ${f(r.maxRssMb, 0).padStart(12)}  ${score.toPrecision(12).padEnd(18)} ${f(r.seconds / ref.seconds)}x time, ${f(r.maxRssMb / ref.maxRssMb)}x RSS  ${f(loadavg()[0])}`,
            );
          }
          console.log(
            `${String(n).padEnd(11)} ${metric.padEnd(9)} ${(shuffled ? 'shuffled' : 'in order').padEnd(9)} ${'reference (pandas)'.padEnd(23)} ${f(ref.seconds).padStart(7)} ${''.padStart(6)} ${f(ref.maxRssMb, 0).padStart(12)}  ${ref.score!.toPrecision(12).padEnd(18)} ${''.padEnd(20)} ${f(loadavg()[0])}`,
          );
          await rm(truth, { force: true });
          await rm(pred, { force: true });
        }
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function latencyBench() {
  const n = Number(env.BENCH_LATENCY_N ?? 40);
  const base = loadConfig();
  const url = new URL(base.database.url);
  url.pathname = `${url.pathname}_bench_scoring_${process.pid}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'aihub-scoring-bench-data-'));
  const config = loadConfig({
    ...env,
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `bench-scoring-${process.pid}`,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'warn',
    OUTBOX_POLL_INTERVAL_MS: '50',
  });
  await ensureDatabase(config.database.adminUrl, config.database.url);
  await runMigrations(config.database);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: false,
    bodyParser: false,
  });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  const origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
  try {
    const ds = app.get<DataSource>(getDataSourceToken());
    const org = await ds.getRepository(OrganizationEntity).save({
      name: '基准测试公司',
      type: 'enterprise',
      creditCode: withCreditCodeCheck('91440300000000001'),
    });
    const gov = await ds
      .getRepository(OrganizationEntity)
      .save({ name: '基准测试局', type: 'government', creditCode: withCreditCodeCheck('11440300000000001') });
    const password = 'Bench-pass-2026';
    await ds.getRepository(UserEntity).save({
      email: 'bench@bench.aihub',
      displayName: 'bench',
      organizationId: org.id,
      roles: ['enterprise'],
      passwordHash: await app.get(PasswordHasher).hash(password),
      active: true,
    });
    const batch = await ds
      .getRepository(BatchEntity)
      .save({ number: 9001, title: 'bench', status: 'published' } as never);
    const now = Date.now();
    const scenario = await ds.getRepository(ScenarioEntity).save({
      title: '基准',
      summary: 's',
      description: 'd',
      domain: 'government_services',
      techField: 'text_processing',
      layer: 'government',
      awardMode: 'single',
      maxAwardees: 1,
      applicationOpensAt: new Date(now - 86_400_000),
      applicationClosesAt: new Date(now - 3600_000),
      sandboxDays: 90,
      status: 'awarded',
      issuerOrgId: gov.id,
      batchId: (batch as unknown as { id: string }).id,
    } as never);
    const scenarioId = (scenario as unknown as { id: string }).id;
    await ds.getRepository(ApplicationEntity).save({
      scenarioId,
      applicantOrgId: org.id,
      issuerOrgId: gov.id,
      batchId: (batch as unknown as { id: string }).id,
      proposal: 'p',
      status: 'selected',
    } as never);
    const rows = 10_000;
    const ids = Array.from({ length: rows }, (_, i) => `T${i}`);
    const labels = ids.map((_, i) => CLASSES[i % 8]);
    const truthCsv = 'id,label\n' + ids.map((id, i) => `${id},${labels[i]}`).join('\n') + '\n';
    const stored = await app
      .get<ObjectStorage>(OBJECT_STORAGE)
      .put(
        Bucket.GroundTruth,
        `bench/${scenarioId}`,
        (await import('node:stream')).Readable.from([truthCsv]),
      );
    await ds.getRepository(EvaluationSpecEntity).save({
      scenarioId,
      idColumn: 'id',
      targetColumn: 'label',
      groundTruthKey: stored.key,
      groundTruthSha256: stored.sha256,
      groundTruthSizeBytes: stored.sizeBytes,
      groundTruthRows: rows,
      groundTruthUploadedAt: new Date(),
      truthLabels: CLASSES,
    });
    const phase = await ds.getRepository(EvaluationPhaseEntity).save({
      scenarioId,
      name: 'bench',
      startsAt: new Date(now - 3600_000),
      endsAt: new Date(now + 86_400_000),
      mode: 'predictions',
      metric: 'macro_f1',
      metricParams: null,
      dailyLimit: 1000,
      totalLimit: null,
      maxFileMb: 10,
      publicFraction: 0.3,
      open: false,
      splitSecret: 'cd'.repeat(32),
    } as never);
    const login = await fetch(`${origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@bench.aihub', password }),
    });
    const token = ((await login.json()) as { accessToken: string }).accessToken;
    const auth = { Authorization: `Bearer ${token}` };
    const times: number[] = [];
    for (let k = 0; k < n + 3; k++) {
      const predCsv =
        'id,label\n' +
        ids.map((id, i) => `${id},${(i + k) % 7 === 0 ? CLASSES[(i + 1) % 8] : labels[i]}`).join('\n') +
        '\n';
      const form = new FormData();
      form.append('file', new Blob([predCsv], { type: 'text/csv' }), 'predictions.csv');
      const start = performance.now();
      const res = await fetch(`${origin}/phases/${(phase as unknown as { id: string }).id}/submissions`, {
        method: 'POST',
        headers: auth,
        body: form,
      });
      if (res.status !== 202) throw new Error(`submit: ${res.status} ${await res.text()}`);
      const { id } = (await res.json()) as { id: string };
      for (;;) {
        const s = (await (await fetch(`${origin}/submissions/${id}`, { headers: auth })).json()) as {
          status: string;
        };
        if (s.status === 'scored') break;
        if (s.status === 'failed') throw new Error(`failed: ${JSON.stringify(s)}`);
        await sleep(5);
      }
      if (k >= 3) times.push(performance.now() - start); // the first three warm the caches and connections
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
    console.log(
      `\nsubmission → scored, 10k-row macro_f1 files through api + outbox + BullMQ + worker (n=${times.length}): p50 ${f(pct(50), 0)} ms, p95 ${f(pct(95), 0)} ms, max ${f(times[times.length - 1], 0)} ms (target p50 < 300 ms)`,
    );
    // where the time goes: commit → relay → worker start → scored (database timestamps)
    const [b]: Record<string, string>[] = await ds.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM o.dispatched_at - s.created_at) * 1000) AS relay_ms,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM s.scored_at - o.dispatched_at) * 1000) AS queue_and_scoring_ms
         FROM submissions s JOIN outbox o ON o.job_id = 'scoring.submission/' || s.id::text`,
    );
    console.log(
      `  medians: created → enqueued by the relay ${f(Number(b.relay_ms), 0)} ms; enqueued → scored (BullMQ pickup + scoring + commit) ${f(Number(b.queue_and_scoring_ms), 0)} ms; the rest is upload, HTTP and polling`,
    );
  } finally {
    await worker.close();
    await app.close();
    await dropDatabase(config.database.adminUrl, parseDatabaseUrl(config.database.url).database);
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  if (!env.BENCH_SKIP_FILES) await fileBench();
  if (!env.BENCH_SKIP_LATENCY) await latencyBench();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
