import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuditEventEntity } from '@aihub/audit';
import { SubmissionEntity } from '@aihub/evaluation';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { type Cast, createCast } from '../scenarios/lifecycle-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { awardedScenario, labelPredictions, labelTruth, phaseBody, waitFor } from './evaluation-fixtures';

const WORKER_MAIN = join(__dirname, '../../dist/apps/worker/src/main.js');
/** large enough that scoring takes seconds on this machine, so the kill lands mid-scoring */
const ROWS = 1_200_000;

class WorkerProcess {
  private readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.child.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => resolve({ code, signal })),
    );
  }

  kill(signal: NodeJS.Signals) {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  ready(deadlineMs: number) {
    return waitFor(
      async () => (/"msg":"worker ready"/.test(this.output) ? true : undefined),
      deadlineMs,
      `worker ready\n${this.output.slice(-2000)}`,
    );
  }
}

describe('scoring worker killed mid-scoring (real compiled worker) → exactly one score', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp;
  let cast: Cast;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: run "npm run build" before this test`);
    isolated = await createIsolatedEnvironment('evaluation_crash', {
      QUEUE_LOCK_DURATION_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
    });
    t = await createTestApp({ env: { ...isolated.env, LOG_LEVEL: 'error' } });
    cast = await createCast(t);
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await t?.close();
    await isolated?.dispose();
  });

  it('records one score after SIGKILL of the worker that was scoring', async () => {
    const scenario = await awardedScenario(t, cast, cast.ent1);
    const put = await t.http
      .put(`/api/v1/scenarios/${scenario.id}/evaluation`)
      .set(cast.operator.auth)
      .send({ targetColumn: 'label', phases: [phaseBody({ maxFileMb: 200 })] })
      .expect(200);
    const phaseId = put.body.phases[0].id as string;
    const truth = labelTruth(ROWS);
    await t.http
      .post(`/api/v1/scenarios/${scenario.id}/evaluation/ground-truth`)
      .set(cast.operator.auth)
      .attach('file', Buffer.from(truth.csv), 'truth.csv')
      .expect(201);

    const first = new WorkerProcess(isolated.env);
    workers.push(first);
    await first.ready(30_000);
    const res = await t.http
      .post(`/api/v1/phases/${phaseId}/submissions`)
      .set(cast.ent1.auth)
      .attach('file', Buffer.from(labelPredictions(truth, 9).csv), 'predictions.csv')
      .expect(202);
    const id = res.body.id as string;
    const repo = t.dataSource.getRepository(SubmissionEntity);

    await waitFor(
      async () => ((await repo.findOneByOrFail({ id })).status === 'scoring' ? true : undefined),
      30_000,
      'scoring to start',
    );
    first.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    const killed = await repo.findOneByOrFail({ id });
    expect(killed).toMatchObject({ status: 'scoring', publicScore: null, attempts: 1 });

    const second = new WorkerProcess(isolated.env);
    workers.push(second);
    const done = await waitFor(
      async () => {
        const row = await repo.findOneByOrFail({ id });
        return row.status === 'scored' || row.status === 'failed' ? row : undefined;
      },
      90_000,
      'the submission to be scored by the second worker',
    );
    expect(done.status).toBe('scored');
    expect(done.publicScore).toEqual(expect.any(Number));
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const claims: unknown[] = await t.dataSource.query(
      'SELECT job_key FROM processed_jobs WHERE job_key = $1',
      [`scoring.submission:${id}`],
    );
    expect(claims).toHaveLength(1);
    const scoredEvents = await t.dataSource
      .getRepository(AuditEventEntity)
      .countBy({ objectId: id, action: 'submission.scored' });
    expect(scoredEvents).toBe(1);
  }, 240_000);
});
