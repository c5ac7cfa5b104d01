import { createTestApp, PROBLEM_JSON, TestApp } from '../utils/test-app';
import {
  auditActions,
  auditEvents,
  Cast,
  createCast,
  DAY,
  draftScenario,
  HOUR,
  publishedBatch,
  scenarioBody,
} from './lifecycle-fixtures';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('batches and scenarios (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let batchId: string;

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    batchId = (await publishedBatch(t, cast.operator)).id;
  });
  afterAll(() => t.close());

  describe('batches', () => {
    it('operator creates a draft batch, publishes it once; both audited', async () => {
      const { id, number } = await publishedBatch(t, cast.operator, false);
      const got = await t.http.get(`/api/v1/batches/${id}`).set(cast.operator.auth).expect(200);
      expect(got.body).toEqual({
        id,
        number,
        title: expect.any(String),
        status: 'draft',
        publishedAt: null,
        createdAt: expect.any(String),
      });
      // the public does not see drafts
      await t.http.get(`/api/v1/batches/${id}`).expect(404);
      await t.http.get(`/api/v1/batches/${id}`).set(cast.ent1.auth).expect(404);
      const pub = await t.http.post(`/api/v1/batches/${id}/publish`).set(cast.operator.auth).expect(200);
      expect(pub.body).toEqual(
        expect.objectContaining({ status: 'published', publishedAt: expect.any(String) }),
      );
      const again = await t.http.post(`/api/v1/batches/${id}/publish`).set(cast.operator.auth).expect(409);
      expect(again.body.code).toBe('INVALID_STATE_TRANSITION');
      expect(await auditActions(t, id)).toEqual(['batch.create', 'batch.publish']);
      await t.http.get(`/api/v1/batches/${id}`).expect(200);
    });

    it('lists published batches to anyone, drafts only to operators, newest number first', async () => {
      const draft = await publishedBatch(t, cast.operator, false);
      const publicList = await t.http.get('/api/v1/batches?limit=100').expect(200);
      const ids = publicList.body.items.map((b: { id: string }) => b.id);
      expect(ids).toContain(batchId);
      expect(ids).not.toContain(draft.id);
      const numbers = publicList.body.items.map((b: { number: number }) => b.number);
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
      const opList = await t.http.get('/api/v1/batches?limit=100').set(cast.operator.auth).expect(200);
      expect(opList.body.items.map((b: { id: string }) => b.id)).toContain(draft.id);
    });

    it('pages with a cursor', async () => {
      await publishedBatch(t, cast.operator);
      const first = await t.http.get('/api/v1/batches?limit=1').expect(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.http.get(`/api/v1/batches?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body.items[0].number).toBeLessThan(first.body.items[0].number);
      const bad = await t.http.get('/api/v1/batches?cursor=bm9wZQ').expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
    });

    it('401 / 403 / 404 / 409 / 400 paths', async () => {
      await t.http.post('/api/v1/batches').send({ number: 1, title: 'x期' }).expect(401);
      for (const u of [cast.gov, cast.ent1, cast.auditor])
        await t.http.post('/api/v1/batches').set(u.auth).send({ number: 1, title: '某期' }).expect(403);
      await t.http.post(`/api/v1/batches/${batchId}/publish`).expect(401);
      await t.http.post(`/api/v1/batches/${batchId}/publish`).set(cast.gov.auth).expect(403);
      await t.http.post(`/api/v1/batches/${MISSING}/publish`).set(cast.operator.auth).expect(404);
      await t.http.get(`/api/v1/batches/${MISSING}`).expect(404);
      await t.http.get('/api/v1/batches/not-a-uuid').expect(400);
      const existing = await t.http.get(`/api/v1/batches/${batchId}`).expect(200);
      const dup = await t.http
        .post('/api/v1/batches')
        .set(cast.operator.auth)
        .send({ number: existing.body.number, title: '重复期' })
        .expect(409);
      expect(dup.body.code).toBe('BATCH_NUMBER_TAKEN');
      const bad = await t.http
        .post('/api/v1/batches')
        .set(cast.operator.auth)
        .send({ number: 0, title: '' })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['number', 'title']);
    });
  });

  describe('scenario drafting', () => {
    it('gov creates a draft of its own organization (defaults applied), audited', async () => {
      const body = scenarioBody();
      delete (body as Record<string, unknown>).sandboxDays;
      delete (body as Record<string, unknown>).datasetIds;
      const res = await t.http.post('/api/v1/scenarios').set(cast.gov.auth).send(body).expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          status: 'draft',
          issuerOrgId: cast.gov.organizationId,
          issuerOrgName: expect.any(String),
          sandboxDays: 90,
          datasetIds: [],
          batchId: null,
          applicationOpensAt: body.applicationOpensAt,
        }),
      );
      const events = await auditEvents(t, res.body.id, 'scenario.create');
      expect(events).toHaveLength(1);
      expect(events[0].actorId).toBe(cast.gov.id);
    });

    it('validates vocabularies, window, award mode, sandbox days and dataset ids', async () => {
      const post = (o: Record<string, unknown>) =>
        t.http.post('/api/v1/scenarios').set(cast.gov.auth).send(scenarioBody(o)).expect(400);
      const fields = async (o: Record<string, unknown>) =>
        (await post(o)).body.errors.map((e: { field: string }) => e.field).sort();
      expect(await fields({ domain: 'space', techField: 'magic', layer: 'sky' })).toEqual([
        'domain',
        'layer',
        'techField',
      ]);
      const now = Date.now();
      expect(
        await fields({
          applicationOpensAt: new Date(now).toISOString(),
          applicationClosesAt: new Date(now).toISOString(),
        }),
      ).toEqual(['applicationClosesAt']);
      expect(await fields({ awardMode: 'single', maxAwardees: 2 })).toEqual(['maxAwardees']);
      expect(await fields({ awardMode: 'parallel', maxAwardees: 1 })).toEqual(['maxAwardees']);
      expect(await fields({ awardMode: 'parallel', maxAwardees: 6 })).toEqual(['maxAwardees']);
      expect(await fields({ awardMode: 'lottery' })).toEqual(['awardMode']);
      expect(await fields({ sandboxDays: 0 })).toEqual(['sandboxDays']);
      expect(await fields({ sandboxDays: 366 })).toEqual(['sandboxDays']);
      expect(await fields({ datasetIds: ['not-a-uuid'] })).toEqual(['datasetIds']);
      expect(await fields({ applicationOpensAt: 'tomorrow' })).toEqual(['applicationOpensAt']);
      const res = await post({ extra: 1 });
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      // parallel with 2..5 is fine
      await t.http
        .post('/api/v1/scenarios')
        .set(cast.gov.auth)
        .send(scenarioBody({ awardMode: 'parallel', maxAwardees: 5, sandboxDays: 365 }))
        .expect(201);
    });

    it('only gov may create (401/403)', async () => {
      await t.http.post('/api/v1/scenarios').send(scenarioBody()).expect(401);
      for (const u of [cast.operator, cast.ent1, cast.auditor, cast.expert, cast.steward])
        await t.http.post('/api/v1/scenarios').set(u.auth).send(scenarioBody()).expect(403);
    });

    it('the issuer edits its draft (rules re-checked on the merged scenario); others cannot', async () => {
      const s = await draftScenario(t, cast.gov);
      const res = await t.http
        .patch(`/api/v1/scenarios/${s.id}`)
        .set(cast.gov.auth)
        .send({ title: '  学位供需预测 ', awardMode: 'parallel', maxAwardees: 3 })
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({ title: '学位供需预测', awardMode: 'parallel', maxAwardees: 3 }),
      );
      const bad = await t.http
        .patch(`/api/v1/scenarios/${s.id}`)
        .set(cast.gov.auth)
        .send({ awardMode: 'single' })
        .expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'maxAwardees' })]);
      // other government org: it may not even know the draft exists
      await t.http
        .patch(`/api/v1/scenarios/${s.id}`)
        .set(cast.gov2.auth)
        .send({ title: '改标题' })
        .expect(404);
      // operator may read it but not edit it
      await t.http
        .patch(`/api/v1/scenarios/${s.id}`)
        .set(cast.operator.auth)
        .send({ title: '改标题' })
        .expect(403);
      await t.http.patch(`/api/v1/scenarios/${s.id}`).send({ title: '改标题' }).expect(401);
      await t.http
        .patch(`/api/v1/scenarios/${MISSING}`)
        .set(cast.gov.auth)
        .send({ title: '改标题' })
        .expect(404);
      // the operator's refused edit is recorded as a denial
      expect(await auditActions(t, s.id)).toEqual(['scenario.create', 'scenario.update', 'authz.denied']);
    });
  });

  describe('scenario state machine over HTTP', () => {
    type Step = { path: string; who: keyof Cast; body?: Record<string, unknown> };
    const steps = (id: string): Record<string, Step> => ({
      submit: { path: `/api/v1/scenarios/${id}/submit`, who: 'gov' },
      withdraw: { path: `/api/v1/scenarios/${id}/withdraw`, who: 'gov' },
      return: { path: `/api/v1/scenarios/${id}/return`, who: 'operator', body: { reason: '请补充数据说明' } },
      publish: { path: `/api/v1/scenarios/${id}/publish`, who: 'operator', body: { batchId } },
      close: { path: `/api/v1/scenarios/${id}/close`, who: 'operator' },
    });
    const act = (id: string, name: string) => {
      const s = steps(id)[name];
      return t.http
        .post(s.path)
        .set(cast[s.who].auth)
        .send(s.body ?? {});
    };
    /** every route transition that is illegal from the scenario's current state answers 409 */
    async function expectOnlyLegal(id: string, legal: string[]) {
      for (const name of Object.keys(steps(id)).filter((n) => !legal.includes(n))) {
        const res = await act(id, name);
        expect({ name, status: res.status, code: res.body.code }).toEqual({
          name,
          status: 409,
          code: 'INVALID_STATE_TRANSITION',
        });
      }
      const edit = await t.http
        .patch(`/api/v1/scenarios/${id}`)
        .set(cast.gov.auth)
        .send({ title: '再改一次标题' });
      expect(edit.status).toBe(legal.includes('edit') ? 200 : 409);
    }

    it('draft → submitted → (return) draft → submitted → published → closed, each by its owner, audited', async () => {
      const s = await draftScenario(t, cast.gov);
      await expectOnlyLegal(s.id, ['submit', 'withdraw', 'edit']);

      const sub = await act(s.id, 'submit').expect(200);
      expect(sub.body).toEqual(
        expect.objectContaining({ status: 'submitted', submittedAt: expect.any(String) }),
      );
      await expectOnlyLegal(s.id, ['withdraw', 'return', 'publish']);

      const ret = await act(s.id, 'return').expect(200);
      expect(ret.body).toEqual(expect.objectContaining({ status: 'draft', returnReason: '请补充数据说明' }));
      await act(s.id, 'submit').expect(200);
      const pub = await act(s.id, 'publish').expect(200);
      expect(pub.body).toEqual(
        expect.objectContaining({
          status: 'published',
          batchId,
          publishedAt: expect.any(String),
          returnReason: null,
        }),
      );
      await expectOnlyLegal(s.id, ['close']);

      const closed = await act(s.id, 'close').expect(200);
      expect(closed.body).toEqual(
        expect.objectContaining({ status: 'closed', closedAt: expect.any(String) }),
      );
      await expectOnlyLegal(s.id, []);

      expect(await auditActions(t, s.id)).toEqual([
        'scenario.create',
        'scenario.update',
        'scenario.submit',
        'scenario.return',
        'scenario.submit',
        'scenario.publish',
        'scenario.close',
      ]);
      const returned = await auditEvents(t, s.id, 'scenario.return');
      expect(returned[0].actorId).toBe(cast.operator.id);
      expect(returned[0].details).toEqual(
        expect.objectContaining({ from: 'submitted', to: 'draft', reason: '请补充数据说明' }),
      );
    });

    it('withdraw from draft and from submitted; nothing leaves withdrawn', async () => {
      const a = await draftScenario(t, cast.gov);
      expect((await act(a.id, 'withdraw').expect(200)).body.status).toBe('withdrawn');
      await expectOnlyLegal(a.id, []);
      const b = await draftScenario(t, cast.gov);
      await act(b.id, 'submit').expect(200);
      await t.http
        .post(`/api/v1/scenarios/${b.id}/withdraw`)
        .set(cast.gov.auth)
        .send({ reason: '需求调整' })
        .expect(200);
      expect((await auditEvents(t, b.id, 'scenario.withdraw'))[0].details).toEqual(
        expect.objectContaining({ from: 'submitted', to: 'withdrawn', reason: '需求调整' }),
      );
    });

    it('each transition belongs to one role: others get 403 (or 404 when they may not see it)', async () => {
      const s = await draftScenario(t, cast.gov);
      // gov2 cannot see another org's draft
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.gov2.auth).expect(404);
      await t.http.post(`/api/v1/scenarios/${s.id}/withdraw`).set(cast.gov2.auth).expect(404);
      // roles without the action at all
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.operator.auth).expect(403);
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.ent1.auth).expect(403);
      await t.http
        .post(`/api/v1/scenarios/${s.id}/return`)
        .set(cast.gov.auth)
        .send({ reason: 'x' })
        .expect(403);
      await t.http.post(`/api/v1/scenarios/${s.id}/publish`).set(cast.gov.auth).send({ batchId }).expect(403);
      await t.http.post(`/api/v1/scenarios/${s.id}/close`).set(cast.gov.auth).expect(403);
      await t.http.post(`/api/v1/scenarios/${s.id}/withdraw`).set(cast.operator.auth).expect(403);
      for (const path of ['submit', 'withdraw', 'return', 'publish', 'close'])
        await t.http.post(`/api/v1/scenarios/${s.id}/${path}`).send({}).expect(401);
      for (const path of ['submit', 'withdraw'])
        await t.http.post(`/api/v1/scenarios/${MISSING}/${path}`).set(cast.gov.auth).send({}).expect(404);
      const bodies: Record<string, object> = { return: { reason: '原因' }, publish: { batchId }, close: {} };
      for (const [path, body] of Object.entries(bodies))
        await t.http
          .post(`/api/v1/scenarios/${MISSING}/${path}`)
          .set(cast.operator.auth)
          .send(body)
          .expect(404);
      // once published, gov2 can read it, but still not act on it: 403, and the denial is audited
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.gov.auth).expect(200);
      await t.http
        .post(`/api/v1/scenarios/${s.id}/publish`)
        .set(cast.operator.auth)
        .send({ batchId })
        .expect(200);
      await t.http.post(`/api/v1/scenarios/${s.id}/withdraw`).set(cast.gov2.auth).expect(403);
      const denied = await auditEvents(t, s.id, 'authz.denied');
      expect(denied.some((e) => e.actorId === cast.gov2.id && e.outcome === 'denied')).toBe(true);
    });

    it('return needs a reason; publish needs an existing, published batch and a window not over', async () => {
      const s = await draftScenario(t, cast.gov);
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.gov.auth).expect(200);
      const noReason = await t.http
        .post(`/api/v1/scenarios/${s.id}/return`)
        .set(cast.operator.auth)
        .send({})
        .expect(400);
      expect(new Set(noReason.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['reason']),
      );
      const noBatch = await t.http
        .post(`/api/v1/scenarios/${s.id}/publish`)
        .set(cast.operator.auth)
        .send({ batchId: MISSING })
        .expect(422);
      expect(noBatch.body).toEqual(
        expect.objectContaining({
          code: 'INVALID_REFERENCES',
          errors: [expect.objectContaining({ field: 'batchId' })],
        }),
      );
      const draftBatch = await publishedBatch(t, cast.operator, false);
      const unpublished = await t.http
        .post(`/api/v1/scenarios/${s.id}/publish`)
        .set(cast.operator.auth)
        .send({ batchId: draftBatch.id })
        .expect(409);
      expect(unpublished.body.code).toBe('BATCH_NOT_PUBLISHED');
      await t.http.post(`/api/v1/scenarios/${s.id}/publish`).set(cast.operator.auth).send({}).expect(400);

      const past = await draftScenario(t, cast.gov, {
        applicationOpensAt: new Date(Date.now() - 3 * DAY).toISOString(),
        applicationClosesAt: new Date(Date.now() - HOUR).toISOString(),
      });
      await t.http.post(`/api/v1/scenarios/${past.id}/submit`).set(cast.gov.auth).expect(200);
      const over = await t.http
        .post(`/api/v1/scenarios/${past.id}/publish`)
        .set(cast.operator.auth)
        .send({ batchId })
        .expect(422);
      expect(over.body.code).toBe('APPLICATION_WINDOW_PASSED');
      // nothing changed by the refused attempts
      expect((await t.http.get(`/api/v1/scenarios/${s.id}`).set(cast.gov.auth).expect(200)).body.status).toBe(
        'submitted',
      );
    });

    it('publishing schedules the close timer through the outbox', async () => {
      const s = await draftScenario(t, cast.gov);
      await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.gov.auth).expect(200);
      await t.http
        .post(`/api/v1/scenarios/${s.id}/publish`)
        .set(cast.operator.auth)
        .send({ batchId })
        .expect(200);
      const rows: { job_name: string; job_id: string; delay_ms: number }[] = await t.dataSource.query(
        `SELECT job_name, job_id, delay_ms FROM outbox WHERE job_id LIKE $1`,
        [`scenario.close/${s.id}.%`],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].delay_ms).toBeGreaterThan(0);
    });
  });
});
