/**
 * The sandbox pipeline across real processes: the api (this process) and the compiled worker as a
 * child process, on a database and Redis prefix of their own. The award's provision request becomes a
 * sandbox through the trigger → outbox → BullMQ → worker path; a run is queued by the api and executed
 * by the worker; a running run is cancelled through the api and killed by the worker.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createIsolatedEnvironment, IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp } from '../utils/test-app';
import { API, awardedSandbox, createDataset, grant, submitRun, tarGz } from './sandbox-fixtures';

jest.setTimeout(240_000);
const WORKER_MAIN = join(__dirname, '../../dist/apps/worker/src/main.js');

async function until<T>(
  probe: () => Promise<T | undefined>,
  ms: number,
  what: string,
  context = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('sandbox runs through the real worker (e2e)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp;
  let worker: ChildProcess;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: run "npm run build" before this test`);
    isolated = await createIsolatedEnvironment('sandbox_worker');
    t = await createTestApp({ env: isolated.env });
    // the worker's "worker ready" line tells the test it is up
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: { ...isolated.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    worker.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    await until(
      async () => (/worker ready/.test(output) ? true : undefined),
      60_000,
      'worker ready',
      () => output.slice(-3000),
    );
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await t?.close();
    await isolated?.dispose();
  });

  it('provisions from the award, runs and cancels through the worker', async () => {
    const tail = () => output.slice(-3000);
    const w = await awardedSandbox(t, 30, { waitMs: 60_000 });
    const ds = await createDataset(t, w.cast.steward, 'general');
    await grant(t, w, ds, 'raw');
    const script = `import csv\nn = len(list(csv.DictReader(open('/data/${ds.name}/data.csv'))))\nopen('/output/n.csv', 'w').write('n\\n%d\\n' % n)\nprint('rows', n)\n`;
    const res = await submitRun(t, w.cast.ent1, w.sandboxId, tarGz({ 'n.py': script }), [
      'python3',
      'n.py',
    ]).expect(202);
    const run = await until(
      async () => {
        const r = (await t.http.get(`${API}/runs/${res.body.id}`).set(w.cast.ent1.auth).expect(200)).body;
        return ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(r.status) ? r : undefined;
      },
      90_000,
      'the run to finish',
      tail,
    );
    expect(run).toMatchObject({
      status: 'succeeded',
      exitCode: 0,
      outputs: [expect.objectContaining({ path: 'n.csv' })],
    });
    expect((await t.http.get(`${API}/runs/${res.body.id}/logs`).set(w.cast.ent1.auth).expect(200)).text).toBe(
      'rows 36\n',
    );

    const slow = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      tarGz({ 's.py': 'import time\nprint("up", flush=True)\ntime.sleep(120)\n' }),
      ['python3', 's.py'],
    ).expect(202);
    await until(
      async () =>
        (await t.http.get(`${API}/runs/${slow.body.id}`).set(w.cast.ent1.auth)).body.status === 'running'
          ? true
          : undefined,
      60_000,
      'the slow run to start',
      tail,
    );
    await t.http.post(`${API}/runs/${slow.body.id}/cancel`).set(w.cast.ent1.auth).expect(200);
    const cancelled = await until(
      async () => {
        const r = (await t.http.get(`${API}/runs/${slow.body.id}`).set(w.cast.ent1.auth)).body;
        return r.status === 'running' ? undefined : r;
      },
      20_000,
      'the cancel to take effect',
      tail,
    );
    expect(cancelled.status).toBe('cancelled');
  });
});
