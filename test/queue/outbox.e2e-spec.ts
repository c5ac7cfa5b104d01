import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, Clock, ConfigModule, DatabaseModule, TimeModule } from '@aihub/core';
import {
  claimOnce,
  OutboxMessageEntity,
  OutboxRelay,
  OutboxService,
  QueueMetricsService,
  QueueModule,
  QueueName,
  QueueRegistry,
  SystemProbeEntity,
  SystemProbeJob,
  SystemProbeService,
} from '@aihub/queue';
import { createIsolatedEnvironment, type IsolatedEnvironment } from './isolated-environment';

/** Polls until `probe` returns a value (not undefined) or the deadline passes. */
async function waitFor<T>(probe: () => Promise<T | undefined>, deadlineMs: number, what: string): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

describe('transactional outbox (real PostgreSQL and Redis)', () => {
  let isolated: IsolatedEnvironment;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let outbox: OutboxService;
  let queues: QueueRegistry;
  let relay: OutboxRelay;
  const extraRelays: OutboxRelay[] = [];

  beforeAll(async () => {
    // a poll interval far beyond any assertion: only NOTIFY can make a job appear promptly
    isolated = await createIsolatedEnvironment('outbox', { OUTBOX_POLL_INTERVAL_MS: '60000' });
    @Module({
      imports: [
        ConfigModule.forRoot(isolated.config),
        TimeModule,
        DatabaseModule,
        QueueModule.forRoot({ relay: false }),
      ],
    })
    class OutboxTestModule {}
    app = await NestFactory.createApplicationContext(OutboxTestModule, {
      logger: false,
      abortOnError: false,
    });
    dataSource = app.get<DataSource>(getDataSourceToken());
    outbox = app.get(OutboxService);
    queues = app.get(QueueRegistry);
    relay = app.get(OutboxRelay);
  });

  afterEach(async () => {
    await relay?.stop();
    await Promise.all(extraRelays.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await app?.close();
    await isolated?.dispose();
  });

  const probeQueue = () => queues.get(QueueName.System);
  const newPayload = () => ({ probeId: randomUUID() });
  const outboxRows = (jobId: string) => dataSource.getRepository(OutboxMessageEntity).findBy({ jobId });

  /** A relay with its own poll interval, built from the module's real collaborators. */
  function relayPollingEvery(ms: number): OutboxRelay {
    const config = app.get(APP_CONFIG);
    const created = new OutboxRelay(
      dataSource,
      queues,
      app.get(Clock),
      { ...config, queue: { ...config.queue, outboxPollIntervalMs: ms } },
      { relay: false },
    );
    extraRelays.push(created);
    return created;
  }

  it('never queues a job whose transaction rolled back', async () => {
    await relay.start();
    const payload = newPayload();
    const jobId = SystemProbeJob.jobId(payload);
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.enqueue(manager, SystemProbeJob, payload);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');

    await relay.dispatchPending();
    expect(await outboxRows(jobId)).toEqual([]);
    expect(await probeQueue().getJob(jobId)).toBeUndefined();
  });

  it('delivers a committed job to BullMQ within a second, woken by NOTIFY', async () => {
    await relay.start();
    expect(relay.isListening).toBe(true);
    await relay.dispatchPending(); // nothing left over from before

    const payload = newPayload();
    const jobId = SystemProbeJob.jobId(payload);
    const committedAt = await dataSource.transaction(async (manager) => {
      await outbox.enqueue(manager, SystemProbeJob, payload);
      return () => Date.now();
    });
    const start = committedAt();
    const job = await waitFor(() => probeQueue().getJob(jobId), 5_000, `job ${jobId} in BullMQ`);
    expect(Date.now() - start).toBeLessThan(1_000);
    expect(job.name).toBe('system.probe');
    expect(job.data).toEqual(payload);
    expect(job.opts.attempts).toBe(SystemProbeJob.retry.attempts);

    const [row] = await waitFor(
      async () => ((await outboxRows(jobId))[0]?.dispatchedAt ? outboxRows(jobId) : undefined),
      2_000,
      'the outbox row to be marked dispatched',
    );
    expect(row.failedAttempts).toBe(0);
  });

  it('delivers a committed job by polling alone when no listener runs', async () => {
    const polling = relayPollingEvery(100);
    await polling.start({ listen: false });
    expect(polling.isListening).toBe(false);

    const payload = newPayload();
    const jobId = SystemProbeJob.jobId(payload);
    await dataSource.transaction((manager) => outbox.enqueue(manager, SystemProbeJob, payload));
    const start = Date.now();
    await waitFor(() => probeQueue().getJob(jobId), 5_000, `job ${jobId} in BullMQ`);
    expect(Date.now() - start).toBeLessThan(1_000);
  });

  it('keeps a requested delay, counted from the enqueue', async () => {
    const payload = newPayload();
    const jobId = SystemProbeJob.jobId(payload);
    await dataSource.transaction((manager) =>
      outbox.enqueue(manager, SystemProbeJob, payload, { delayMs: 60_000 }),
    );
    await relay.dispatchPending();
    const job = await probeQueue().getJob(jobId);
    expect(await job!.getState()).toBe('delayed');
    expect(job!.opts.delay).toBeGreaterThan(55_000);
    expect(job!.opts.delay).toBeLessThanOrEqual(60_000);
  });

  it('is harmless when a relay died after adding a job but before marking it dispatched', async () => {
    const payload = newPayload();
    const jobId = SystemProbeJob.jobId(payload);
    await dataSource.transaction((manager) => outbox.enqueue(manager, SystemProbeJob, payload));
    // what the dead relay managed to do
    await probeQueue().add(SystemProbeJob.name, payload, { jobId });
    const before = await probeQueue().getJobCounts('waiting', 'prioritized', 'delayed');

    await relay.dispatchPending();
    expect((await outboxRows(jobId))[0].dispatchedAt).not.toBeNull();
    expect(await probeQueue().getJobCounts('waiting', 'prioritized', 'delayed')).toEqual(before);
  });

  it('lets several relays drain the outbox together, each row going out once', async () => {
    const payloads = Array.from({ length: 250 }, newPayload);
    await dataSource.transaction(async (manager) => {
      for (const p of payloads) await outbox.enqueue(manager, SystemProbeJob, p);
    });
    const [a, b, c] = [relayPollingEvery(60_000), relayPollingEvery(60_000), relay];
    const counts = await Promise.all([a.dispatchPending(), b.dispatchPending(), c.dispatchPending()]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(payloads.length);
    const jobIds = payloads.map((p) => SystemProbeJob.jobId(p));
    const rows = await dataSource
      .getRepository(OutboxMessageEntity)
      .createQueryBuilder('o')
      .where('o.job_id = ANY(:jobIds)', { jobIds })
      .getMany();
    expect(rows).toHaveLength(payloads.length);
    expect(rows.every((r) => r.dispatchedAt !== null)).toBe(true);
    expect(await probeQueue().getJob(jobIds[123])).toBeDefined();
  });

  it('prunes dispatched rows older than seven days, never pending ones', async () => {
    const insertRow = async (dispatchedDaysAgo: number | null) => {
      const payload = newPayload();
      await dataSource.transaction((manager) => outbox.enqueue(manager, SystemProbeJob, payload));
      const jobId = SystemProbeJob.jobId(payload);
      await dataSource.query(
        `UPDATE outbox SET created_at = now() - interval '30 days',
                dispatched_at = CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(days => $2::int) END
          WHERE job_id = $1`,
        [jobId, dispatchedDaysAgo],
      );
      return jobId;
    };
    const old = await insertRow(8);
    const recent = await insertRow(6);
    const pending = await insertRow(null);

    expect(await relay.pruneDispatched()).toBeGreaterThanOrEqual(1);
    expect(await outboxRows(old)).toEqual([]);
    expect(await outboxRows(recent)).toHaveLength(1);
    expect(await outboxRows(pending)).toHaveLength(1);
    await dataSource.query('DELETE FROM outbox WHERE job_id = $1', [pending]);
  });

  describe('claimOnce', () => {
    it('claims a key once; later claims, and claims of a rolled back transaction, do not count', async () => {
      const key = `test.claim:${randomUUID()}`;
      await expect(
        dataSource.transaction(async (manager) => {
          expect(await claimOnce(manager, key)).toBe(true);
          throw new Error('effect failed');
        }),
      ).rejects.toThrow('effect failed');
      expect(await dataSource.transaction((m) => claimOnce(m, key))).toBe(true);
      expect(await dataSource.transaction((m) => claimOnce(m, key))).toBe(false);
    });

    it('gives exactly one of several concurrent claims', async () => {
      const key = `test.claim:${randomUUID()}`;
      const results = await Promise.all(
        Array.from({ length: 5 }, () =>
          dataSource.transaction(async (m) => {
            const claimed = await claimOnce(m, key);
            await sleep(20); // hold the transaction open so the others really overlap
            return claimed;
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('refuses to run outside a transaction', async () => {
      await expect(claimOnce(dataSource.manager, `test.claim:${randomUUID()}`)).rejects.toThrow(
        /inside the transaction/,
      );
    });
  });

  describe('SystemProbeService', () => {
    it('writes the probe and its job in the caller transaction, or not at all', async () => {
      const probes = app.get(SystemProbeService);
      let requestedId = '';
      await expect(
        dataSource.transaction(async (manager) => {
          requestedId = (await probes.request(manager, { durationMs: 10 })).id;
          throw new Error('caller rolls back');
        }),
      ).rejects.toThrow('caller rolls back');
      expect(await dataSource.getRepository(SystemProbeEntity).findOneBy({ id: requestedId })).toBeNull();
      expect(await outboxRows(SystemProbeJob.jobId({ probeId: requestedId }))).toEqual([]);

      const requestedBy = randomUUID();
      const probe = await probes.request(undefined, { durationMs: 250, requestedBy });
      expect(probe).toMatchObject({
        durationMs: 250,
        requestedBy,
        attempts: 0,
        completions: 0,
        completedAt: null,
      });
      expect(probe.requestedAt).toBeInstanceOf(Date);
      expect(await outboxRows(SystemProbeJob.jobId({ probeId: probe.id }))).toHaveLength(1);
      expect((await probes.get(probe.id)).id).toBe(probe.id);
    });

    it('rejects durations outside 0..60 s and reports unknown probes as not found', async () => {
      const probes = app.get(SystemProbeService);
      await expect(probes.request(undefined, { durationMs: 60_001 })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(probes.request(undefined, { durationMs: 1.5 })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(probes.get(randomUUID())).rejects.toMatchObject({
        code: 'SYSTEM_PROBE_NOT_FOUND',
        status: 404,
      });
      await expect(probes.get('not-a-uuid')).rejects.toMatchObject({ status: 404 });
    });
  });

  it('reports job counts for every queue and the outbox backlog', async () => {
    const counts = await app.get(QueueMetricsService).jobCounts();
    expect(Object.keys(counts).sort()).toEqual(Object.values(QueueName).sort());
    expect(counts[QueueName.System].waiting + counts[QueueName.System].delayed).toBeGreaterThan(0);
    for (const c of Object.values(counts)) {
      expect(Object.keys(c).sort()).toEqual(['active', 'completed', 'delayed', 'failed', 'waiting']);
    }

    const payload = newPayload();
    await dataSource.transaction((manager) => outbox.enqueue(manager, SystemProbeJob, payload));
    const backlog = await app.get(QueueMetricsService).outboxBacklog();
    expect(backlog.pending).toBeGreaterThanOrEqual(1);
    expect(backlog.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    await relay.dispatchPending();
    expect((await app.get(QueueMetricsService).outboxBacklog()).pending).toBe(0);
  });
});
