import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@aihub/core';
import { REDACTED_LINE } from '@aihub/evaluation/services/log-redaction';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { type Cast, createCast } from '../scenarios/lifecycle-fixtures';
import { createTestApp, type TestApp } from '../utils/test-app';
import { awardedScenario, phaseBody, settled } from './evaluation-fixtures';

/** A .tar.gz of the given files, made by the system tar (the archive format is not under test). */
function tarGz(files: Record<string, string>): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'aihub-eval-bundle-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    execFileSync('tar', ['czf', join(dir, 'bundle.tar.gz'), '-C', dir, ...Object.keys(files)]);
    return readFileSync(join(dir, 'bundle.tar.gz'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const IDS = ['Q1', 'Q2', 'Q3', 'Q4'];
const LABELS = ['城管', '交通', '城管', '环保'];
const SECRET_TEXT = 'hidden-complaint-text-7731';

const PREDICT = `
import csv
rows = list(csv.DictReader(open('/data/test/inputs.csv', encoding='utf-8')))
answers = {'Q1': '城管', 'Q2': '交通', 'Q3': '城管', 'Q4': '环保'}
with open('/output/predictions.csv', 'w', encoding='utf-8') as f:
    f.write('id,label\\n')
    for r in rows:
        f.write(r['id'] + ',' + answers[r['id']] + '\\n')
print('predicted', len(rows), 'rows')
`;

describe('code submissions through the sandbox runtime (bubblewrap)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp;
  let worker: INestApplicationContext;
  let cast: Cast;
  let phaseId: string;

  const submitCode = async (files: Record<string, string>) => {
    const res = await t.http
      .post(`/api/v1/phases/${phaseId}/submissions`)
      .set(cast.ent1.auth)
      .attach('file', tarGz(files), 'bundle.tar.gz');
    expect(res.status).toBe(202);
    return settled(t, cast.ent1, res.body.id, 60_000);
  };

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('evaluation_code');
    const env = { ...isolated.env, LOG_LEVEL: 'error' };
    t = await createTestApp({ env });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig(env)), {
      logger: false,
      abortOnError: false,
    });
    cast = await createCast(t);
    const scenario = await awardedScenario(t, cast, cast.ent1);
    const put = await t.http
      .put(`/api/v1/scenarios/${scenario.id}/evaluation`)
      .set(cast.operator.auth)
      .send({
        targetColumn: 'label',
        phases: [
          phaseBody({
            mode: 'code',
            metric: 'accuracy',
            publicFraction: 1,
            limits: { cpus: 1, memoryMb: 128, runTimeoutSeconds: 5 },
          }),
        ],
      })
      .expect(200);
    phaseId = put.body.phases[0].id;
    expect(put.body.phases[0]).toMatchObject({ mode: 'code', command: ['python3', 'main.py'] });
    await t.http
      .post(`/api/v1/scenarios/${scenario.id}/evaluation/ground-truth`)
      .set(cast.operator.auth)
      .attach(
        'file',
        Buffer.from('id,label\n' + IDS.map((id, i) => `${id},${LABELS[i]}`).join('\n') + '\n'),
        'truth.csv',
      )
      .expect(201);
    const inputs = tarGz({
      'inputs.csv': 'id,text\n' + IDS.map((id) => `${id},${SECRET_TEXT}-${id}`).join('\n') + '\n',
    });
    expect(
      (
        await t.http
          .post(`/api/v1/phases/${phaseId}/inputs`)
          .set(cast.ent1.auth)
          .attach('file', inputs, 'inputs.tar.gz')
      ).status,
    ).toBe(403);
    const notGzip = await t.http
      .post(`/api/v1/phases/${phaseId}/inputs`)
      .set(cast.operator.auth)
      .attach('file', Buffer.from('id\n'), 'x.csv');
    expect(notGzip.status).toBe(422);
    expect(notGzip.body.code).toBe('INPUTS_NOT_GZIP');
    await t.http
      .post(`/api/v1/phases/${phaseId}/inputs`)
      .set(cast.operator.auth)
      .attach('file', inputs, 'inputs.tar.gz')
      .expect(201);
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await isolated?.dispose();
  });

  it('runs the bundle against the hidden inputs and scores its predictions', async () => {
    const done = await submitCode({ 'main.py': PREDICT });
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'scored', publicScore: 1 });
  });

  it('timeout', async () => {
    const done = await submitCode({ 'main.py': 'import time\nprint("thinking")\ntime.sleep(60)\n' });
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('CODE_TIMEOUT');
    expect(done.error.detail).toMatch(/5 s/);
  });

  it('out of memory', async () => {
    const done = await submitCode({
      'main.py': 'x = bytearray(512 * 1024 * 1024)\nx[::4096] = b"1" * len(x[::4096])\n',
    });
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('CODE_OUT_OF_MEMORY');
  });

  it('crashed: exit code and the last log lines, hidden data redacted', async () => {
    const done = await submitCode({
      'main.py':
        "import sys\nprint('starting')\nprint(open('/data/test/inputs.csv').read().splitlines()[1])\nraise SystemExit(3)\n",
    });
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'CODE_CRASHED', exitCode: 3 });
    expect(done.error.logTail).toContain('starting');
    expect(done.error.logTail).toContain(REDACTED_LINE);
    expect(JSON.stringify(done.error)).not.toContain(SECRET_TEXT);
  });

  it('no predictions file', async () => {
    const done = await submitCode({ 'main.py': 'print("forgot to write")\n' });
    expect(done.error.code).toBe('CODE_NO_PREDICTIONS');
  });

  it("invalid predictions: the scorer's errors", async () => {
    const done = await submitCode({
      'main.py': "open('/output/predictions.csv','w').write('id,label\\nQ1,城管\\nQ1,城管\\n')\n",
    });
    expect(done.error.code).toBe('PREDICTIONS_INVALID');
    expect(done.error.issues.map((i: { reason: string }) => i.reason)).toEqual([
      'DUPLICATE_IDS',
      'MISSING_IDS',
    ]);
  });

  it('an unsafe or broken bundle fails with the bundle error', async () => {
    const res = await t.http
      .post(`/api/v1/phases/${phaseId}/submissions`)
      .set(cast.ent1.auth)
      .attach('file', Buffer.from('not a tarball'), 'bundle.tar.gz');
    const done = await settled(t, cast.ent1, res.body.id, 30_000);
    expect(done.status).toBe('failed');
    expect(done.error.code).toBe('BUNDLE_INVALID');
  });
});
