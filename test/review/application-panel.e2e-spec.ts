/**
 * Application-stage expert review end to end: pool, panel with automatic recusal (lead and consortium
 * member affiliations), blind assignments and subjects, declared conflicts, scoring rules, close with
 * known-answer aggregates and outliers, shortlist, reopen (a new round), award, audit.
 */
import { ApplicationEntity } from '@aihub/scenarios';
import { PanelResultEntity } from '@aihub/review';
import { nameVariants } from '@aihub/review/services/blind';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser } from '../utils/test-app';
import { auditActions, Cast, createCast, notificationsOf } from '../scenarios/lifecycle-fixtures';
import {
  closeScenario,
  openScenario,
  organization,
  panelBody,
  passedApplication,
  poolExperts,
} from './review-fixtures';

describe('application panels (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let ent3: TestUser;
  let ent4: TestUser;
  let experts: TestUser[];
  let outsider: TestUser;
  let scenarioId: string;
  let apps: Awaited<ReturnType<typeof passedApplication>>[];
  let panel: {
    id: string;
    subjects: {
      id: string;
      code: string;
      applicationId: string;
      recusedExpertIds: string[];
      eligibleExperts: number;
    }[];
    warnings: unknown[];
  };
  /** every body and header an expert received, for the blind-leak check */
  const expertFacing: string[] = [];
  const remember = <T extends { body: unknown; headers: Record<string, unknown> }>(res: T): T => {
    expertFacing.push(JSON.stringify(res.body ?? null), JSON.stringify(res.headers));
    return res;
  };
  const subjectOf = (appIndex: number) => panel.subjects.find((s) => s.applicationId === apps[appIndex].id)!;

  beforeAll(async () => {
    t = await createTestApp({ env: { REVIEW_COMMENT_THRESHOLD: '60' } });
    cast = await createCast(t);
    [ent3, ent4] = await Promise.all([t.createUser(['enterprise']), t.createUser(['enterprise'])]);
    const scenario = await openScenario(t, cast);
    scenarioId = scenario.id;
    apps = [
      await passedApplication(t, cast.ent1, cast.operator, scenarioId),
      await passedApplication(t, cast.ent2, cast.operator, scenarioId, [ent3.organizationId]),
      await passedApplication(t, ent4, cast.operator, scenarioId),
    ];
    await closeScenario(t, cast.operator, scenarioId);
    // e0 is affiliated with ent1 (the lead), e1 with ent3 (a consortium member of ent2's application)
    experts = await poolExperts(t, cast.operator, [
      cast.ent1.organizationId,
      ent3.organizationId,
      undefined,
      undefined,
      undefined,
    ]);
    [outsider] = await poolExperts(t, cast.operator, [undefined]);
  });
  afterAll(() => t.close());

  describe('expert pool', () => {
    it('is managed by operators; experts see themselves only', async () => {
      const e = experts[0];
      const got = await t.http.get(`/api/v1/experts/${e.id}`).set(cast.operator.auth).expect(200);
      expect(got.body).toMatchObject({
        id: e.id,
        affiliation: { id: cast.ent1.organizationId },
        expertise: ['text_processing'],
        active: true,
      });
      await t.http.get(`/api/v1/experts/${e.id}`).set(e.auth).expect(200);
      expect(
        (await t.http.get(`/api/v1/experts/${e.id}`).set(experts[1].auth).expect(404)).headers[
          'content-type'
        ],
      ).toMatch(PROBLEM_JSON);
      const mine = await t.http.get('/api/v1/experts').set(e.auth).expect(200);
      expect(mine.body.items.map((x: { id: string }) => x.id)).toEqual([e.id]);
      await t.http.get('/api/v1/experts').set(cast.ent1.auth).expect(403);
      await t.http.get('/api/v1/experts').expect(401);
      const filtered = await t.http
        .get('/api/v1/experts?expertise=text_processing&limit=100')
        .set(cast.operator.auth)
        .expect(200);
      expect(filtered.body.items.length).toBeGreaterThan(0);
    });

    it('refuses duplicates, non-experts, unknown organizations and non-operators', async () => {
      const res = await t.http
        .post('/api/v1/experts')
        .set(cast.operator.auth)
        .send({ userId: experts[2].id, expertise: [] })
        .expect(409);
      expect(res.body.code).toBe('EXPERT_EXISTS');
      expect(
        (
          await t.http
            .post('/api/v1/experts')
            .set(cast.operator.auth)
            .send({ userId: cast.ent1.id, expertise: [] })
            .expect(422)
        ).body.code,
      ).toBe('INVALID_REFERENCES');
      const u = await t.createUser(['expert']);
      const bad = await t.http
        .post('/api/v1/experts')
        .set(cast.operator.auth)
        .send({ userId: u.id, expertise: [], affiliationOrgId: '00000000-0000-4000-8000-000000000000' })
        .expect(422);
      expect(bad.body.errors[0].field).toBe('affiliationOrgId');
      expect(
        (
          await t.http
            .post('/api/v1/experts')
            .set(cast.operator.auth)
            .send({ userId: u.id, expertise: ['cooking'] })
            .expect(400)
        ).body.code,
      ).toBe('VALIDATION_FAILED');
      await t.http
        .post('/api/v1/experts')
        .set(cast.gov.auth)
        .send({ userId: u.id, expertise: [] })
        .expect(403);
      const patched = await t.http
        .patch(`/api/v1/experts/${experts[4].id}`)
        .set(cast.operator.auth)
        .send({ expertise: ['text_processing', 'knowledge_graph'] })
        .expect(200);
      expect(patched.body.expertise).toEqual(['text_processing', 'knowledge_graph']);
      await t.http
        .patch(`/api/v1/experts/${experts[4].id}`)
        .set(experts[4].auth)
        .send({ active: false })
        .expect(403);
      expect(await auditActions(t, experts[4].id)).toEqual(
        expect.arrayContaining(['expert.create', 'expert.update']),
      );
    });
  });

  describe('forming a panel', () => {
    it('validates the request and the scenario', async () => {
      const ids = experts.map((e) => e.id);
      await t.http.post('/api/v1/panels').send(panelBody(scenarioId, ids)).expect(401);
      await t.http.post('/api/v1/panels').set(cast.gov.auth).send(panelBody(scenarioId, ids)).expect(403);
      const weights = await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(panelBody(scenarioId, ids, { rubric: [{ criterion: 'a', weight: 0.5, maxScore: 10 }] }))
        .expect(400);
      expect(weights.body.errors).toEqual([
        expect.objectContaining({ field: 'rubric', message: expect.stringContaining('sum to 1') }),
      ]);
      const unknown = await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(panelBody(scenarioId, [...ids.slice(0, 2), cast.ent1.id]))
        .expect(422);
      expect(unknown.body).toMatchObject({ code: 'INVALID_REFERENCES', errors: [{ field: 'expertIds[2]' }] });
      const open = await openScenario(t, cast);
      const early = await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(panelBody(open.id, ids))
        .expect(409);
      expect(early.body.code).toBe('SCENARIO_NOT_READY_FOR_PANEL');
      await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(panelBody('00000000-0000-4000-8000-000000000000', ids))
        .expect(422);
    });

    it('recuses experts affiliated with a lead or a consortium member, and warns about thin subjects', async () => {
      const res = await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(
          panelBody(
            scenarioId,
            experts.map((e) => e.id),
          ),
        )
        .expect(201);
      panel = res.body;
      expect(panel.subjects).toHaveLength(3);
      expect(panel.subjects.map((s) => s.code).sort()).toEqual(['A-01', 'A-02', 'A-03']);
      expect(subjectOf(0).recusedExpertIds).toEqual([experts[0].id]);
      expect(subjectOf(1).recusedExpertIds).toEqual([experts[1].id]);
      expect(subjectOf(2).recusedExpertIds).toEqual([]);
      expect(subjectOf(0).eligibleExperts).toBe(4);
      expect(panel.warnings).toEqual([]);
      // a panel of 3 where one is recused: 2 left → a warning names the subject
      const small = await t.http
        .post('/api/v1/panels')
        .set(cast.operator.auth)
        .send(panelBody(scenarioId, [experts[0].id, experts[2].id, experts[3].id], { blind: false }))
        .expect(201);
      const ent1Subject = small.body.subjects.find(
        (s: { applicationId: string }) => s.applicationId === apps[0].id,
      );
      expect(small.body.warnings).toEqual([
        expect.objectContaining({
          code: 'FEW_ELIGIBLE_EXPERTS',
          subjectId: ent1Subject.id,
          eligibleExperts: 2,
        }),
      ]);
      // an open (non-blind) panel names the companies to its experts
      const open = await t.http
        .get(`/api/v1/panels/${small.body.id}/assignments`)
        .set(experts[2].auth)
        .expect(200);
      expect(open.body.blind).toBe(false);
      expect(
        open.body.items.find((i: { subjectId: string }) => i.subjectId === ent1Subject.id).organization,
      ).toEqual({
        id: cast.ent1.organizationId,
        name: apps[0].orgName,
      });
      const openSubject = await t.http
        .get(`/api/v1/panels/${small.body.id}/subjects/${ent1Subject.id}`)
        .set(experts[2].auth)
        .expect(200);
      expect(openSubject.body.proposal).toContain(apps[0].orgName);
      expect(openSubject.body.attachments[0].name).toBe(apps[0].fileName);
      const listed = await t.http
        .get(`/api/v1/panels?scenarioId=${scenarioId}`)
        .set(cast.operator.auth)
        .expect(200);
      expect(listed.body.items.map((p: { id: string }) => p.id)).toEqual([panel.id, small.body.id]);
      // the issuer reads its scenario's panels; another department does not
      await t.http.get(`/api/v1/panels/${panel.id}`).set(cast.gov.auth).expect(200);
      await t.http.get(`/api/v1/panels/${panel.id}`).set(cast.gov2.auth).expect(404);
      expect(
        (await t.http.get(`/api/v1/panels?scenarioId=${scenarioId}`).set(cast.gov2.auth).expect(200)).body
          .items,
      ).toEqual([]);
      await t.http.get(`/api/v1/panels/${panel.id}`).set(experts[2].auth).expect(403);
      // the expert's 403 is audited too
      expect(await auditActions(t, panel.id)).toEqual(['panel.create', 'authz.denied']);
      const invited = await notificationsOf(t, experts[2].id, panel.id);
      expect(invited).toEqual([expect.objectContaining({ kind: 'panel.assigned', objectType: 'Panel' })]);
      expect(invited[0].body).not.toContain(apps[0].orgName);
    });
  });

  describe('what experts see', () => {
    it('lists only the caller’s own assignments, with codes; others get 404', async () => {
      const mine = remember(
        await t.http.get(`/api/v1/panels/${panel.id}/assignments`).set(experts[2].auth).expect(200),
      );
      expect(mine.body.items).toHaveLength(3);
      expect(new Set(mine.body.items.map((i: { expertId: string }) => i.expertId))).toEqual(
        new Set([experts[2].id]),
      );
      expect(mine.body.rubric).toEqual(
        expect.arrayContaining([expect.objectContaining({ criterion: '技术方案' })]),
      );
      const recusedView = remember(
        await t.http.get(`/api/v1/panels/${panel.id}/assignments`).set(experts[0].auth).expect(200),
      );
      expect(
        recusedView.body.items.find((i: { subjectId: string }) => i.subjectId === subjectOf(0).id),
      ).toMatchObject({
        recused: true,
        recusalKind: 'affiliation',
      });
      await t.http.get(`/api/v1/panels/${panel.id}/assignments`).set(outsider.auth).expect(404);
      await t.http.get(`/api/v1/panels/${panel.id}/assignments`).set(cast.ent1.auth).expect(403);
      await t.http.get(`/api/v1/panels/${panel.id}/assignments`).expect(401);
      const all = await t.http
        .get(`/api/v1/panels/${panel.id}/assignments`)
        .set(cast.operator.auth)
        .expect(200);
      expect(all.body.items).toHaveLength(15);
    });

    it('shows a subject’s proposal with the company replaced by its code, and attachments by code', async () => {
      const s0 = subjectOf(0);
      const res = remember(
        await t.http.get(`/api/v1/panels/${panel.id}/subjects/${s0.id}`).set(experts[2].auth).expect(200),
      );
      expect(res.body.proposal).toContain(`【${s0.code}】`);
      expect(res.body.proposal).not.toContain(apps[0].orgName);
      expect(res.body.attachments).toEqual([
        expect.objectContaining({ name: `${s0.code}-附件1.pdf`, kind: 'pdf' }),
      ]);
      const file = remember(
        await t.http
          .get(`/api/v1/panels/${panel.id}/subjects/${s0.id}/attachments/${res.body.attachments[0].id}`)
          .set(experts[2].auth)
          .buffer(true)
          .parse((r, cb) => {
            const chunks: Buffer[] = [];
            r.on('data', (c: Buffer) => chunks.push(c));
            r.on('end', () => cb(null, Buffer.concat(chunks)));
          })
          .expect(200),
      );
      expect((file.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
      expect(file.headers['content-disposition']).toContain(encodeURIComponent(`${s0.code}-附件1.pdf`));
      const s1 = subjectOf(1);
      const consortium = remember(
        await t.http.get(`/api/v1/panels/${panel.id}/subjects/${s1.id}`).set(experts[2].auth).expect(200),
      );
      expect(consortium.body.consortiumSize).toBe(1);
      expect(consortium.body.organization).toBeUndefined();
    });

    it('answers 404 to recused experts and to subjects of other panels', async () => {
      await t.http
        .get(`/api/v1/panels/${panel.id}/subjects/${subjectOf(0).id}`)
        .set(experts[0].auth)
        .expect(404);
      await t.http
        .get(`/api/v1/panels/${panel.id}/subjects/${subjectOf(1).id}`)
        .set(experts[1].auth)
        .expect(404);
      await t.http
        .get(`/api/v1/panels/${panel.id}/subjects/${subjectOf(0).id}`)
        .set(outsider.auth)
        .expect(404);
      await t.http
        .get(`/api/v1/panels/${panel.id}/subjects/00000000-0000-4000-8000-000000000000`)
        .set(experts[2].auth)
        .expect(404);
      const s0 = subjectOf(0);
      await t.http
        .put(`/api/v1/panels/${panel.id}/scores/${s0.id}`)
        .set(experts[0].auth)
        .send({ scores: { 技术方案: 50, 应用价值: 25 }, comment: 'x' })
        .expect(404);
    });
  });

  describe('scoring', () => {
    const put = (expert: TestUser, subjectId: string, scores: Record<string, unknown>, comment?: string) =>
      t.http
        .put(`/api/v1/panels/${panel.id}/scores/${subjectId}`)
        .set(expert.auth)
        .send({ scores, ...(comment === undefined ? {} : { comment }) });

    it('validates scores against the rubric and asks for a comment below the threshold', async () => {
      const s0 = subjectOf(0).id;
      const over = remember(await put(experts[2], s0, { 技术方案: 101, 应用价值: 10 }).expect(422));
      expect(over.body).toMatchObject({ code: 'INVALID_SCORES', errors: [{ field: 'scores.技术方案' }] });
      const missing = await put(experts[2], s0, { 技术方案: 80 }).expect(422);
      expect(missing.body.errors).toEqual([
        expect.objectContaining({ field: 'scores.应用价值', message: 'score is missing' }),
      ]);
      const extra = await put(experts[2], s0, { 技术方案: 80, 应用价值: 40, 创新: 1 }).expect(422);
      expect(extra.body.errors).toEqual([expect.objectContaining({ field: 'scores.创新' })]);
      const low = await put(experts[5 - 1], s0, { 技术方案: 30, 应用价值: 10 }).expect(422);
      expect(low.body).toMatchObject({ code: 'COMMENT_REQUIRED', total: 26, threshold: 60 });
      expect((await put(experts[2], s0, 'nope' as never).expect(400)).body.code).toBe('VALIDATION_FAILED');
      await t.http
        .put(`/api/v1/panels/${panel.id}/scores/${s0}`)
        .set(cast.operator.auth)
        .send({ scores: {} })
        .expect(403);
      await t.http.put(`/api/v1/panels/${panel.id}/scores/${s0}`).send({ scores: {} }).expect(401);
    });

    it('takes a declared conflict: the expert loses the subject (and its score)', async () => {
      const s1 = subjectOf(1).id;
      remember(await put(experts[3], s1, { 技术方案: 90, 应用价值: 45 }).expect(200));
      const declared = remember(
        await t.http
          .post(`/api/v1/panels/${panel.id}/conflicts`)
          .set(experts[3].auth)
          .send({ subjectId: s1, reason: '本人曾为该单位提供技术咨询。' })
          .expect(201),
      );
      expect(declared.body).toMatchObject({
        subjectId: s1,
        kind: 'declared',
        expertId: experts[3].id,
        eligibleExperts: 3,
        fewEligibleExperts: false,
      });
      await t.http.get(`/api/v1/panels/${panel.id}/subjects/${s1}`).set(experts[3].auth).expect(404);
      await put(experts[3], s1, { 技术方案: 90, 应用价值: 45 }).expect(404);
      const again = await t.http
        .post(`/api/v1/panels/${panel.id}/conflicts`)
        .set(experts[3].auth)
        .send({ subjectId: s1, reason: '重复声明' })
        .expect(409);
      expect(again.body.code).toBe('ALREADY_RECUSED');
      await t.http
        .post(`/api/v1/panels/${panel.id}/conflicts`)
        .set(outsider.auth)
        .send({ subjectId: s1, reason: '无关' })
        .expect(404);
      await t.http
        .post(`/api/v1/panels/${panel.id}/conflicts`)
        .set(experts[2].auth)
        .send({ subjectId: s1 })
        .expect(400);
      const view = await t.http.get(`/api/v1/panels/${panel.id}`).set(cast.operator.auth).expect(200);
      expect(view.body.subjects.find((s: { id: string }) => s.id === s1).recusedExpertIds.sort()).toEqual(
        [experts[1].id, experts[3].id].sort(),
      );
    });

    it('stores and replaces scores while the round is open', async () => {
      const [s0, s1] = [subjectOf(0).id, subjectOf(1).id];
      // subject 0 (e0 recused): totals 80, 90, 70, 26
      remember(await put(experts[1], s0, { 技术方案: 10, 应用价值: 10 }, '初评').expect(200));
      const replaced = remember(await put(experts[1], s0, { 技术方案: 80, 应用价值: 40 }).expect(200));
      expect(replaced.body).toMatchObject({ total: 80, round: 1, comment: null, code: subjectOf(0).code });
      remember(await put(experts[2], s0, { 技术方案: 90, 应用价值: 45 }).expect(200));
      remember(await put(experts[3], s0, { 技术方案: 70, 应用价值: 35 }).expect(200));
      remember(
        await put(
          experts[4],
          s0,
          { 技术方案: 30, 应用价值: 10 },
          '方案与场景需求不符，数据使用方式不清晰。',
        ).expect(200),
      );
      // subject 1 (e1 affiliated, e3 declared): totals 100, 60, 60
      remember(await put(experts[0], s1, { 技术方案: 100, 应用价值: 50 }).expect(200));
      remember(await put(experts[2], s1, { 技术方案: 60, 应用价值: 30 }).expect(200));
      remember(await put(experts[4], s1, { 技术方案: 60, 应用价值: 30 }).expect(200));
      // subject 2 is never scored
      const mine = remember(
        await t.http.get(`/api/v1/panels/${panel.id}/assignments`).set(experts[2].auth).expect(200),
      );
      expect(mine.body.items.filter((i: { scored: boolean }) => i.scored)).toHaveLength(2);
    });
  });

  describe('closing, results, shortlist, reopening', () => {
    it('computes aggregates, outliers and ranks, freezes the round and shortlists the scored applications', async () => {
      await t.http.post(`/api/v1/panels/${panel.id}/close`).set(experts[2].auth).expect(403);
      const notYet = await t.http
        .get(`/api/v1/panels/${panel.id}/results`)
        .set(cast.operator.auth)
        .expect(409);
      expect(notYet.body.code).toBe('PANEL_NOT_CLOSED');
      const closed = await t.http
        .post(`/api/v1/panels/${panel.id}/close`)
        .set(cast.operator.auth)
        .expect(200);
      const [s0, s1, s2] = [subjectOf(0), subjectOf(1), subjectOf(2)];
      expect(closed.body.round).toBe(1);
      expect(closed.body.items.map((i: { subjectId: string }) => i.subjectId)).toEqual([s1.id, s0.id, s2.id]);
      const byId = Object.fromEntries(closed.body.items.map((i: { subjectId: string }) => [i.subjectId, i]));
      // 4 totals: trimmed_mean needs 5, so the plain mean (80 + 90 + 70 + 26) / 4
      expect(byId[s0.id]).toMatchObject({ aggregate: 66.5, rank: 2, recusedExpertIds: [experts[0].id] });
      // median 75: 26 is 49 points away (> 20, and > 2 × 24.43 SD); the others are within 15
      expect(byId[s0.id].expertTotals).toEqual([
        { expertId: experts[1].id, total: 80, outlier: false },
        { expertId: experts[2].id, total: 90, outlier: false },
        { expertId: experts[3].id, total: 70, outlier: false },
        { expertId: experts[4].id, total: 26, outlier: true },
      ]);
      expect(byId[s1.id]).toMatchObject({ aggregate: 73.3333, rank: 1 });
      expect(byId[s1.id].recusedExpertIds.sort()).toEqual([experts[1].id, experts[3].id].sort());
      expect(byId[s2.id]).toMatchObject({ aggregate: null, rank: null, expertTotals: [] });
      expect(byId[s1.id].organization.name).toBe(apps[1].orgName);

      const status = async (id: string) =>
        (await t.dataSource.getRepository(ApplicationEntity).findOneByOrFail({ id })).status;
      expect(await status(apps[0].id)).toBe('shortlisted');
      expect(await status(apps[1].id)).toBe('shortlisted');
      expect(await status(apps[2].id)).toBe('formal_passed');
      expect(await auditActions(t, apps[1].id)).toContain('application.shortlist');
      expect(await auditActions(t, panel.id)).toEqual(
        expect.arrayContaining(['panel.create', 'panel.score', 'panel.conflict_declare', 'panel.close']),
      );
    });

    it('refuses score changes and a second close after closing', async () => {
      const res = await t.http
        .put(`/api/v1/panels/${panel.id}/scores/${subjectOf(0).id}`)
        .set(experts[2].auth)
        .send({ scores: { 技术方案: 100, 应用价值: 50 } })
        .expect(409);
      expect(res.body.code).toBe('PANEL_CLOSED');
      expect(
        (await t.http.post(`/api/v1/panels/${panel.id}/close`).set(cast.operator.auth).expect(409)).body.code,
      ).toBe('INVALID_STATE_TRANSITION');
      const conflict = await t.http
        .post(`/api/v1/panels/${panel.id}/conflicts`)
        .set(experts[2].auth)
        .send({ subjectId: subjectOf(2).id, reason: '迟到的声明' })
        .expect(409);
      expect(conflict.body.code).toBe('PANEL_CLOSED');
    });

    it('reopens as a new round from the closed scores; the closed round stays as it was', async () => {
      await t.http.post(`/api/v1/panels/${panel.id}/reopen`).set(cast.gov.auth).expect(403);
      const reopened = await t.http
        .post(`/api/v1/panels/${panel.id}/reopen`)
        .set(cast.operator.auth)
        .expect(200);
      expect(reopened.body).toMatchObject({ status: 'open', round: 2 });
      const mine = await t.http
        .get(`/api/v1/panels/${panel.id}/assignments`)
        .set(experts[4].auth)
        .expect(200);
      expect(
        mine.body.items.find((i: { subjectId: string }) => i.subjectId === subjectOf(0).id),
      ).toMatchObject({ scored: true, total: 26 });
      await t.http
        .put(`/api/v1/panels/${panel.id}/scores/${subjectOf(0).id}`)
        .set(experts[4].auth)
        .send({ scores: { 技术方案: 75, 应用价值: 35 } })
        .expect(200);
      const closed = await t.http
        .post(`/api/v1/panels/${panel.id}/close`)
        .set(cast.operator.auth)
        .expect(200);
      expect(closed.body.round).toBe(2);
      const s0 = closed.body.items.find((i: { subjectId: string }) => i.subjectId === subjectOf(0).id);
      // (80 + 90 + 70 + 73) / 4
      expect(s0.aggregate).toBe(78.25);
      expect(s0.rank).toBe(1);
      const round1 = await t.dataSource
        .getRepository(PanelResultEntity)
        .findOneByOrFail({ panelId: panel.id, round: 1, subjectId: subjectOf(0).id });
      expect(round1.aggregate).toBe(66.5);
      const first = await t.http
        .get(`/api/v1/panels/${panel.id}/results?round=1`)
        .set(cast.operator.auth)
        .expect(200);
      expect(
        first.body.items.find((i: { subjectId: string }) => i.subjectId === subjectOf(0).id).aggregate,
      ).toBe(66.5);
      expect(
        (await t.http.get(`/api/v1/panels/${panel.id}/results?round=3`).set(cast.operator.auth).expect(409))
          .body.code,
      ).toBe('PANEL_NOT_CLOSED');
      await t.http.get(`/api/v1/panels/${panel.id}/results?round=zero`).set(cast.operator.auth).expect(400);
      expect(
        (await t.http.get(`/api/v1/panels/${panel.id}/results`).set(cast.gov.auth).expect(200)).body.round,
      ).toBe(2);
      expect(await auditActions(t, panel.id)).toEqual(expect.arrayContaining(['panel.reopen']));
    });

    it('feeds the award proposal: a shortlisted application can be proposed', async () => {
      const res = await t.http
        .post(`/api/v1/scenarios/${scenarioId}/award`)
        .set(cast.gov.auth)
        .send({ applicationIds: [apps[0].id] });
      expect([200, 201]).toContain(res.status);
      const app = await t.dataSource.getRepository(ApplicationEntity).findOneByOrFail({ id: apps[0].id });
      expect(app.status).toBe('proposed');
    });
  });

  it('never shows an expert a company name, credit code or uploaded file name in a blind panel', async () => {
    const terms: string[] = [];
    for (const app of apps) terms.push(...nameVariants(app.orgName), app.creditCode, app.fileName);
    const member = await organization(t, ent3.organizationId);
    terms.push(...nameVariants(member.name), member.creditCode!);
    expect(expertFacing.length).toBeGreaterThan(20);
    const all = expertFacing.join('\n');
    for (const term of terms) expect({ term, found: all.includes(term) }).toEqual({ term, found: false });
    for (const term of terms)
      expect({ term, found: all.includes(encodeURIComponent(term)) }).toEqual({ term, found: false });
  });
});
