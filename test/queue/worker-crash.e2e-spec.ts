import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { ConfigModule, DatabaseModule, TimeModule } from '@aihub/core';
import {
  OutboxMessageEntity,
  QueueModule,
  QueueName,
  QueueRegistry,
  type SystemProbeEntity,
  SystemProbeJob,
  SystemProbeService,
} from '@aihub/queue';
import { createIsolatedEnvironment, type IsolatedEnvironment } from './isolated-environment';

const WORKER_MAIN = join(__dirname, '../../dist/apps/worker/src/main.js');

/** The real compiled worker as a child process, with its output kept for failure messages. */
class WorkerProcess {
  private readonly child: ChildProcess;
  private output = '';
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [WORKER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get isRunning(): boolean {
    return this.exit === undefined;
  }

  /** the last lines the worker printed, for assertion messages */
  tail(lines = 15): string {
    return this.output.trim().split('\n').slice(-lines).join('\n');
  }

  async waitForOutput(pattern: RegExp, deadlineMs: number): Promise<void> {
    await waitFor(
      async () => {
        if (!this.isRunning) throw new Error(`worker exited (${JSON.stringify(this.exit)}):\n${this.tail()}`);
        return pattern.test(this.output) ? true : undefined;
      },
      deadlineMs,
      `worker output ${pattern}`,
      () => this.tail(),
    );
  }

  /** the exit status, or undefined if the process is still running after `deadlineMs` */
  async exitWithin(
    deadlineMs: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    const timer = new AbortController();
    try {
      return await Promise.race([this.exited, sleep(deadlineMs, undefined, { signal: timer.signal })]);
    } finally {
      timer.abort();
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.isRunning) this.child.kill(signal);
  }
}

/** Polls every 25 ms until `probe` returns a value (not undefined) or the deadline passes. */
async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  deadlineMs: number,
  what: string,
  context: () => string = () => '',
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until)
      throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}\n${context()}`);
    await sleep(25);
  }
}

describe('worker crash mid-job (real compiled worker, PostgreSQL, Redis)', () => {
  let isolated: IsolatedEnvironment;
  let app: INestApplicationContext;
  let probes: SystemProbeService;
  const workers: WorkerProcess[] = [];

  const startWorker = (extraEnv: Record<string, string> = {}) => {
    const worker = new WorkerProcess({ ...isolated.env, ...extraEnv });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    if (!existsSync(WORKER_MAIN))
      throw new Error(`${WORKER_MAIN} is missing: run "npm run build" before this test`);
    isolated = await createIsolatedEnvironment('worker_crash', {
      QUEUE_LOCK_DURATION_MS: '2000',
      QUEUE_STALLED_INTERVAL_MS: '1000',
      // the workers' "worker ready" line tells the test they are up
      LOG_LEVEL: 'info',
    });
    @Module({
      imports: [
        ConfigModule.forRoot(isolated.config),
        TimeModule,
        DatabaseModule,
        QueueModule.forRoot({ relay: false }),
      ],
    })
    class CrashTestModule {}
    app = await NestFactory.createApplicationContext(CrashTestModule, { logger: false, abortOnError: false });
    probes = app.get(SystemProbeService);
  });

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await app?.close();
    await isolated?.dispose();
  });

  it('completes a job exactly once after the worker running it is SIGKILLed', async () => {
    const first = startWorker();
    await first.waitForOutput(/"msg":"worker ready"/, 20_000);

    const requested = await probes.request(undefined, { durationMs: 3_000 });
    const probeState = () => probes.get(requested.id);

    // the first worker has picked the job up and is inside its 3 s of work
    await waitFor(
      async () => ((await probeState()).attempts >= 1 ? true : undefined),
      10_000,
      'attempt 1',
      () => first.tail(),
    );
    first.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
    expect(await probeState()).toMatchObject({ attempts: 1, completions: 0, completedAt: null });

    // a new worker finds the job stalled (lock expired) and runs it again
    const second = startWorker();
    const done: SystemProbeEntity = await waitFor(
      async () => {
        const probe = await probeState();
        return probe.completedAt ? probe : undefined;
      },
      25_000,
      'the probe to complete',
      () => second.tail(),
    );
    expect(done.completions).toBe(1);
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    expect(done.completedBy?.split(':')[1]).toBe(String(second.pid));

    const jobId = SystemProbeJob.jobId({ probeId: requested.id });
    const outboxRows = await app
      .get<DataSource>(getDataSourceToken())
      .getRepository(OutboxMessageEntity)
      .findBy({ jobId });
    expect(outboxRows).toHaveLength(1);
    expect(outboxRows[0].dispatchedAt).toBeInstanceOf(Date);
    expect(outboxRows[0].failedAttempts).toBe(0);

    const queue = app.get(QueueRegistry).get(QueueName.System);
    const job = await waitFor(
      async () => {
        const found = await queue.getJob(jobId);
        return found && (await found.getState()) === 'completed' ? found : undefined;
      },
      5_000,
      'the BullMQ job to be completed',
      () => second.tail(),
    );
    expect(job.returnvalue).toEqual({ completed: true });
    expect(job.stalledCounter).toBe(1);
    expect(job.attemptsStarted).toBeGreaterThanOrEqual(2);
    // the effect is still single once BullMQ has settled
    expect((await probeState()).completions).toBe(1);
  }, 45_000);

  it('on SIGTERM finishes the job it is running, then exits', async () => {
    const worker = workers.find((w) => w.isRunning) ?? startWorker();
    await worker.waitForOutput(/"msg":"worker ready"/, 20_000);
    const requested = await probes.request(undefined, { durationMs: 1_500 });
    await waitFor(
      async () => ((await probes.get(requested.id)).attempts >= 1 ? true : undefined),
      10_000,
      'the worker to start the probe',
      () => worker.tail(),
    );

    worker.kill('SIGTERM');
    const exit = await worker.exitWithin(15_000);
    if (!exit) throw new Error(`worker did not exit within 15 s of SIGTERM:\n${worker.tail()}`);
    // Nest re-raises the signal once every shutdown hook has run
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(await probes.get(requested.id)).toMatchObject({ attempts: 1, completions: 1 });
  }, 30_000);

  it('exits non-zero and says why when it cannot start', async () => {
    const worker = startWorker({ QUEUE_CONCURRENCY: '0' });
    const exit = await worker.exitWithin(15_000);
    if (!exit) throw new Error(`misconfigured worker did not exit:\n${worker.tail()}`);
    expect(exit.code).not.toBe(0);
    expect(worker.tail()).toMatch(/QUEUE_CONCURRENCY/);
  }, 20_000);
});
