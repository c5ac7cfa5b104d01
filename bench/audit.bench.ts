/**
 * The audit ledger under load, in a database of its own (created here, dropped at the end).
 *
 *   npm run bench:audit                                   # 1,000,000 entries
 *   BENCH_AUDIT_ENTRIES=200000 BENCH_AUDIT_APPEND_SECONDS=5 npm run bench:audit
 *
 * (1) appends/s with 16 concurrent writers into audit_events (its triggers in place, the worker's sequencer
 *     running in a process of its own, as in a deployment: bench/audit-sequencer.child.ts) beside plain INSERTs of the same rows into an unaudited copy of the table (same columns and
 *     indexes, no triggers) — once as single INSERT statements, once as business code writes them
 *     (AuditService.record inside a transaction); plus how long events wait for their index;
 * (2) the ledger filled to N entries and sequenced (events/s);
 * (3) inclusion and consistency proof latency over HTTP at N entries, p50/p99, and proof sizes;
 * (4) full verification (POST /audit/verify's work) of N entries.
 * Prints a table with the targets; exit code 1 when a target is missed.
 */
import 'reflect-metadata';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  AuditModule,
  AuditSequencer,
  AuditSequencerRunner,
  AuditSequencerWorkerModule,
  AuditService,
  AuditVerifier,
  canonicalJson,
  verifyConsistency,
  verifyInclusion,
} from '@aihub/audit';
import {
  ConfigModule,
  createValidationPipe,
  DatabaseModule,
  dropDatabase,
  ensureDatabase,
  loadConfig,
  parseDatabaseUrl,
  runMigrations,
  TimeModule,
} from '@aihub/core';

const WRITERS = 16;
const TARGET_APPENDS_PER_SECOND = 5_000;
const TARGET_RATIO = 0.5;
const TARGET_VERIFY_SECONDS = 3;
const TARGET_PROOF_BYTES = 1024;
const PROOF_SAMPLES = 2_000;

interface Row {
  figure: string;
  value: string;
  target: string;
  pass?: boolean;
}

const ACTIONS = ['auth.login', 'dataset.mount', 'grant.approve', 'export.decision', 'user.roles.change'];

/** The same rows for every variant: deterministic templates, cycled. */
const templates = Array.from({ length: 1_000 }, (_, i) => [
  `${randomBytes(4).toString('hex')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
  ACTIONS[i % ACTIONS.length],
  'Dataset',
  `ds-${i}`,
  i % 17 === 0 ? 'denied' : 'success',
  `10.0.${i % 256}.${i % 200}`,
  canonicalJson({ i, rows: i * 7, ratio: i / 7, note: `数据集版本 ${i}` }),
]);

/** the row as AuditService.record writes it: details as canonical text and as the same jsonb */
const INSERT = (table: string) =>
  `INSERT INTO ${table} (actor_id, action, object_type, object_id, outcome, ip, details, details_jcs)
   VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $7::text)`;

async function appendFor(seconds: number, append: (row: unknown[]) => Promise<unknown>): Promise<number> {
  let count = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      for (let i = w; performance.now() < until; i += WRITERS) {
        await append(templates[i % templates.length]);
        count++;
      }
    }),
  );
  return count / seconds;
}

/** The worker's sequencer in a child process with this process's configuration; resolves once it runs. */
function startSequencerProcess(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'audit-sequencer.child.js'), [], {
      env: process.env,
      stdio: 'inherit',
    });
    child.once('message', (m) => (m === 'ready' ? resolve(child) : reject(new Error(String(m)))));
    child.once('exit', (code) => reject(new Error(`the sequencer process exited with ${code}`)));
  });
}

function stopSequencerProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timed<T>(run: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const startedAt = performance.now();
  const result = await run();
  return { seconds: (performance.now() - startedAt) / 1000, result };
}

function printTable(rows: Row[]): void {
  const header = ['figure', 'value', 'target', 'result'];
  const cells = rows.map((r) => [
    r.figure,
    r.value,
    r.target,
    r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const format = (c: string[]) =>
    c.map((v, i) => (i === 1 ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(format(c));
}

async function main(): Promise<void> {
  const entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000);
  const appendSeconds = Number(process.env.BENCH_AUDIT_APPEND_SECONDS ?? 8);
  if (!Number.isInteger(entries) || entries < 1_000) throw new Error('BENCH_AUDIT_ENTRIES must be >= 1000');
  const workDir = await mkdtemp(join(tmpdir(), 'aihub-bench-audit-'));

  // a database, data folder (dev signing key) and config of its own
  const base = loadConfig();
  const dbUrl = new URL(base.database.url);
  dbUrl.pathname = `/aihub_bench_audit_${Date.now().toString(36)}_${process.pid}`;
  Object.assign(process.env, {
    NODE_ENV: 'development',
    DATA_DIR: join(workDir, 'data'),
    DATABASE_URL: dbUrl.toString(),
    DATABASE_POOL_SIZE: String(WRITERS + 8),
    LOG_LEVEL: 'warn',
  });
  const config = loadConfig();
  const database = parseDatabaseUrl(config.database.url).database;
  await ensureDatabase(config.database.adminUrl, config.database.url);
  let app: NestExpressApplication | undefined;
  try {
    await runMigrations(config.database);

    @Module({
      imports: [
        ConfigModule.forRoot(config),
        TimeModule,
        DatabaseModule,
        AuditModule,
        AuditSequencerWorkerModule,
      ],
    })
    class AuditBenchModule {}
    app = await NestFactory.create<NestExpressApplication>(AuditBenchModule, { logger: ['error', 'warn'] });
    app.setGlobalPrefix('api/v1');
    app.useGlobalPipes(createValidationPipe());
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/v1`;
    const ds = app.get<DataSource>(getDataSourceToken());
    const sequencer = app.get(AuditSequencer);
    const runner = app.get(AuditSequencerRunner);
    const audit = app.get(AuditService);
    const rows: Row[] = [];
    console.log(
      `audit bench: database ${database}, ${entries} entries, ${WRITERS} writers, node ${process.version}`,
    );

    // ---------------------------------------------------------------------------------- (1) appends
    await ds.query(`CREATE SEQUENCE bench_plain_seq`);
    await ds.query(
      `CREATE TABLE bench_plain_events (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`,
    );
    await ds.query(`ALTER TABLE bench_plain_events ALTER seq SET DEFAULT nextval('bench_plain_seq')`);
    await appendFor(1, (r) => ds.query(INSERT('bench_plain_events'), r)); // warm-up
    await appendFor(1, (r) => ds.query(INSERT('audit_events'), r));
    const [{ seq: firstSeq }] = await ds.query(`SELECT COALESCE(max(seq), 0)::text AS seq FROM audit_events`);

    // the sequencer runs where it runs in a deployment: in another process (the worker), not in the writers'
    await runner.stop();
    const worker = await startSequencerProcess();
    console.log(`(1) appending for ${appendSeconds} s per variant (sequencer in process ${worker.pid}) ...`);
    const plain = await appendFor(appendSeconds, (r) => ds.query(INSERT('bench_plain_events'), r));
    const audited = await appendFor(appendSeconds, (r) => ds.query(INSERT('audit_events'), r));
    const plainTx = await appendFor(appendSeconds, (r) =>
      ds.transaction((m) => m.query(INSERT('bench_plain_events'), r)),
    );
    const auditedTx = await appendFor(appendSeconds, (r) =>
      ds.transaction((m) =>
        audit.record(m, {
          actorId: r[0] as string,
          action: r[1] as string,
          objectType: r[2] as string,
          objectId: r[3] as string,
          outcome: r[4] as 'success',
          ip: r[5] as string,
          details: JSON.parse(r[6] as string) as Record<string, unknown>,
        }),
      ),
    );
    await stopSequencerProcess(worker);
    await runner.start();
    await sequencer.sync(120_000);
    const [lag] = await ds.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM l.sequenced_at - e.at)) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM l.sequenced_at - e.at)) AS p99
         FROM audit_ledger_entries l JOIN audit_events e ON e.seq = l.event_seq WHERE e.seq > $1`,
      [firstSeq],
    );
    const ratio = audited / plain;
    const ratioTx = auditedTx / plainTx;
    rows.push(
      { figure: 'plain INSERT, unaudited table (appends/s)', value: plain.toFixed(0), target: 'reference' },
      {
        figure: 'INSERT into audit_events, sequencer running (appends/s)',
        value: audited.toFixed(0),
        target: `>= ${TARGET_APPENDS_PER_SECOND}`,
        pass: audited >= TARGET_APPENDS_PER_SECOND,
      },
      {
        figure: 'ratio audited / plain',
        value: ratio.toFixed(2),
        target: `>= ${TARGET_RATIO}`,
        pass: ratio >= TARGET_RATIO,
      },
      { figure: 'plain INSERT in a transaction (appends/s)', value: plainTx.toFixed(0), target: 'reference' },
      {
        figure: 'AuditService.record in a transaction (appends/s)',
        value: auditedTx.toFixed(0),
        target: `ratio ${ratioTx.toFixed(2)}`,
      },
      {
        figure: 'wait for the index, p50 / p99 (ms)',
        value: `${(Number(lag.p50) * 1000).toFixed(0)} / ${(Number(lag.p99) * 1000).toFixed(0)}`,
        target: '"usually within a second"',
        pass: Number(lag.p50) < 1,
      },
    );

    // ---------------------------------------------------------------------- (2) fill and sequence
    await runner.stop();
    const [{ n: have }] = await ds.query(`SELECT count(*)::int AS n FROM audit_events`);
    console.log(`(2) filling the ledger to ${entries} events (${have} so far) ...`);
    for (let from = have + 1; from <= entries; from += 100_000) {
      const to = Math.min(entries, from + 99_999);
      // details as AuditService.record writes them: canonical text (float8 prints as ECMAScript numbers do
      // for these values) and the same JSON in the jsonb column
      await ds.query(
        `INSERT INTO audit_events (actor_id, actor_org_id, action, object_type, object_id, outcome, ip, request_id,
                                   details, details_jcs)
         SELECT md5(g::text)::uuid, md5((g % 97)::text)::uuid,
                ($3::text[])[1 + g % 5], 'Dataset', 'ds-' || (g % 5000),
                CASE WHEN g % 17 = 0 THEN 'denied' ELSE 'success' END,
                '10.0.' || (g % 256) || '.' || (g % 200), md5(g::text), d::jsonb, d
           FROM (SELECT g, '{"i":' || g || ',"note":' || to_json('数据集版本 ' || g)::text
                           || ',"ratio":' || ((g % 1000) / 7.0)::float8::text || ',"rows":' || g * 7 || '}' AS d
                   FROM generate_series($1::int, $2::int) g) s`,
        [from, to, ACTIONS],
      );
    }
    await ds.query('VACUUM ANALYZE audit_events');
    const sequencing = await timed(() => sequencer.sequencePending());
    const checkpoint = await sequencer.sync(120_000);
    await ds.query('VACUUM ANALYZE audit_ledger_entries');
    await ds.query('VACUUM ANALYZE audit_tree_nodes');
    const n = checkpoint.treeSize;
    const root = checkpoint.rootHash;
    rows.push({
      figure: `sequencing a backlog (events/s, ${sequencing.result.sequenced} events)`,
      value: (sequencing.result.sequenced / sequencing.seconds).toFixed(0),
      target: '—',
    });

    // ------------------------------------------------------------------------------- (3) proofs
    console.log(`(3) ${PROOF_SAMPLES} inclusion and ${PROOF_SAMPLES} consistency proofs at ${n} entries ...`);
    const inclusionMs: number[] = [];
    const consistencyMs: number[] = [];
    let inclusionRaw = 0;
    let inclusionJson = 0;
    let consistencyRaw = 0;
    let consistencyJson = 0;
    let allVerify = true;
    const [{ h: someLeaf }] = await ds.query(
      'SELECT leaf_hash AS h FROM audit_ledger_entries WHERE leaf_index = 0',
    );
    for (let k = 0; k < 20; k++) await fetch(`${baseUrl}/audit/proofs/inclusion?index=${k}&treeSize=${n}`); // warm-up
    for (let k = 0; k < PROOF_SAMPLES; k++) {
      const index = k === 0 ? 0 : randomInt(0, n);
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/audit/proofs/inclusion?index=${index}&treeSize=${n}`);
      const text = await res.text();
      inclusionMs.push(performance.now() - t0);
      const body = JSON.parse(text) as { leafHash: string; proof: string[] };
      const proof = body.proof.map((h) => Buffer.from(h, 'hex'));
      inclusionRaw = Math.max(inclusionRaw, proof.length * 32);
      inclusionJson = Math.max(inclusionJson, Buffer.byteLength(text));
      allVerify &&= verifyInclusion(index, n, Buffer.from(body.leafHash, 'hex'), proof, root);
      if (k === 0) allVerify &&= Buffer.from(body.leafHash, 'hex').equals(someLeaf);

      const from = randomInt(1, n);
      const c0 = performance.now();
      const cres = await fetch(`${baseUrl}/audit/proofs/consistency?from=${from}&to=${n}`);
      const ctext = await cres.text();
      consistencyMs.push(performance.now() - c0);
      const cproof = (JSON.parse(ctext) as { proof: string[] }).proof.map((h) => Buffer.from(h, 'hex'));
      consistencyRaw = Math.max(consistencyRaw, cproof.length * 32);
      consistencyJson = Math.max(consistencyJson, Buffer.byteLength(ctext));
    }
    // consistency proofs verified against the checkpoint roots that exist (signed while sequencing)
    const cps = (await ds.query(
      `SELECT tree_size::int AS s, root_hash AS r FROM audit_checkpoints ORDER BY tree_size`,
    )) as {
      s: number;
      r: Buffer;
    }[];
    for (const cp of cps.slice(0, -1)) {
      const res = (await (
        await fetch(`${baseUrl}/audit/proofs/consistency?from=${cp.s}&to=${n}`)
      ).json()) as {
        proof: string[];
      };
      allVerify &&= verifyConsistency(
        cp.s,
        n,
        cp.r,
        root,
        res.proof.map((h) => Buffer.from(h, 'hex')),
      );
    }
    inclusionMs.sort((a, b) => a - b);
    consistencyMs.sort((a, b) => a - b);
    rows.push(
      {
        figure: `inclusion proof over HTTP, p50 / p99 (ms)`,
        value: `${percentile(inclusionMs, 0.5).toFixed(2)} / ${percentile(inclusionMs, 0.99).toFixed(2)}`,
        target: '—',
      },
      {
        figure: `consistency proof over HTTP, p50 / p99 (ms)`,
        value: `${percentile(consistencyMs, 0.5).toFixed(2)} / ${percentile(consistencyMs, 0.99).toFixed(2)}`,
        target: '—',
      },
      {
        figure: 'largest inclusion proof: hashes / JSON response (bytes)',
        value: `${inclusionRaw} / ${inclusionJson}`,
        target: `<= ${TARGET_PROOF_BYTES} (hashes)`,
        pass: inclusionRaw <= TARGET_PROOF_BYTES,
      },
      {
        figure: 'largest consistency proof: hashes / JSON response (bytes)',
        value: `${consistencyRaw} / ${consistencyJson}`,
        target: `<= ${TARGET_PROOF_BYTES} (hashes)`,
        pass: consistencyRaw <= TARGET_PROOF_BYTES,
      },
      {
        figure: `every sampled proof verifies (and ${cps.length - 1} checkpoint consistency proofs)`,
        value: allVerify ? 'yes' : 'no',
        target: 'yes',
        pass: allVerify,
      },
    );

    // ----------------------------------------------------------------------------- (4) verification
    console.log(`(4) verifying ${n} entries ...`);
    const verifier = app.get(AuditVerifier);
    const runs = [await timed(() => verifier.verify()), await timed(() => verifier.verify())];
    for (const [k, run] of runs.entries()) {
      rows.push({
        figure: `full verification of ${run.result.treeSize} entries, run ${k + 1} (s)`,
        value: run.seconds.toFixed(2),
        target: `< ${TARGET_VERIFY_SECONDS}, ok`,
        pass: run.seconds < TARGET_VERIFY_SECONDS && run.result.ok && run.result.treeSize === n,
      });
    }

    console.log();
    printTable(rows);
    if (rows.some((r) => r.pass === false)) process.exitCode = 1;
  } finally {
    await app?.close();
    if (!process.env.KEEP) await dropDatabase(config.database.adminUrl, database);
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
