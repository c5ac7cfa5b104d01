/**
 * Audit coverage: walks the routes whose effects must be on the record and checks that each call leaves
 * exactly one audit event about the user concerned, with the right action and outcome — and that the
 * event reaches the ledger — including the data governance events: every grant request, approval and
 * revocation, every dataset mount of a run, every export decision and every download.
 */
import { AuditSequencer } from '@aihub/audit';
import { RunExecutor } from '@aihub/sandbox';
import { API, awardedSandbox, createDataset, tarGz } from '../sandbox/sandbox-fixtures';
import { createTestApp, TEST_PASSWORD, TestApp, TestUser } from '../utils/test-app';

interface EventRow {
  action: string;
  outcome: string;
  actorId: string | null;
  objectId: string | null;
  details: Record<string, unknown>;
  seq: string;
}

describe('audit coverage (e2e)', () => {
  let t: TestApp;
  let operator: TestUser;
  let auditor: TestUser;

  /** Every event about `userId` (as actor or as object) recorded by `act`. */
  async function eventsOf(userId: string, act: () => Promise<unknown>): Promise<EventRow[]> {
    const [{ mark }] = await t.dataSource.query(
      `SELECT COALESCE(max(seq), 0)::text AS mark FROM audit_events`,
    );
    await act();
    return t.dataSource.query(
      `SELECT action, outcome, actor_id AS "actorId", object_id AS "objectId", details, seq::text AS seq
         FROM audit_events WHERE seq > $1 AND (actor_id = $2 OR object_id = $2::text) ORDER BY seq`,
      [mark, userId],
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    [operator, auditor] = await Promise.all([t.createUser(['operator']), t.createUser(['auditor'])]);
  });
  afterAll(() => t.close());

  it('records a successful login once', async () => {
    const user = await t.createUser(['gov']);
    const events = await eventsOf(user.id, () =>
      t.http.post('/api/v1/auth/login').send({ email: user.email, password: TEST_PASSWORD }).expect(200),
    );
    expect(events).toEqual([
      expect.objectContaining({
        action: 'auth.login',
        outcome: 'success',
        actorId: user.id,
        objectId: user.id,
      }),
    ]);
  });

  it('records a failed login once', async () => {
    const user = await t.createUser(['enterprise']);
    const events = await eventsOf(user.id, () =>
      t.http.post('/api/v1/auth/login').send({ email: user.email, password: 'wrong-password-1' }).expect(401),
    );
    expect(events).toEqual([
      expect.objectContaining({ action: 'auth.login', outcome: 'failure', objectId: user.id }),
    ]);
  });

  it('records a role change once', async () => {
    const user = await t.createUser(['gov']);
    const events = await eventsOf(user.id, () =>
      t.http
        .put(`/api/v1/users/${user.id}/roles`)
        .set(operator.auth)
        .send({ roles: ['gov', 'data_steward'] })
        .expect(200),
    );
    expect(events).toEqual([
      expect.objectContaining({
        action: 'user.roles.change',
        outcome: 'success',
        actorId: operator.id,
        objectId: user.id,
        details: { before: ['gov'], after: ['data_steward', 'gov'] },
      }),
    ]);
  });

  it('records a denied authorization once', async () => {
    const user = await t.createUser(['enterprise']);
    const events = await eventsOf(user.id, () =>
      t.http.get('/api/v1/audit/events').set(user.auth).expect(403),
    );
    expect(events).toEqual([
      expect.objectContaining({
        action: 'authz.denied',
        outcome: 'denied',
        actorId: user.id,
        details: expect.objectContaining({ method: 'GET', reason: 'read AuditEvent', roles: ['enterprise'] }),
      }),
    ]);
    const verify = await eventsOf(user.id, () =>
      t.http.post('/api/v1/audit/verify').set(user.auth).expect(403),
    );
    expect(verify).toEqual([expect.objectContaining({ action: 'authz.denied', outcome: 'denied' })]);
  });

  it('puts every one of them in the ledger, provable against the latest checkpoint', async () => {
    const user = await t.createUser(['gov']);
    const events = await eventsOf(user.id, async () => {
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: 'nope-nope-1' })
        .expect(401);
      await t.http.get('/api/v1/audit/events').set(user.auth).expect(403);
    });
    expect(events.map((e) => e.action)).toEqual(['auth.login', 'authz.denied']);
    const checkpoint = await t.get(AuditSequencer).sync();
    for (const e of events) {
      const res = await t.http
        .get('/api/v1/audit/events')
        .query({ actorId: e.actorId ?? undefined, objectId: e.objectId ?? undefined, action: e.action })
        .set(auditor.auth)
        .expect(200);
      const item = res.body.items[0];
      expect(item.index).toBeLessThan(checkpoint.treeSize);
      await t.http
        .get('/api/v1/audit/proofs/inclusion')
        .query({ index: item.index, treeSize: checkpoint.treeSize })
        .expect(200);
    }
  });

  it('records each grant request, approval and revocation, dataset mount, export decision and download once', async () => {
    const w = await awardedSandbox(t);
    const ds = await createDataset(t, w.cast.steward, 'general');
    const ent = w.cast.ent1;
    const objectEvents = async (objectId: string, act: () => Promise<unknown>) => {
      const [{ mark }] = await t.dataSource.query(
        `SELECT COALESCE(max(seq), 0)::text AS mark FROM audit_events`,
      );
      await act();
      return (await t.dataSource.query(
        `SELECT action, outcome, actor_id AS "actorId", object_id AS "objectId", details FROM audit_events
          WHERE seq > $1 AND object_id = $2 ORDER BY seq`,
        [mark, objectId],
      )) as EventRow[];
    };
    let grantId = '';
    const requested = await eventsOf(ent.id, async () => {
      grantId = (
        await t.http
          .post(`${API}/sandboxes/${w.sandboxId}/grants`)
          .set(ent.auth)
          .send({ datasetVersionId: ds.versionId, view: 'raw' })
          .expect(201)
      ).body.id;
    });
    expect(requested).toEqual([
      expect.objectContaining({ action: 'grant.request', outcome: 'success', objectId: grantId }),
    ]);
    expect(
      await objectEvents(grantId, () =>
        t.http.post(`${API}/grants/${grantId}/approve`).set(w.cast.steward.auth).expect(200),
      ),
    ).toEqual([expect.objectContaining({ action: 'grant.approve', actorId: w.cast.steward.id })]);
    const run = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/runs`)
      .set(ent.auth)
      .attach(
        'bundle',
        tarGz({
          'a.py': `import csv\nn = len(list(csv.reader(open('/data/${ds.name}/data.csv')))) - 1\nopen('/output/n.csv', 'w').write('n\\n%d\\n' % n)\n`,
        }),
        'a.tar.gz',
      )
      .field('command', '["python3","a.py"]')
      .expect(202);
    const mounts = await objectEvents(grantId, async () => {
      await t.get(RunExecutor).execute(run.body.id);
      await t.get(RunExecutor).execute(run.body.id); // a redelivered job mounts nothing twice
    });
    expect(mounts).toEqual([
      expect.objectContaining({
        action: 'dataset.mount',
        details: expect.objectContaining({ runId: run.body.id }),
      }),
    ]);
    const exp = await t.http
      .post(`${API}/runs/${run.body.id}/exports`)
      .set(ent.auth)
      .send({ paths: ['n.csv'], justification: '数据行数统计。' })
      .expect(201);
    expect(exp.body.status).toBe('pending_review');
    const decision = await objectEvents(exp.body.id, () =>
      t.http
        .post(`${API}/exports/${exp.body.id}/decision`)
        .set(w.cast.steward.auth)
        .send({ approve: true, reason: '同意导出。' })
        .expect(200),
    );
    expect(decision.map((e) => e.action)).toEqual(['export.decision', 'export.release']);
    expect(decision[0]).toMatchObject({
      actorId: w.cast.steward.id,
      details: expect.objectContaining({ approve: true }),
    });
    for (let i = 0; i < 2; i++)
      expect(
        await objectEvents(exp.body.id, () =>
          t.http.get(`${API}/exports/${exp.body.id}/download`).set(ent.auth).expect(200),
        ),
      ).toEqual([expect.objectContaining({ action: 'export.download', actorId: ent.id })]);
    expect(
      await objectEvents(grantId, () =>
        t.http.post(`${API}/grants/${grantId}/revoke`).set(w.cast.steward.auth).expect(200),
      ),
    ).toEqual([expect.objectContaining({ action: 'grant.revoke', actorId: w.cast.steward.id })]);
  });
});
