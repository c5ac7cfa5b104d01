import { AuditEventEntity } from '@aihub/audit';
import { Clock } from '@aihub/core';
import {
  ApplicationEntity,
  PublicitiesService,
  PublicityCloseJob,
  SandboxProvisionRequestEntity,
  ScenarioEntity,
  ScenarioTransitionsService,
} from '@aihub/scenarios';
import { PublicityCloseHandler } from '@aihub/scenarios/jobs/publicity-close.handler';
import { ScenarioCloseHandler } from '@aihub/scenarios/jobs/scenario-close.handler';
import { In } from 'typeorm';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';
import {
  auditActions,
  auditEvents,
  Cast,
  createCast,
  DAY,
  draftApplication,
  formalPassedApplication,
  HOUR,
  notificationsOf,
  publishedBatch,
  publishedScenario,
  submittedApplication,
} from './lifecycle-fixtures';

const MISSING = '00000000-0000-4000-8000-000000000000';

interface Awardable {
  scenarioId: string;
  passed: { id: string; ent: TestUser }[];
  pending: { id: string; ent: TestUser };
}

/**
 * This suite moves its app's clock forward (days) and runs the timer sweeps, which act on the whole
 * (shared) test database: the other suites' windows end a year or more from now, out of its reach.
 */
describe('award, publicity (公示) and objections (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let batchId: string;
  let clock: Clock;
  let publicities: PublicitiesService;

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    clock = t.get(Clock);
    publicities = t.get(PublicitiesService);
    batchId = (await publishedBatch(t, cast.operator)).id;
  });
  afterAll(() => t.close());

  /** a closed scenario with `n` formal_passed applications and one still waiting for its formal check */
  async function awardable(n: number, overrides: Record<string, unknown> = {}): Promise<Awardable> {
    const s = await publishedScenario(t, cast, batchId, overrides);
    const passed = [];
    for (let i = 0; i < n; i++) {
      const ent = await t.createUser(['enterprise']);
      passed.push({ id: (await formalPassedApplication(t, ent, cast.operator, s.id)).id, ent });
    }
    const pendingEnt = await t.createUser(['enterprise']);
    const pending = { id: (await submittedApplication(t, pendingEnt, s.id)).id, ent: pendingEnt };
    await t.http.post(`/api/v1/scenarios/${s.id}/close`).set(cast.operator.auth).expect(200);
    return { scenarioId: s.id, passed, pending };
  }
  const award = (who: TestUser | null, scenarioId: string, applicationIds: string[]) => {
    const req = t.http.post(`/api/v1/scenarios/${scenarioId}/award`).send({ applicationIds });
    return who ? req.set(who.auth) : req;
  };
  const statuses = async (ids: string[]) => {
    const rows = await t.dataSource.getRepository(ApplicationEntity).find({ where: { id: In(ids) } });
    return ids.map((id) => rows.find((r) => r.id === id)!.status);
  };
  const scenarioStatus = async (id: string) =>
    (await t.dataSource.getRepository(ScenarioEntity).findOneByOrFail({ id })).status;
  const provisions = (scenarioId: string) =>
    t.dataSource.getRepository(SandboxProvisionRequestEntity).find({ where: { scenarioId } });
  const object = (id: string) =>
    t.http
      .post(`/api/v1/publicities/${id}/objections`)
      .set(cast.ent2.auth)
      .send({ reason: '拟入选单位存在资质问题，请核查。' });
  /** moves the clock past the publicity's end and runs the sweep as the timer would */
  async function passEnd(endsAt: string) {
    clock.advance(Date.parse(endsAt) - clock.now().getTime() + 1000);
    return publicities.closeDuePublicities(clock.now());
  }

  describe('POST /scenarios/:id/award', () => {
    it('respects the scenario state, the award mode and the applications’ states', async () => {
      const open = await publishedScenario(t, cast, batchId);
      const e = await t.createUser(['enterprise']);
      const app = await formalPassedApplication(t, e, cast.operator, open.id);
      expect((await award(cast.gov, open.id, [app.id]).expect(409)).body.code).toBe(
        'INVALID_STATE_TRANSITION',
      );

      const single = await awardable(2);
      const [a, b] = single.passed.map((p) => p.id);
      expect((await award(cast.gov, single.scenarioId, [a, b]).expect(422)).body.code).toBe(
        'AWARD_MODE_VIOLATION',
      );
      const notPassed = await award(cast.gov, single.scenarioId, [single.pending.id]).expect(409);
      expect(notPassed.body).toEqual(
        expect.objectContaining({ code: 'INVALID_STATE_TRANSITION', from: 'submitted', action: 'propose' }),
      );
      const foreign = await award(cast.gov, single.scenarioId, [app.id]).expect(422);
      expect(foreign.body).toEqual(
        expect.objectContaining({
          code: 'INVALID_REFERENCES',
          errors: [expect.objectContaining({ field: 'applicationIds[0]' })],
        }),
      );
      await award(cast.gov, single.scenarioId, [MISSING]).expect(422);
      await award(cast.gov, single.scenarioId, []).expect(400);
      await award(cast.gov, single.scenarioId, ['x']).expect(400);

      const parallel = await awardable(4, { awardMode: 'parallel', maxAwardees: 3 });
      const tooMany = await award(
        cast.gov,
        parallel.scenarioId,
        parallel.passed.map((p) => p.id),
      ).expect(422);
      expect(tooMany.body.code).toBe('AWARD_MODE_VIOLATION');
      await award(cast.gov, parallel.scenarioId, [
        ...parallel.passed.map((p) => p.id),
        MISSING,
        single.pending.id,
      ]).expect(400);
      // nothing moved
      expect(await scenarioStatus(single.scenarioId)).toBe('closed');
      expect(await statuses([a, b])).toEqual(['formal_passed', 'formal_passed']);
    });

    it('belongs to the issuer and operators: 401 / 403 / 404', async () => {
      const s = await awardable(1);
      const id = s.passed[0].id;
      await award(null, s.scenarioId, [id]).expect(401);
      for (const u of [cast.ent1, s.passed[0].ent, cast.auditor, cast.expert])
        await award(u, s.scenarioId, [id]).expect(403);
      await award(cast.gov2, s.scenarioId, [id]).expect(403); // can read the closed scenario, not award it
      await award(cast.gov, MISSING, [id]).expect(404);
      // an operator may propose as well
      await award(cast.operator, s.scenarioId, [id]).expect(201);
    });
  });

  describe('the award publicity, end to end', () => {
    let s: Awardable;
    let publicity: { id: string; endsAt: string; startsAt: string };
    let objectionId: string;

    it('opens a publicity of PUBLICITY_DAYS: proposed applications, scenario awarding, audited, notified', async () => {
      s = await awardable(2);
      const chosen = s.passed[0];
      const res = await award(cast.gov, s.scenarioId, [chosen.id]).expect(201);
      publicity = res.body;
      expect(Object.keys(res.body).sort()).toEqual(
        ['id', 'scenarioId', 'kind', 'status', 'startsAt', 'endsAt', 'subjects', 'objections'].sort(),
      );
      expect(res.body).toEqual(
        expect.objectContaining({
          scenarioId: s.scenarioId,
          kind: 'award',
          status: 'open',
          subjects: [
            {
              objectType: 'Application',
              objectId: chosen.id,
              organizationId: chosen.ent.organizationId,
              organizationName: expect.any(String),
            },
          ],
          objections: [],
        }),
      );
      expect(Date.parse(res.body.endsAt) - Date.parse(res.body.startsAt)).toBe(7 * DAY);
      expect(await scenarioStatus(s.scenarioId)).toBe('awarding');
      expect(await statuses([chosen.id, s.passed[1].id])).toEqual(['proposed', 'formal_passed']);
      expect(await auditActions(t, s.scenarioId)).toEqual(
        expect.arrayContaining(['scenario.close', 'scenario.propose_award']),
      );
      expect(await auditActions(t, chosen.id)).toEqual(expect.arrayContaining(['application.propose']));
      expect((await auditEvents(t, publicity.id, 'publicity.open'))[0].actorId).toBe(cast.gov.id);
      for (const u of [cast.gov, chosen.ent, s.passed[1].ent])
        expect((await notificationsOf(t, u.id, publicity.id)).map((n) => n.kind)).toEqual([
          'publicity.opened',
        ]);
      // the close is scheduled at endsAt through the outbox
      const jobs: { delay_ms: number }[] = await t.dataSource.query(
        `SELECT delay_ms FROM outbox WHERE job_id = $1`,
        [PublicityCloseJob.jobId({ publicityId: publicity.id, dueAt: publicity.endsAt })],
      );
      expect(jobs).toHaveLength(1);
      expect(jobs[0].delay_ms).toBeGreaterThan(7 * DAY - 60_000);
      // one open award publicity per scenario
      expect((await award(cast.gov, s.scenarioId, [s.passed[1].id]).expect(409)).body.code).toBe(
        'AWARD_PUBLICITY_OPEN',
      );
    });

    it('is public: listed and readable without a login', async () => {
      const list = await t.http.get(`/api/v1/publicities?scenarioId=${s.scenarioId}`).expect(200);
      expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([publicity.id]);
      const open = await t.http.get('/api/v1/publicities?status=open&kind=award&limit=100').expect(200);
      expect(open.body.items.map((p: { id: string }) => p.id)).toContain(publicity.id);
      await t.http.get(`/api/v1/publicities/${publicity.id}`).expect(200);
      await t.http.get(`/api/v1/publicities/${MISSING}`).expect(404);
      await t.http.get('/api/v1/publicities?kind=lottery').expect(400);
    });

    it('takes real-name objections from any logged-in user; only operators see who objected', async () => {
      await t.http
        .post(`/api/v1/publicities/${publicity.id}/objections`)
        .send({ reason: '匿名异议不受理。' })
        .expect(401);
      await t.http
        .post(`/api/v1/publicities/${publicity.id}/objections`)
        .set(cast.ent2.auth)
        .send({ reason: '短' })
        .expect(400);
      await t.http
        .post(`/api/v1/publicities/${MISSING}/objections`)
        .set(cast.ent2.auth)
        .send({ reason: '对不存在的公示提出异议' })
        .expect(404);
      const res = await object(publicity.id).expect(201);
      objectionId = res.body.id;
      expect(res.body).toEqual({
        id: objectionId,
        reason: '拟入选单位存在资质问题，请核查。',
        status: 'pending',
        resolution: null,
      });
      const filed = await auditEvents(t, objectionId, 'objection.file');
      expect(filed[0].actorId).toBe(cast.ent2.id); // recorded, real-name
      expect((await notificationsOf(t, cast.operator.id, objectionId)).map((n) => n.kind)).toEqual([
        'objection.filed',
      ]);

      for (const auth of [undefined, cast.ent1.auth, cast.ent2.auth, cast.gov.auth, cast.auditor.auth]) {
        const req = t.http.get(`/api/v1/publicities/${publicity.id}`);
        const view = await (auth ? req.set(auth) : req).expect(200);
        expect(view.body.objections).toEqual([
          { id: objectionId, reason: expect.any(String), status: 'pending', resolution: null },
        ]);
        expect(view.body.objections[0]).not.toHaveProperty('objector');
        const listed = await (
          auth
            ? t.http.get(`/api/v1/publicities?scenarioId=${s.scenarioId}`).set(auth)
            : t.http.get(`/api/v1/publicities?scenarioId=${s.scenarioId}`)
        ).expect(200);
        expect(listed.body.items[0].objections[0]).not.toHaveProperty('objector');
      }
      const op = await t.http.get(`/api/v1/publicities/${publicity.id}`).set(cast.operator.auth).expect(200);
      expect(op.body.objections[0].objector).toEqual({
        userId: cast.ent2.id,
        displayName: expect.any(String),
        organizationId: cast.ent2.organizationId,
        organizationName: expect.any(String),
      });
    });

    it('lets operators only resolve objections, once', async () => {
      const resolve = (
        who: TestUser | null,
        id: string,
        body: object = { upheld: false, resolution: '经核查，资质材料齐全，异议不成立。' },
      ) => {
        const req = t.http.post(`/api/v1/objections/${id}/resolve`).send(body);
        return who ? req.set(who.auth) : req;
      };
      await resolve(null, objectionId).expect(401);
      for (const u of [cast.gov, cast.ent2, cast.auditor]) await resolve(u, objectionId).expect(403);
      await resolve(cast.operator, MISSING).expect(404);
      await resolve(cast.operator, objectionId, { upheld: 'no' }).expect(400);
      const res = await resolve(cast.operator, objectionId).expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: objectionId,
          status: 'dismissed',
          resolution: '经核查，资质材料齐全，异议不成立。',
          objector: expect.any(Object),
        }),
      );
      expect((await resolve(cast.operator, objectionId).expect(409)).body.code).toBe(
        'OBJECTION_ALREADY_RESOLVED',
      );
      expect((await auditEvents(t, objectionId, 'objection.resolve'))[0].details).toEqual(
        expect.objectContaining({ upheld: false }),
      );
      expect((await notificationsOf(t, cast.ent2.id, objectionId)).map((n) => n.kind)).toEqual([
        'objection.resolved',
      ]);
    });

    it('does not close before endsAt; refuses objections from endsAt on', async () => {
      expect(await publicities.closeDuePublicities(clock.now())).not.toContain(publicity.id);
      expect(await publicities.closeIfDue(publicity.id, new Date(Date.parse(publicity.endsAt) - 1))).toEqual(
        expect.objectContaining({ closed: false, reason: 'not_due' }),
      );
      const spy = jest.spyOn(clock, 'now').mockImplementation(() => new Date(publicity.endsAt));
      try {
        expect((await object(publicity.id).expect(409)).body.code).toBe('PUBLICITY_CLOSED');
      } finally {
        spy.mockRestore();
      }
    });

    it('closes on time by the timer: awardee selected, others not_selected, scenario awarded, sandbox.provision recorded', async () => {
      const closed = await passEnd(publicity.endsAt);
      expect(closed).toContain(publicity.id);
      const view = await t.http.get(`/api/v1/publicities/${publicity.id}`).expect(200);
      expect(view.body.status).toBe('closed');
      const [chosen, other] = s.passed;
      expect(await statuses([chosen.id, other.id, s.pending.id])).toEqual([
        'selected',
        'not_selected',
        'submitted',
      ]);
      expect(await scenarioStatus(s.scenarioId)).toBe('awarded');

      const requests = await provisions(s.scenarioId);
      expect(requests).toEqual([
        expect.objectContaining({
          applicationId: chosen.id,
          organizationId: chosen.ent.organizationId,
          sandboxDays: 90,
          status: 'pending',
          publicityId: publicity.id,
        }),
      ]);
      const provisionAudit = await auditEvents(t, requests[0].id, 'sandbox.provision');
      expect(provisionAudit).toHaveLength(1);
      expect(provisionAudit[0].actorId).toBeNull();
      expect(await auditActions(t, publicity.id)).toEqual(['publicity.open', 'publicity.close']);
      expect((await auditEvents(t, publicity.id, 'publicity.close'))[0].details).toEqual(
        expect.objectContaining({ outcome: 'passed' }),
      );
      expect(await auditActions(t, s.scenarioId)).toEqual(
        expect.arrayContaining(['scenario.propose_award', 'scenario.award']),
      );
      expect(await auditActions(t, chosen.id)).toEqual(
        expect.arrayContaining(['application.propose', 'application.select']),
      );
      expect(await auditActions(t, other.id)).toEqual(expect.arrayContaining(['application.not_select']));

      expect((await notificationsOf(t, chosen.ent.id)).map((n) => n.kind)).toEqual(
        expect.arrayContaining(['application.selected', 'publicity.closed']),
      );
      expect((await notificationsOf(t, other.ent.id)).map((n) => n.kind)).toEqual(
        expect.arrayContaining(['application.not_selected', 'publicity.closed']),
      );
      const selectedNote = (await notificationsOf(t, chosen.ent.id, chosen.id)).find(
        (n) => n.kind === 'application.selected',
      );
      expect(selectedNote?.title).toBe('恭喜，揭榜申报已入选');

      // idempotent: the sweep and the delayed job may both come
      expect(await publicities.closeDuePublicities(clock.now())).not.toContain(publicity.id);
      const handler = t.get(PublicityCloseHandler);
      await handler.handle({ publicityId: publicity.id, dueAt: publicity.endsAt });
      expect(await provisions(s.scenarioId)).toHaveLength(1);
      expect(await auditEvents(t, publicity.id, 'publicity.close')).toHaveLength(1);
      expect((await object(publicity.id).expect(409)).body.code).toBe('PUBLICITY_CLOSED');
    });
  });

  it('an upheld objection fails the publicity: proposals back to formal_passed, scenario stays awarding, then a new proposal', async () => {
    const s = await awardable(3, { awardMode: 'parallel', maxAwardees: 2 });
    const [a, b, c] = s.passed;
    const first = (await award(cast.operator, s.scenarioId, [a.id, b.id]).expect(201)).body;
    expect(await statuses([a.id, b.id, c.id])).toEqual(['proposed', 'proposed', 'formal_passed']);
    const objection = (await object(first.id).expect(201)).body;
    await t.http
      .post(`/api/v1/objections/${objection.id}/resolve`)
      .set(cast.operator.auth)
      .send({ upheld: true, resolution: '异议成立：拟入选单位 B 存在利益冲突。' })
      .expect(200);
    expect((await notificationsOf(t, cast.ent2.id, objection.id))[0].title).toBe('您提出的公示异议已成立');

    expect(await passEnd(first.endsAt)).toContain(first.id);
    expect((await t.http.get(`/api/v1/publicities/${first.id}`).expect(200)).body).toEqual(
      expect.objectContaining({
        status: 'closed',
        objections: [expect.objectContaining({ status: 'upheld' })],
      }),
    );
    expect(await statuses([a.id, b.id, c.id])).toEqual(['formal_passed', 'formal_passed', 'formal_passed']);
    expect(await scenarioStatus(s.scenarioId)).toBe('awarding');
    expect(await provisions(s.scenarioId)).toEqual([]);
    expect((await auditEvents(t, first.id, 'publicity.close'))[0].details).toEqual(
      expect.objectContaining({ outcome: 'failed' }),
    );
    expect(await auditActions(t, s.scenarioId)).toContain('scenario.award_fail');
    expect(await auditActions(t, b.id)).toContain('application.unpropose');
    expect((await notificationsOf(t, a.ent.id, first.id)).map((n) => n.kind)).toEqual([
      'publicity.opened',
      'publicity.closed',
    ]);

    // a new proposal from `awarding`, and this time it passes
    const second = (await award(cast.gov, s.scenarioId, [a.id, c.id]).expect(201)).body;
    expect(second.id).not.toBe(first.id);
    expect(await passEnd(second.endsAt)).toContain(second.id);
    expect(await statuses([a.id, b.id, c.id])).toEqual(['selected', 'not_selected', 'selected']);
    expect(await scenarioStatus(s.scenarioId)).toBe('awarded');
    expect((await provisions(s.scenarioId)).map((p) => p.applicationId).sort()).toEqual([a.id, c.id].sort());
    // awarded: no further proposals
    expect((await award(cast.gov, s.scenarioId, [b.id]).expect(409)).body.code).toBe(
      'INVALID_STATE_TRANSITION',
    );
  });

  it('waits for pending objections past endsAt, and closes as soon as the last one is resolved', async () => {
    const s = await awardable(1);
    const p = (await award(cast.gov, s.scenarioId, [s.passed[0].id]).expect(201)).body;
    const objection = (await object(p.id).expect(201)).body;
    expect(await passEnd(p.endsAt)).not.toContain(p.id);
    expect((await t.http.get(`/api/v1/publicities/${p.id}`).expect(200)).body.status).toBe('open');
    expect(await publicities.closeIfDue(p.id)).toEqual({ closed: false, reason: 'objections_pending' });
    await t.http
      .post(`/api/v1/objections/${objection.id}/resolve`)
      .set(cast.operator.auth)
      .send({ upheld: false, resolution: '异议不成立。' })
      .expect(200);
    expect((await t.http.get(`/api/v1/publicities/${p.id}`).expect(200)).body.status).toBe('closed');
    expect(await scenarioStatus(s.scenarioId)).toBe('awarded');
  });

  it('applications can be withdrawn until proposed, not after', async () => {
    const s = await awardable(2);
    const [a, b] = s.passed;
    await award(cast.gov, s.scenarioId, [a.id]).expect(201);
    expect(
      (await t.http.post(`/api/v1/applications/${a.id}/withdraw`).set(a.ent.auth).expect(409)).body.code,
    ).toBe('INVALID_STATE_TRANSITION');
    await t.http.post(`/api/v1/applications/${b.id}/withdraw`).set(b.ent.auth).expect(200);
  });

  describe('scenario timers and later transitions', () => {
    it('closes a published scenario when applicationClosesAt passes (sweep and job), once', async () => {
      const now = clock.now().getTime();
      const s = await publishedScenario(
        t,
        cast,
        batchId,
        {
          applicationOpensAt: new Date(now - HOUR).toISOString(),
          applicationClosesAt: new Date(now + 2 * HOUR).toISOString(),
        },
        now,
      );
      const transitions = t.get(ScenarioTransitionsService);
      expect(await transitions.closeDueScenarios(clock.now())).not.toContain(s.id);
      const e = await t.createUser(['enterprise']);
      const app = await draftApplication(t, e, s.id);
      clock.advance(2 * HOUR);
      // the window is over even before the timer runs
      expect(
        (await t.http.post(`/api/v1/applications/${app.id}/submit`).set(e.auth).expect(409)).body.code,
      ).toBe('APPLICATION_WINDOW_CLOSED');
      expect(await transitions.closeDueScenarios(clock.now())).toContain(s.id);
      expect(await scenarioStatus(s.id)).toBe('closed');
      const [closeEvent] = await auditEvents(t, s.id, 'scenario.close');
      expect(closeEvent.actorId).toBeNull();
      expect(closeEvent.details).toEqual(
        expect.objectContaining({ by: 'timer', from: 'published', to: 'closed' }),
      );
      // the delayed job arriving afterwards changes nothing
      await t
        .get(ScenarioCloseHandler)
        .handle({ scenarioId: s.id, dueAt: new Date(now + 2 * HOUR).toISOString() });
      expect(await auditEvents(t, s.id, 'scenario.close')).toHaveLength(1);
    });

    it('exposes awarded → evaluating → concluded for the evaluation issue, audited, 409 otherwise', async () => {
      const s = await awardable(1);
      const p = (await award(cast.gov, s.scenarioId, [s.passed[0].id]).expect(201)).body;
      await passEnd(p.endsAt);
      const transitions = t.get(ScenarioTransitionsService);
      await expect(
        t.dataSource.transaction((m) => transitions.conclude(m, s.scenarioId)),
      ).rejects.toMatchObject({
        code: 'INVALID_STATE_TRANSITION',
      });
      await t.dataSource.transaction((m) => transitions.startEvaluation(m, s.scenarioId, { phase: 'p1' }));
      expect(await scenarioStatus(s.scenarioId)).toBe('evaluating');
      await t.dataSource.transaction((m) => transitions.conclude(m, s.scenarioId));
      expect(await scenarioStatus(s.scenarioId)).toBe('concluded');
      const events = await t.dataSource.getRepository(AuditEventEntity).find({
        where: { objectId: s.scenarioId, action: In(['scenario.start_evaluation', 'scenario.conclude']) },
      });
      expect(events.map((e) => e.action).sort()).toEqual(['scenario.conclude', 'scenario.start_evaluation']);
      // still public
      expect((await t.http.get(`/api/v1/scenarios/${s.scenarioId}`).expect(200)).body.status).toBe(
        'concluded',
      );
    });
  });
});
