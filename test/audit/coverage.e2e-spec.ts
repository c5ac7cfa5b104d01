/**
 * Audit coverage: walks the routes whose effects must be on the record and checks that each call leaves
 * exactly one audit event about the user concerned, with the right action and outcome — and that the
 * event reaches the ledger. (Dataset grants, mounts, export decisions and downloads are audited by the
 * libs that add them, with their own coverage tests.)
 */
import { AuditSequencer } from '@aihub/audit';
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
});
