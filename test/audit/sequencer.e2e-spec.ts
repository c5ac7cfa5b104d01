/**
 * The sequencer in a database of this suite's own: the worker's runner gives events their index within
 * a second, the insert trigger wakes it only while it is idle, one sequencer at a time does the work,
 * and events committed out of seq order (a long transaction) are sequenced when they commit.
 */
import { Client } from 'pg';
import { AuditSequencer, AuditSequencerRunner, AuditService } from '@aihub/audit';
import { createIsolatedEnvironment, IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';
import { eventually } from './ledger-helpers';

interface VerifyBody {
  ok: boolean;
  treeSize: number;
}

describe('audit sequencer (e2e, own database)', () => {
  let env: IsolatedEnvironment;
  let t: TestApp;
  let auditor: TestUser;

  const indexOf = async (objectId: string): Promise<number | null | undefined> => {
    const res = await t.http.get('/api/v1/audit/events').query({ objectId }).set(auditor.auth).expect(200);
    return res.body.items[0]?.index as number | null | undefined;
  };

  async function appClient(): Promise<Client> {
    const client = new Client({ connectionString: env.config.database.url });
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    env = await createIsolatedEnvironment('audit_sequencer');
    t = await createTestApp({ env: env.env });
    auditor = await t.createUser(['auditor']);
  });
  afterAll(async () => {
    await t?.close();
    await env?.dispose();
  });

  it('notifies the sequencer on insert only while it is idle', async () => {
    const listener = await appClient();
    const writer = await appClient();
    try {
      const received: string[] = [];
      listener.on('notification', (n) => received.push(n.payload ?? ''));
      await listener.query('LISTEN aihub_audit');
      const insert = () =>
        writer.query(
          `INSERT INTO audit_events (action, object_type, outcome) VALUES ('test.notify', 'Test', 'success')`,
        );
      await writer.query('UPDATE audit_sequencer_state SET idle = false WHERE id = 1');
      await insert();
      // notifications arrive in commit order: if this sentinel comes first, the busy insert sent none
      await writer.query(`NOTIFY aihub_audit, 'sentinel'`);
      await writer.query('UPDATE audit_sequencer_state SET idle = true WHERE id = 1');
      await insert();
      await eventually(async () => (received.length >= 2 ? true : undefined), 5_000);
      expect(received).toEqual(['sentinel', '']);
    } finally {
      await listener.end();
      await writer.end();
    }
    await t.get(AuditSequencer).sync();
  });

  it('lets one sequencer work at a time', async () => {
    const holder = await appClient();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [0x41554449, 0x54534551]);
      await t
        .get(AuditService)
        .recordDetached({ action: 'test.lock', objectType: 'Test', objectId: 'locked' });
      await expect(t.get(AuditSequencer).sequencePending()).resolves.toMatchObject({
        leader: false,
        sequenced: 0,
      });
      expect(await indexOf('locked')).toBeNull();
      await holder.query('COMMIT');
      await expect(t.get(AuditSequencer).sequencePending()).resolves.toMatchObject({
        leader: true,
        sequenced: 1,
      });
      expect(await indexOf('locked')).toEqual(expect.any(Number));
    } finally {
      await holder.end();
    }
  });

  it('sequences events in commit order, holding the horizon below a long transaction', async () => {
    const sequencer = t.get(AuditSequencer);
    const long = await appClient();
    try {
      await long.query('BEGIN');
      // draws its seq first, commits last
      await long.query(
        `INSERT INTO audit_events (action, object_type, object_id, outcome) VALUES ('test.long', 'Test', 'long', 'success')`,
      );
      await t
        .get(AuditService)
        .recordDetached({ action: 'test.long', objectType: 'Test', objectId: 'short' });
      // keep sequencing for longer than the horizon's grace period while the long transaction is open
      const until = Date.now() + 4_000;
      while (Date.now() < until) {
        await sequencer.sequencePending();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const short = await indexOf('short');
      expect(short).toEqual(expect.any(Number));
      await long.query('COMMIT');
      await sequencer.sequencePending();
      const late = await indexOf('long');
      expect(late).toBeGreaterThan(short!);
    } finally {
      await long.end();
    }
    const check = await t.http.post('/api/v1/audit/verify').set(auditor.auth).expect(200);
    expect(check.body).toMatchObject({ ok: true, eventsNotInLedger: 0 });
  });

  it('never assigns an index twice when two processes sequence while events pour in', async () => {
    const other = await createTestApp({ env: env.env });
    try {
      const sequencers = [t.get(AuditSequencer), other.get(AuditSequencer)];
      let writing = true;
      const loops = sequencers.map(async (s) => {
        while (writing) await s.sequencePending();
      });
      const audit = other.get(AuditService);
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 25; i++) {
            await audit.recordDetached({
              action: 'test.race',
              objectType: 'Test',
              objectId: `race-${w}-${i}`,
            });
          }
        }),
      );
      writing = false;
      await Promise.all(loops);
      await sequencers[1].sync();
      const [counts] = await t.dataSource.query(
        `SELECT count(*)::int AS entries, max(leaf_index)::int + 1 AS size, count(DISTINCT event_seq)::int AS events,
                (SELECT count(*)::int FROM audit_events) AS all_events
           FROM audit_ledger_entries`,
      );
      expect(counts.entries).toBe(counts.size);
      expect(counts.events).toBe(counts.entries);
      expect(counts.all_events).toBe(counts.entries);
      const check = await t.http.post('/api/v1/audit/verify').set(auditor.auth).expect(200);
      expect(check.body as VerifyBody).toMatchObject({ ok: true, treeSize: counts.size });
    } finally {
      await other.close();
    }
  });

  it('runs continuously in the worker: an index within a second, then a signed checkpoint', async () => {
    const worker = await createTestApp({ env: env.env, providers: [AuditSequencerRunner] });
    try {
      expect(worker.get(AuditSequencerRunner).isRunning).toBe(true);
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        // let the sequencer go idle, so the insert trigger's NOTIFY is what wakes it
        await eventually(async () => {
          const [s] = await t.dataSource.query('SELECT idle FROM audit_sequencer_state WHERE id = 1');
          return s.idle ? true : undefined;
        });
        const startedAt = Date.now();
        await t
          .get(AuditService)
          .recordDetached({ action: 'test.runner', objectType: 'Test', objectId: `run-${i}` });
        const index = await eventually(async () => (await indexOf(`run-${i}`)) ?? undefined, 5_000);
        latencies.push(Date.now() - startedAt);
        const checkpoint = await eventually(async () => {
          const res = await t.http.get('/api/v1/audit/checkpoints/latest');
          return res.status === 200 && res.body.treeSize > index ? res.body : undefined;
        }, 5_000);
        expect(checkpoint.treeSize).toBeGreaterThan(index);
      }
      // "usually within a second"; woken by NOTIFY it is a few milliseconds
      latencies.sort((a, b) => a - b);
      expect(latencies[Math.floor(latencies.length / 2)]).toBeLessThan(1_000);
    } finally {
      await worker.close();
    }
  });
});
