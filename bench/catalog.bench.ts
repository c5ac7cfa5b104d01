/**
 * The public scenario catalog under load: list and `q` search against 10,000 seeded scenarios, beside a
 * bare NestJS endpoint served by the same process in the same run (the reference).
 *
 *   npm run bench:catalog                                  # 10,000 scenarios, 1,000 req/s, 30 s per target
 *   BENCH_DURATION_S=5 npm run bench:catalog               # quick run
 *   BENCH_RATE=500 BENCH_SCENARIOS=2000 BENCH_CONNECTIONS=50 BENCH_SEED=7 npm run bench:catalog
 *   BENCH_KEEP_DB=1 ...                                    # keep the seeded database to inspect plans
 *
 * Creates its own database (dropped at the end), Redis prefix and data folder; seeds scenarios with
 * generated Chinese titles and summaries (deterministic by BENCH_SEED); boots the real api exactly as
 * main.ts does (AppModule + configureApp) on a free port, and a bare Nest app with one `GET /ping` on
 * another. Load comes from autocannon in a worker thread (BENCH_CONNECTIONS keep-alive connections, each
 * cycling through a list of paths); every response time is recorded, and p50/p95/p99 and the achieved
 * rate are printed side by side. Exit code 1 if a target answered non-2xx or errors.
 *
 * Reading the figures: autocannon's rate limit (`overallRate`) is a per-second budget per connection,
 * so each second starts with up to BENCH_CONNECTIONS requests in flight at once, and a server slower
 * than the target rate is simply driven closed-loop at its capacity. Latencies therefore include that
 * queueing (about connections / capacity when saturated), and an achieved req/s below BENCH_RATE means
 * the target saturated. The bare endpoint shows what the machine, Node, Nest and the generator cost alone.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import {
  dropDatabase,
  ensureDatabase,
  loadConfig,
  parseDatabaseUrl,
  runMigrations,
  type AppConfig,
} from '@aihub/core';
import { OrganizationEntity, withCreditCodeCheck } from '@aihub/identity';
import {
  BatchEntity,
  DOMAINS,
  ScenarioEntity,
  TECH_FIELDS,
  type Domain,
  type Layer,
  type ScenarioState,
  type TechField,
} from '@aihub/scenarios';
import { AppModule } from '../apps/api/src/app.module';
import { configureApp } from '../apps/api/src/configure-app';
import type { LoadResult, LoadSpec } from './catalog-load.worker';

const intEnv = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}`);
  return value;
};

const SCENARIOS = intEnv('BENCH_SCENARIOS', 10_000);
const RATE = intEnv('BENCH_RATE', 1_000);
const DURATION_S = intEnv('BENCH_DURATION_S', 30);
const WARMUP_S = intEnv('BENCH_WARMUP_S', Math.min(5, DURATION_S), 0);
const CONNECTIONS = intEnv('BENCH_CONNECTIONS', 50);
const SEED = intEnv('BENCH_SEED', 20_260_101, 0);

// ---------------------------------------------------------------------------------------------- data

/** mulberry32: small, fast, deterministic */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PLACES = [
  '福田区',
  '沙头街道',
  '南园街道',
  '园岭街道',
  '福田街道',
  '华富街道',
  '香蜜湖街道',
  '梅林街道',
  '莲花街道',
  '华强北街道',
  '福保街道',
  '车公庙片区',
  '中心区',
  '河套合作区',
  '上步片区',
  '景田片区',
];

const SUBJECTS: Record<Domain, string[]> = {
  city_appearance: ['占道经营', '垃圾满溢', '违规广告招牌', '共享单车堆积', '河道漂浮物', '建筑垃圾偷倒'],
  government_services: ['12345热线工单', '政务服务事项', '企业开办材料', '不动产登记', '社保业务咨询'],
  elderly_care: ['老人跌倒', '独居老人用水用电', '长者食堂', '居家养老服务', '养老机构护理'],
  public_safety: ['电动自行车进楼', '消防通道占用', '人群异常聚集', '电信诈骗', '高空抛物'],
  health: ['发热门诊就诊量', '慢病随访', '处方合理性', '居民健康档案', '肺结节影像'],
  epidemic_prevention: ['传染病早期预警', '流调信息', '重点场所消杀', '疫苗接种'],
  transport: ['路口信号配时', '校园周边交通', '停车泊位', '公交客流'],
  education: ['学位供需', '校园安全', '课后服务'],
  emergency: ['内涝积水', '燃气泄漏', '危化品运输'],
  economy: ['产业链企业', '惠企政策', '商圈客流'],
};

const ACTIONS: Record<TechField, string[]> = {
  video_recognition: ['视频识别', '智能识别', '图像分析'],
  big_data_analytics: ['风险预测', '趋势分析', '需求预测', '智能预警'],
  knowledge_graph: ['知识图谱构建', '关系图谱分析'],
  text_processing: ['工单智能分类', '文本要素抽取', '智能摘要'],
  speech_processing: ['语音转写', '语音质检', '智能外呼'],
};

const GOALS = ['缩短处置时间', '提升识别准确率', '降低人工工作量', '提前发现风险', '优化资源调度'];
const LAYERS: Layer[] = ['economy', 'livelihood', 'government'];

/** public states mostly, plus some drafts the public must never see (the filter is part of the load) */
const STATUS_WEIGHTS: [ScenarioState, number][] = [
  ['published', 50],
  ['closed', 20],
  ['awarding', 5],
  ['awarded', 10],
  ['evaluating', 3],
  ['concluded', 2],
  ['draft', 6],
  ['submitted', 3],
  ['withdrawn', 1],
];

const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
function weighted<T>(rand: () => number, table: [T, number][]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [value, w] of table) if ((r -= w) < 0) return value;
  return table[table.length - 1][0];
}

async function seed(dataSource: DataSource): Promise<{ batchIds: string[] }> {
  const rand = prng(SEED);
  const org = await dataSource.getRepository(OrganizationEntity).save({
    name: '福田区政务服务数据管理局（压测）',
    type: 'government',
    creditCode: withCreditCodeCheck('11440304MB2F13579'),
  });
  const batchRepo = dataSource.getRepository(BatchEntity);
  const start = Date.now() - 400 * 86_400_000;
  const batches: BatchEntity[] = [];
  for (let n = 1; n <= 20; n++) {
    batches.push(
      await batchRepo.save({
        number: n,
        title: `第${n}期需求清单`,
        status: 'published',
        publishedAt: new Date(start + n * 20 * 86_400_000),
      }),
    );
  }
  const domains = Object.keys(DOMAINS) as Domain[];
  const techFields = Object.keys(TECH_FIELDS) as TechField[];
  const repo = dataSource.getRepository(ScenarioEntity);
  const chunk: Partial<ScenarioEntity>[] = [];
  for (let i = 0; i < SCENARIOS; i++) {
    const domain = pick(rand, domains);
    const techField = pick(rand, techFields);
    const place = pick(rand, PLACES);
    const subject = pick(rand, SUBJECTS[domain]);
    const action = pick(rand, ACTIONS[techField]);
    const status = weighted(rand, STATUS_WEIGHTS);
    const isPublic = !['draft', 'submitted', 'withdrawn'].includes(status);
    const createdAt = new Date(start + Math.floor((i / SCENARIOS) * 395 * 86_400_000) + i);
    const opensAt = new Date(createdAt.getTime() + 7 * 86_400_000);
    const points = 50 + Math.floor(rand() * 3000);
    const records = 10 + Math.floor(rand() * 500);
    const target = 80 + Math.floor(rand() * 18);
    chunk.push({
      title: `${place}${subject}${action}`,
      summary: `面向${place}的${subject}场景，利用${TECH_FIELDS[techField]}技术${pick(rand, GOALS)}，覆盖约 ${points} 个点位。`,
      description:
        `基于近三年约 ${records} 万条${subject}相关记录，在沙箱中完成模型训练与评测。` +
        `目标准确率不低于 ${target}%，试点三个月内形成可推广的方案。`,
      domain,
      techField,
      layer: pick(rand, LAYERS),
      awardMode: 'single',
      maxAwardees: 1,
      applicationOpensAt: opensAt,
      applicationClosesAt: new Date(opensAt.getTime() + 30 * 86_400_000),
      sandboxDays: 90,
      datasetIds: [],
      status,
      issuerOrgId: org.id,
      batchId: isPublic ? batches[Math.min(19, Math.floor((i / SCENARIOS) * 20))].id : null,
      publishedAt: isPublic ? opensAt : null,
      createdAt,
    });
    if (chunk.length === 1000 || i === SCENARIOS - 1) {
      await repo.insert(chunk.splice(0));
    }
  }
  await dataSource.query('ANALYZE scenarios');
  return { batchIds: batches.map((b) => b.id) };
}

// ----------------------------------------------------------------------------------------- servers

@Controller()
class PingController {
  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}
@Module({ controllers: [PingController] })
class BareModule {}

const originOf = (app: NestExpressApplication) =>
  `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

function load(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'catalog-load.worker.js'), { workerData: spec });
    worker.once('message', (m: { ok: true; result: LoadResult } | { ok: false; error: string }) =>
      m.ok ? resolve(m.result) : reject(new Error(m.error)),
    );
    worker.once('error', reject);
  });
}

function printTable(rows: LoadResult[], reference: LoadResult): void {
  const header = [
    'target',
    'req/s',
    'requests',
    'KiB/resp',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'max ms',
    'p99 vs bare',
    'non-2xx',
    'errors',
  ];
  const lines = rows.map((r) => [
    r.label,
    r.achievedRps.toFixed(0),
    String(r.requests),
    (r.meanBytes / 1024).toFixed(1),
    r.p50.toFixed(1),
    r.p95.toFixed(1),
    r.p99.toFixed(1),
    r.max.toFixed(1),
    `${(r.p99 / reference.p99).toFixed(1)}x`,
    String(r.non2xx),
    String(r.errors + r.timeouts),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function assertServes(origin: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const res = await fetch(origin + path);
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  }
}

async function removeRedisKeys(config: AppConfig): Promise<void> {
  const redis = new Redis(config.redis.url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const base = loadConfig();
  const dbUrl = new URL(base.database.url);
  dbUrl.pathname = `/aihub_bench_catalog_${runId}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'aihub-bench-catalog-'));
  const config: AppConfig = loadConfig({
    ...process.env,
    DATABASE_URL: dbUrl.toString(),
    REDIS_PREFIX: `aihub_bench_catalog_${runId}`,
    S3_BUCKET_PREFIX: `bench-catalog-${runId.replace(/_/g, '-')}`.toLowerCase(),
    DATA_DIR: dataDir,
    DEMO: 'false',
    // request logging at info would measure the terminal, not the api
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  });
  console.log(
    `catalog bench: ${SCENARIOS} scenarios, ${RATE} req/s for ${DURATION_S} s per target ` +
      `(+${WARMUP_S} s warm-up), ${CONNECTIONS} connections, seed ${SEED}`,
  );
  await ensureDatabase(config.database.adminUrl, config.database.url);
  let api: NestExpressApplication | undefined;
  let bare: NestExpressApplication | undefined;
  let failed: boolean;
  try {
    await runMigrations(config.database);
    api = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
      bufferLogs: true,
      bodyParser: false,
    });
    configureApp(api, config);
    await api.listen(0, '127.0.0.1');
    bare = await NestFactory.create<NestExpressApplication>(BareModule, { logger: false });
    await bare.listen(0, '127.0.0.1');

    const t0 = Date.now();
    const { batchIds } = await seed(api.get<DataSource>(getDataSourceToken()));
    console.log(`seeded ${SCENARIOS} scenarios in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const apiOrigin = originOf(api);
    const list = '/api/v1/scenarios?limit=20';
    const first = (await (await fetch(apiOrigin + list)).json()) as { nextCursor: string | null };
    const listPaths = [
      list,
      `${list}&domain=city_appearance`,
      `${list}&techField=video_recognition`,
      `${list}&status=published`,
      `${list}&batchId=${batchIds[7]}`,
      `${list}&domain=health&techField=big_data_analytics`,
      ...(first.nextCursor ? [`${list}&cursor=${encodeURIComponent(first.nextCursor)}`] : []),
    ];
    const searchPaths = [
      '跌倒',
      '热线工单',
      '占道经营',
      '学位供需',
      '视频识别',
      '沙头街道',
      '智能外呼',
      '燃气泄漏',
    ].map((q) => `${list}&q=${encodeURIComponent(q)}`);
    const barePaths = ['/ping'];
    await assertServes(apiOrigin, [...listPaths, ...searchPaths]);
    await assertServes(originOf(bare), barePaths);

    const targets: Omit<LoadSpec, 'rate' | 'durationSeconds' | 'connections'>[] = [
      { label: 'bare NestJS GET /ping', origin: originOf(bare), paths: barePaths },
      { label: 'catalog list', origin: apiOrigin, paths: listPaths },
      { label: 'catalog search (q)', origin: apiOrigin, paths: searchPaths },
    ];
    if (WARMUP_S > 0) {
      for (const target of targets)
        await load({ ...target, rate: RATE, durationSeconds: WARMUP_S, connections: CONNECTIONS });
    }
    const results: LoadResult[] = [];
    for (const target of targets) {
      const result = await load({
        ...target,
        rate: RATE,
        durationSeconds: DURATION_S,
        connections: CONNECTIONS,
      });
      console.log(`  ${result.label}: done`);
      results.push(result);
    }
    console.log('');
    printTable(results, results[0]);
    failed = results.some((r) => r.non2xx > 0 || r.errors > 0 || r.timeouts > 0);
  } finally {
    // let requests still in flight when the load stopped finish before the pool closes
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await api?.close();
    await bare?.close();
    if (process.env.BENCH_KEEP_DB) console.log(`kept database ${config.database.url}`);
    else await dropDatabase(config.database.adminUrl, parseDatabaseUrl(config.database.url).database);
    await rm(dataDir, { recursive: true, force: true });
    await removeRedisKeys(config);
  }
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
