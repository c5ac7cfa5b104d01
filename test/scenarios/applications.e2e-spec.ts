import { Clock } from '@aihub/core';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';
import {
  auditActions,
  auditEvents,
  Cast,
  createCast,
  DAY,
  draftApplication,
  draftScenario,
  notificationsOf,
  publishedBatch,
  publishedScenario,
  submittedApplication,
} from './lifecycle-fixtures';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('applications and the formal check (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let batchId: string;
  let scenarioId: string;

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    batchId = (await publishedBatch(t, cast.operator)).id;
    scenarioId = (await publishedScenario(t, cast, batchId)).id;
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  const freezeAt = (at: number) => jest.spyOn(t.get(Clock), 'now').mockImplementation(() => new Date(at));
  const newEnterprise = () => t.createUser(['enterprise']);
  const get = (u: TestUser, id: string) => t.http.get(`/api/v1/applications/${id}`).set(u.auth);

  describe('create (揭榜)', () => {
    it('an enterprise creates a draft for its organization, audited', async () => {
      const ent = await newEnterprise();
      const res = await t.http
        .post(`/api/v1/scenarios/${scenarioId}/applications`)
        .set(ent.auth)
        .send({ proposal: '基于大模型的事件分拨方案' })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        scenarioId,
        organizationId: ent.organizationId,
        organizationName: expect.any(String),
        proposal: '基于大模型的事件分拨方案',
        consortium: [],
        status: 'draft',
        formalCheck: null,
        submittedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const events = await auditEvents(t, res.body.id, 'application.create');
      expect(events).toHaveLength(1);
      expect(events[0].actorId).toBe(ent.id);
    });

    it('needs a published scenario inside its window (409), visible to the caller (404)', async () => {
      const draft = await draftScenario(t, cast.gov);
      await t.http
        .post(`/api/v1/scenarios/${draft.id}/applications`)
        .set(cast.ent1.auth)
        .send({ proposal: 'x' })
        .expect(404);
      const closed = await publishedScenario(t, cast, batchId);
      await t.http.post(`/api/v1/scenarios/${closed.id}/close`).set(cast.operator.auth).expect(200);
      const res = await t.http
        .post(`/api/v1/scenarios/${closed.id}/applications`)
        .set(cast.ent1.auth)
        .send({ proposal: 'x' })
        .expect(409);
      expect(res.body).toEqual(expect.objectContaining({ code: 'SCENARIO_NOT_PUBLISHED', status: 409 }));
      await t.http
        .post(`/api/v1/scenarios/${MISSING}/applications`)
        .set(cast.ent1.auth)
        .send({ proposal: 'x' })
        .expect(404);
    });

    it('is for enterprises only (401/403) and validates the body (400)', async () => {
      await t.http.post(`/api/v1/scenarios/${scenarioId}/applications`).send({ proposal: 'x' }).expect(401);
      for (const u of [cast.gov, cast.operator, cast.auditor, cast.expert, cast.steward])
        await t.http
          .post(`/api/v1/scenarios/${scenarioId}/applications`)
          .set(u.auth)
          .send({ proposal: 'x' })
          .expect(403);
      const bad = await t.http
        .post(`/api/v1/scenarios/${scenarioId}/applications`)
        .set(cast.ent1.auth)
        .send({ proposal: '', consortium: [{ organizationId: 'nope' }] })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'consortium.0.organizationId',
        'proposal',
      ]);
    });

    it('allows one live application per organization and scenario (409), again after a withdrawal', async () => {
      const ent = await newEnterprise();
      const first = await draftApplication(t, ent, scenarioId);
      const dup = await t.http
        .post(`/api/v1/scenarios/${scenarioId}/applications`)
        .set(ent.auth)
        .send({ proposal: '第二份' })
        .expect(409);
      expect(dup.body).toEqual(expect.objectContaining({ code: 'ALREADY_APPLIED', applicationId: first.id }));
      await t.http.post(`/api/v1/applications/${first.id}/withdraw`).set(ent.auth).expect(200);
      await draftApplication(t, ent, scenarioId);
    });

    it('caps the applications of one organization per batch (409 BATCH_APPLICATION_CAP, default 3)', async () => {
      const ent = await newEnterprise();
      const batch = (await publishedBatch(t, cast.operator)).id;
      const scenarios = [];
      for (let i = 0; i < 4; i++) scenarios.push((await publishedScenario(t, cast, batch)).id);
      const apps = [];
      for (const s of scenarios.slice(0, 3)) apps.push(await draftApplication(t, ent, s));
      const capped = await t.http
        .post(`/api/v1/scenarios/${scenarios[3]}/applications`)
        .set(ent.auth)
        .send({ proposal: '第四份' })
        .expect(409);
      expect(capped.body).toEqual(expect.objectContaining({ code: 'BATCH_APPLICATION_CAP', cap: 3 }));
      // other batches are not affected
      await draftApplication(t, ent, scenarioId);
      // a withdrawn application frees its place
      await t.http.post(`/api/v1/applications/${apps[0].id}/withdraw`).set(ent.auth).expect(200);
      await draftApplication(t, ent, scenarios[3]);
    });
  });

  describe('consortium (1 lead + up to 4 distinct existing enterprises)', () => {
    const apply = (ent: TestUser, members: string[], scenario = scenarioId) =>
      t.http
        .post(`/api/v1/scenarios/${scenario}/applications`)
        .set(ent.auth)
        .send({ proposal: '联合体方案', consortium: members.map((organizationId) => ({ organizationId })) });

    it('accepts four member enterprises and names them', async () => {
      const lead = await newEnterprise();
      const members = await Promise.all([1, 2, 3, 4].map(() => t.createOrganization('enterprise')));
      const res = await apply(
        lead,
        members.map((m) => m.id),
      ).expect(201);
      expect(res.body.consortium).toEqual(
        members.map((m) => ({ organizationId: m.id, organizationName: m.name })),
      );
    });

    it('refuses a fifth member, the lead, duplicates, unknown and non-enterprise organizations (422)', async () => {
      const lead = await newEnterprise();
      const ms = await Promise.all([1, 2, 3, 4, 5].map(() => t.createOrganization('enterprise')));
      const gov = await t.createOrganization('government');
      const platform = await t.createOrganization('platform');
      const fields = async (members: string[]) => {
        const res = await apply(lead, members).expect(422);
        expect(res.body.code).toBe('INVALID_CONSORTIUM');
        return res.body.errors.map((e: { field: string }) => e.field);
      };
      expect(await fields(ms.map((m) => m.id))).toEqual(['consortium']);
      expect(await fields([lead.organizationId])).toEqual(['consortium[0].organizationId']);
      expect(await fields([ms[0].id, ms[0].id])).toEqual(['consortium[1].organizationId']);
      expect(await fields([ms[0].id, MISSING])).toEqual(['consortium[1].organizationId']);
      expect(await fields([gov.id, platform.id])).toEqual([
        'consortium[0].organizationId',
        'consortium[1].organizationId',
      ]);
      // nothing was created
      const own = await t.http.get('/api/v1/applications').set(lead.auth).expect(200);
      expect(own.body.items).toEqual([]);
    });

    it('an organization takes part in one application per scenario, as lead or as member', async () => {
      const a = await newEnterprise();
      const b = await newEnterprise();
      const c = await newEnterprise();
      await apply(a, [b.organizationId]).expect(201);
      // b is already a member: it cannot lead another application to the same scenario
      const lead = await apply(b, []).expect(409);
      expect(lead.body.code).toBe('ALREADY_APPLIED');
      expect(lead.body.applicationId).toBeUndefined(); // not b's own application: no id leaked
      // nor be a member of c's
      const member = await apply(c, [b.organizationId]).expect(422);
      expect(member.body.errors).toEqual([
        expect.objectContaining({ field: 'consortium[0].organizationId' }),
      ]);
      // and a's own org cannot join c's either
      await apply(c, [a.organizationId]).expect(422);
    });

    it('is checked again when the consortium is edited', async () => {
      const lead = await newEnterprise();
      const m = await t.createOrganization('enterprise');
      const app = await draftApplication(t, lead, scenarioId);
      const bad = await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(lead.auth)
        .send({ consortium: [{ organizationId: lead.organizationId }] })
        .expect(422);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'consortium[0].organizationId' })]);
      const ok = await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(lead.auth)
        .send({ consortium: [{ organizationId: m.id }] })
        .expect(200);
      expect(ok.body.consortium).toEqual([{ organizationId: m.id, organizationName: m.name }]);
    });
  });

  describe('submit inside [applicationOpensAt, applicationClosesAt) by the server clock', () => {
    // far in the future, so no other suite's clock-advancing sweep can close it meanwhile
    const opensAt = Date.now() + 500 * DAY;
    const closesAt = opensAt + 10 * DAY;
    let windowed: string;

    beforeAll(async () => {
      windowed = (
        await publishedScenario(t, cast, batchId, {
          applicationOpensAt: new Date(opensAt).toISOString(),
          applicationClosesAt: new Date(closesAt).toISOString(),
        })
      ).id;
    });

    it('refuses 1 ms before opensAt, accepts exactly at opensAt', async () => {
      const ent = await newEnterprise();
      const app = await draftApplication(t, ent, windowed); // drafting before the window is fine
      freezeAt(opensAt - 1);
      const early = await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(409);
      expect(early.body).toEqual(
        expect.objectContaining({
          code: 'APPLICATION_WINDOW_NOT_OPEN',
          applicationOpensAt: new Date(opensAt).toISOString(),
        }),
      );
      freezeAt(opensAt);
      const ok = await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(200);
      expect(ok.body).toEqual(
        expect.objectContaining({ status: 'submitted', submittedAt: new Date(opensAt).toISOString() }),
      );
    });

    it('accepts 1 ms before closesAt, refuses exactly at closesAt (and drafts then too)', async () => {
      const [e1, e2, e3] = await Promise.all([newEnterprise(), newEnterprise(), newEnterprise()]);
      const a1 = await draftApplication(t, e1, windowed);
      const a2 = await draftApplication(t, e2, windowed);
      freezeAt(closesAt - 1);
      await t.http.post(`/api/v1/applications/${a1.id}/submit`).set(e1.auth).expect(200);
      freezeAt(closesAt);
      const late = await t.http.post(`/api/v1/applications/${a2.id}/submit`).set(e2.auth).expect(409);
      expect(late.body.code).toBe('APPLICATION_WINDOW_CLOSED');
      const lateDraft = await t.http
        .post(`/api/v1/scenarios/${windowed}/applications`)
        .set(e3.auth)
        .send({ proposal: 'x' })
        .expect(409);
      expect(lateDraft.body.code).toBe('APPLICATION_WINDOW_CLOSED');
      expect((await get(e2, a2.id).expect(200)).body.status).toBe('draft');
    });

    it('refuses submission once the scenario is closed, whatever the clock says', async () => {
      const s = await publishedScenario(t, cast, batchId);
      const ent = await newEnterprise();
      const app = await draftApplication(t, ent, s.id);
      await t.http.post(`/api/v1/scenarios/${s.id}/close`).set(cast.operator.auth).expect(200);
      const res = await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(409);
      expect(res.body.code).toBe('SCENARIO_NOT_PUBLISHED');
    });
  });

  describe('application state machine and formal check', () => {
    const check = (id: string, decision: string, reason?: string, who: TestUser = cast.operator) =>
      t.http
        .post(`/api/v1/applications/${id}/formal-check`)
        .set(who.auth)
        .send(reason === undefined ? { decision } : { decision, reason });

    it('draft → submitted → returned → (edit) → submitted → formal_passed, audited and notified', async () => {
      const ent = await newEnterprise();
      const app = await draftApplication(t, ent, scenarioId);
      // illegal from draft
      for (const d of ['pass', 'return', 'reject'])
        expect((await check(app.id, d, '原因').expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
      await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(ent.auth)
        .send({ proposal: '修改后的方案' })
        .expect(200);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(200);
      // submitted: no edits, no second submit
      expect(
        (
          await t.http
            .patch(`/api/v1/applications/${app.id}`)
            .set(ent.auth)
            .send({ proposal: 'x' })
            .expect(409)
        ).body.code,
      ).toBe('INVALID_STATE_TRANSITION');
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(409);

      const returned = await check(app.id, 'return', '请补充联合体协议').expect(200);
      expect(returned.body).toEqual(
        expect.objectContaining({
          status: 'returned',
          formalCheck: { decision: 'return', reason: '请补充联合体协议', checkedAt: expect.any(String) },
        }),
      );
      await check(app.id, 'pass').expect(409); // returned is not checkable
      await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(ent.auth)
        .send({ proposal: '补充后的方案' })
        .expect(200);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(200);
      const passed = await check(app.id, 'pass').expect(200);
      expect(passed.body.status).toBe('formal_passed');
      await check(app.id, 'reject', '重复').expect(409);
      await t.http.patch(`/api/v1/applications/${app.id}`).set(ent.auth).send({ proposal: 'x' }).expect(409);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(409);

      expect(await auditActions(t, app.id)).toEqual([
        'application.create',
        'application.update',
        'application.submit',
        'application.return',
        'application.update',
        'application.submit',
        'application.formal_pass',
      ]);
      const resubmit = (await auditEvents(t, app.id, 'application.submit'))[1];
      expect(resubmit.details).toEqual(
        expect.objectContaining({ from: 'returned', to: 'submitted', resubmission: true }),
      );
      const notes = await notificationsOf(t, ent.id, app.id);
      expect(notes.map((n) => [n.kind, n.title])).toEqual([
        ['application.returned', '揭榜申报已退回修改'],
        ['application.formal_passed', '揭榜申报已通过形式审查'],
      ]);
    });

    it('reject is final; withdraw is possible until a decision makes it final', async () => {
      const ent = await newEnterprise();
      const app = await submittedApplication(t, ent, scenarioId);
      await check(app.id, 'reject', '不符合申报条件').expect(200);
      for (const path of ['submit', 'withdraw'])
        expect(
          (await t.http.post(`/api/v1/applications/${app.id}/${path}`).set(ent.auth).expect(409)).body.code,
        ).toBe('INVALID_STATE_TRANSITION');
      expect((await notificationsOf(t, ent.id, app.id)).map((n) => n.kind)).toEqual(['application.rejected']);

      const other = await newEnterprise();
      const w = await submittedApplication(t, other, scenarioId);
      const res = await t.http.post(`/api/v1/applications/${w.id}/withdraw`).set(other.auth).expect(200);
      expect(res.body.status).toBe('withdrawn');
      await check(w.id, 'pass').expect(409);
      await t.http.post(`/api/v1/applications/${w.id}/withdraw`).set(other.auth).expect(409);
    });

    it('return and reject need a reason (400); the decision is validated (400)', async () => {
      const ent = await newEnterprise();
      const app = await submittedApplication(t, ent, scenarioId);
      expect((await check(app.id, 'return').expect(400)).body.errors).toEqual([
        expect.objectContaining({ field: 'reason' }),
      ]);
      await check(app.id, 'reject', '  ').expect(400);
      expect((await check(app.id, 'approve').expect(400)).body.errors[0].field).toBe('decision');
    });

    it('only operators check (403), unknown ids 404, anonymous 401', async () => {
      const ent = await newEnterprise();
      const app = await submittedApplication(t, ent, scenarioId);
      await check(app.id, 'pass', undefined, cast.gov).expect(403);
      await check(app.id, 'pass', undefined, ent).expect(403);
      await t.http.post(`/api/v1/applications/${app.id}/formal-check`).send({ decision: 'pass' }).expect(401);
      await check(MISSING, 'pass').expect(404);
    });
  });

  describe('tenancy and visibility', () => {
    let app: { id: string };
    beforeAll(async () => {
      app = await draftApplication(t, cast.ent1, scenarioId);
    });

    it('another enterprise can neither see nor touch it: 404 everywhere', async () => {
      await get(cast.ent2, app.id).expect(404);
      await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(cast.ent2.auth)
        .send({ proposal: '篡改' })
        .expect(404);
      for (const path of ['submit', 'withdraw'])
        await t.http.post(`/api/v1/applications/${app.id}/${path}`).set(cast.ent2.auth).expect(404);
      const list = await t.http.get('/api/v1/applications?limit=100').set(cast.ent2.auth).expect(200);
      expect(list.body.items.map((a: { id: string }) => a.id)).not.toContain(app.id);
      expect((await get(cast.ent1, app.id).expect(200)).body.proposal).toBe('我们的技术方案：……');
    });

    it('the issuer sees it only once submitted; other governments never; operators and auditors always', async () => {
      const issuerList = async () =>
        (
          await t.http
            .get(`/api/v1/applications?scenarioId=${scenarioId}&limit=100`)
            .set(cast.gov.auth)
            .expect(200)
        ).body.items.map((a: { id: string }) => a.id);
      await get(cast.gov, app.id).expect(404);
      expect(await issuerList()).not.toContain(app.id);
      for (const u of [cast.operator, cast.auditor]) await get(u, app.id).expect(200);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(cast.ent1.auth).expect(200);
      await get(cast.gov, app.id).expect(200);
      expect(await issuerList()).toContain(app.id);
      await get(cast.gov2, app.id).expect(404);
      // the issuer reads, it does not act
      await t.http
        .patch(`/api/v1/applications/${app.id}`)
        .set(cast.gov.auth)
        .send({ proposal: 'x' })
        .expect(403);
      await t.http.post(`/api/v1/applications/${app.id}/withdraw`).set(cast.gov.auth).expect(403);
    });

    it('lists only the caller’s organization’s applications, filtered and paged', async () => {
      const ent = await newEnterprise();
      const mine = [];
      for (let i = 0; i < 3; i++) {
        const s = await publishedScenario(t, cast, (await publishedBatch(t, cast.operator)).id);
        mine.push((await draftApplication(t, ent, s.id)).id);
      }
      await t.http.post(`/api/v1/applications/${mine[1]}/submit`).set(ent.auth).expect(200);
      const page1 = await t.http.get('/api/v1/applications?limit=2').set(ent.auth).expect(200);
      const page2 = await t.http
        .get(`/api/v1/applications?limit=2&cursor=${page1.body.nextCursor}`)
        .set(ent.auth)
        .expect(200);
      expect([...page1.body.items, ...page2.body.items].map((a: { id: string }) => a.id)).toEqual(
        [...mine].reverse(),
      );
      expect(page2.body.nextCursor).toBeNull();
      const submitted = await t.http.get('/api/v1/applications?status=submitted').set(ent.auth).expect(200);
      expect(submitted.body.items.map((a: { id: string }) => a.id)).toEqual([mine[1]]);
    });

    it('roles that see no applications get 403; anonymous 401; bad ids 400/404', async () => {
      for (const u of [cast.expert, cast.steward]) {
        await t.http.get('/api/v1/applications').set(u.auth).expect(403);
        await get(u, app.id).expect(403);
      }
      await t.http.get('/api/v1/applications').expect(401);
      await t.http.get(`/api/v1/applications/${app.id}`).expect(401);
      await get(cast.ent1, 'nope').expect(400);
      await get(cast.ent1, MISSING).expect(404);
      await t.http
        .patch(`/api/v1/applications/${MISSING}`)
        .set(cast.ent1.auth)
        .send({ proposal: 'x' })
        .expect(404);
      await t.http.post(`/api/v1/applications/${MISSING}/submit`).set(cast.ent1.auth).expect(404);
      await t.http.post(`/api/v1/applications/${MISSING}/withdraw`).set(cast.ent1.auth).expect(404);
      await t.http.patch(`/api/v1/applications/${app.id}`).send({ proposal: 'x' }).expect(401);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).expect(401);
      await t.http.post(`/api/v1/applications/${app.id}/withdraw`).expect(401);
      await t.http.post(`/api/v1/applications/${app.id}/submit`).set(cast.operator.auth).expect(403);
    });
  });
});
