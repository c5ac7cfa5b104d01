/**
 * Result stage end to end: award through its publicity, evaluation submissions scored by the
 * evaluation lib's own scorer, a blind result panel, the combined ranking published through a
 * `results` publicity, the scenario concluded, private scores revealed, and the PDF report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScoringService as EvaluationScoring } from '@aihub/evaluation';
import { nameVariants } from '@aihub/review/services/blind';
import { PublicitiesService, PublicityEntity, ScenarioEntity } from '@aihub/scenarios';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';
import { auditActions, Cast, createCast } from '../scenarios/lifecycle-fixtures';
import { labelPredictions, labelTruth, phaseBody } from '../evaluation/evaluation-fixtures';
import {
  closeScenario,
  openScenario,
  organization,
  passedApplication,
  poolExperts,
  RUBRIC,
} from './review-fixtures';

const pdfText = (pdf: Buffer): string => {
  const dir = mkdtempSync(join(tmpdir(), 'aihub-report-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', join(dir, 'r.pdf'), '-'], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('result panels and published results (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let experts: TestUser[];
  let scenarioId: string;
  let phaseId: string;
  let apps: Awaited<ReturnType<typeof passedApplication>>[];
  let panelId: string;
  let subjects: { id: string; applicationId: string; code: string }[];
  let publicityId: string;
  const expertFacing: string[] = [];
  const remember = <T extends { body: unknown; headers: Record<string, unknown> }>(res: T): T => {
    expertFacing.push(JSON.stringify(res.body ?? null), JSON.stringify(res.headers));
    return res;
  };
  const status = async () =>
    (await t.dataSource.getRepository(ScenarioEntity).findOneByOrFail({ id: scenarioId })).status;
  /**
   * Closes the publicity as its timer would at endsAt. Another suite moving its own clock may sweep the
   * shared database first (same effect, same outcome), so the answer is read back from the row.
   */
  const passPublicity = async (id: string) => {
    const p = await t.http.get(`/api/v1/publicities/${id}`).expect(200);
    await t.get(PublicitiesService).closeIfDue(id, new Date(Date.parse(p.body.endsAt) + 1000));
    const row = await t.dataSource.getRepository(PublicityEntity).findOneByOrFail({ id });
    return { closed: row.status === 'closed', outcome: row.outcome };
  };

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    const scenario = await openScenario(t, cast, { awardMode: 'parallel', maxAwardees: 2 });
    scenarioId = scenario.id;
    apps = [
      await passedApplication(t, cast.ent1, cast.operator, scenarioId),
      await passedApplication(t, cast.ent2, cast.operator, scenarioId),
    ];
    await closeScenario(t, cast.operator, scenarioId);
    // 挂帅 through its publicity: both become awardees, the scenario `awarded`
    const award = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/award`)
      .set(cast.gov.auth)
      .send({ applicationIds: apps.map((a) => a.id) });
    expect([200, 201]).toContain(award.status);
    expect(await passPublicity(award.body.id)).toEqual({ closed: true, outcome: 'passed' });
    expect(await status()).toBe('awarded');
    // evaluation: one phase, hidden truth, one submission each, scored by the evaluation lib's scorer
    const spec = await t.http
      .put(`/api/v1/scenarios/${scenarioId}/evaluation`)
      .set(cast.operator.auth)
      .send({ targetColumn: 'label', phases: [phaseBody({ metric: 'macro_f1' })] })
      .expect(200);
    phaseId = spec.body.phases[0].id;
    const truth = labelTruth(300);
    await t.http
      .post(`/api/v1/scenarios/${scenarioId}/evaluation/ground-truth`)
      .set(cast.operator.auth)
      .attach('file', Buffer.from(truth.csv), 'truth.csv')
      .expect(201);
    for (const [ent, wrongEvery] of [
      [cast.ent1, 0],
      [cast.ent2, 4],
    ] as const) {
      const res = await t.http
        .post(`/api/v1/phases/${phaseId}/submissions`)
        .set(ent.auth)
        .attach('file', Buffer.from(labelPredictions(truth, wrongEvery).csv), 'predictions.csv')
        .expect(202);
      await t.get(EvaluationScoring).score(res.body.id);
    }
    experts = await poolExperts(t, cast.operator, [undefined, undefined, undefined]);
  }, 120_000);
  afterAll(() => t.close());

  it('forms a blind result panel of the awardees', async () => {
    const res = await t.http
      .post('/api/v1/panels')
      .set(cast.operator.auth)
      .send({
        scenarioId,
        stage: 'result',
        expertIds: experts.map((e) => e.id),
        blind: true,
        rubric: RUBRIC,
        aggregation: 'mean',
      })
      .expect(201);
    panelId = res.body.id;
    subjects = res.body.subjects;
    expect(subjects.map((s) => s.code).sort()).toEqual(['R-01', 'R-02']);
    expect(res.body.subjects.every((s: { submissionId: string | null }) => s.submissionId)).toBe(true);
    expect(res.body.warnings).toEqual([]);
    const bad = await t.http
      .post('/api/v1/panels')
      .set(cast.operator.auth)
      .send({
        scenarioId,
        stage: 'result',
        expertIds: [experts[0].id],
        blind: true,
        rubric: RUBRIC,
        aggregation: 'mean',
        shortlistSize: 1,
      })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('shortlistSize');
  });

  it('shows experts the subject’s leaderboard excerpt by code, never the company', async () => {
    const s = subjects.find((x) => x.applicationId === apps[1].id)!;
    const res = remember(
      await t.http.get(`/api/v1/panels/${panelId}/subjects/${s.id}`).set(experts[0].auth).expect(200),
    );
    expect(res.body).toMatchObject({ code: s.code, stage: 'result', submission: { metric: 'macro_f1' } });
    expect(typeof res.body.submission.publicScore).toBe('number');
    remember(await t.http.get(`/api/v1/panels/${panelId}/assignments`).set(experts[1].auth).expect(200));
  });

  it('refuses to publish before the result panel closes, and to non-operators', async () => {
    const early = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 0.6, expert: 0.4 } })
      .expect(409);
    expect(early.body.code).toBe('RESULT_PANEL_NOT_CLOSED');
    await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.gov.auth)
      .send({ weights: { metric: 1, expert: 1 } })
      .expect(403);
    await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .send({ weights: { metric: 1, expert: 1 } })
      .expect(401);
    await t.http
      .post('/api/v1/scenarios/00000000-0000-4000-8000-000000000000/results/publish')
      .set(cast.operator.auth)
      .send({ weights: { metric: 1, expert: 1 } })
      .expect(404);
  });

  it('scores and closes the result panel', async () => {
    const [s1, s2] = [apps[0], apps[1]].map((a) => subjects.find((s) => s.applicationId === a.id)!);
    for (const e of experts) {
      // ent1: 60 from every expert; ent2: 90
      remember(
        await t.http
          .put(`/api/v1/panels/${panelId}/scores/${s1.id}`)
          .set(e.auth)
          .send({ scores: { 技术方案: 60, 应用价值: 30 } })
          .expect(200),
      );
      remember(
        await t.http
          .put(`/api/v1/panels/${panelId}/scores/${s2.id}`)
          .set(e.auth)
          .send({
            scores: { 技术方案: 90, 应用价值: 45 },
            comment: e === experts[0] ? '工程化程度高，部署方案完整。' : undefined,
          })
          .expect(200),
      );
    }
    const closed = await t.http.post(`/api/v1/panels/${panelId}/close`).set(cast.operator.auth).expect(200);
    expect(closed.body.items.map((i: { aggregate: number; rank: number }) => [i.aggregate, i.rank])).toEqual([
      [90, 1],
      [60, 2],
    ]);
  });

  it('publishes the combined ranking in a results publicity (公示)', async () => {
    await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 0, expert: 0 } })
      .expect(400);
    const published = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 0.6, expert: 0.4 } })
      .expect(200);
    expect(await status()).toBe('evaluating');
    // the answer is the publicity (as for the award proposal); the ranking is at GET …/results
    expect(published.body).toMatchObject({ kind: 'results', status: 'open', scenarioId });
    expect(
      published.body.subjects.map((s: { objectId: string; rank: number }) => [s.objectId, s.rank]),
    ).toEqual([
      [apps[0].id, 1],
      [apps[1].id, 2],
    ]);
    publicityId = published.body.id;
    const res = await t.http
      .get(`/api/v1/scenarios/${scenarioId}/results`)
      .set(cast.operator.auth)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'publicity', publicityId });
    // ent1 predicted perfectly (normalized 100), ent2 did not (normalized 0):
    // ent1 = 0.6 × 100 + 0.4 × 60 = 84, ent2 = 0.6 × 0 + 0.4 × 90 = 36
    expect(
      res.body.items.map(
        (i: {
          organization: { id: string };
          rank: number;
          finalScore: number;
          normalizedMetric: number;
          expertScore: number;
        }) => [i.organization.id, i.rank, i.finalScore, i.normalizedMetric, i.expertScore],
      ),
    ).toEqual([
      [cast.ent1.organizationId, 1, 84, 100, 60],
      [cast.ent2.organizationId, 2, 36, 0, 90],
    ]);
    expect(res.body.items[0].metricScore).toBe(1);
    const publicity = await t.http.get(`/api/v1/publicities/${publicityId}`).expect(200);
    expect(publicity.body).toMatchObject({ kind: 'results', status: 'open', scenarioId });
    expect(publicity.body.subjects.map((s: { rank: number }) => s.rank)).toEqual([1, 2]);
    // not public yet; the private scores stay hidden on the leaderboard
    await t.http.get(`/api/v1/scenarios/${scenarioId}/results`).expect(404);
    await t.http.get(`/api/v1/scenarios/${scenarioId}/results/report.pdf`).expect(404);
    await t.http.get(`/api/v1/scenarios/${scenarioId}/results`).set(cast.operator.auth).expect(200);
    const again = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 1, expert: 1 } })
      .expect(409);
    expect(again.body.code).toBe('RESULTS_PUBLICITY_OPEN');
    const reopen = await t.http.post(`/api/v1/panels/${panelId}/reopen`).set(cast.operator.auth).expect(409);
    expect(reopen.body.code).toBe('PANEL_RESULTS_IN_USE');
  });

  it('fails the ranking on an upheld objection; the operator publishes again', async () => {
    const objection = await t.http
      .post(`/api/v1/publicities/${publicityId}/objections`)
      .set(cast.ent2.auth)
      .send({ reason: '专家评分存在利益冲突，请复核。' })
      .expect(201);
    await t.http
      .post(`/api/v1/objections/${objection.body.id}/resolve`)
      .set(cast.operator.auth)
      .send({ upheld: true, resolution: '经核查属实，重新公示。' })
      .expect(200);
    expect(await passPublicity(publicityId)).toEqual({ closed: true, outcome: 'failed' });
    expect(await status()).toBe('evaluating');
    const failed = await t.dataSource.query(
      `SELECT id, status FROM scenario_results WHERE publicity_id = $1`,
      [publicityId],
    );
    expect(failed).toEqual([{ id: expect.any(String), status: 'failed' }]);
    expect(await auditActions(t, failed[0].id)).toEqual(['results.publish', 'results.fail']);
    await t.http.get(`/api/v1/scenarios/${scenarioId}/results`).expect(404);
    const again = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 0.6, expert: 0.4 } })
      .expect(200);
    expect(again.body.id).not.toBe(publicityId);
    publicityId = again.body.id;
  });

  it('concludes the scenario when the publicity passes: results public, private scores revealed', async () => {
    expect(await passPublicity(publicityId)).toEqual({ closed: true, outcome: 'passed' });
    expect(await status()).toBe('concluded');
    const res = await t.http.get(`/api/v1/scenarios/${scenarioId}/results`).expect(200);
    expect(res.body).toMatchObject({
      status: 'published',
      scenarioId,
      weights: { metric: 0.6, expert: 0.4 },
    });
    expect(res.body.items[0]).toMatchObject({
      rank: 1,
      metricScore: 1,
      organization: { name: apps[0].orgName },
    });
    const board = await t.http.get(`/api/v1/phases/${phaseId}/leaderboard`).expect(200);
    const entries = (board.body.items ?? board.body.entries ?? board.body) as {
      privateScore?: number | null;
    }[];
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => typeof e.privateScore === 'number')).toBe(true);
    const again = await t.http
      .post(`/api/v1/scenarios/${scenarioId}/results/publish`)
      .set(cast.operator.auth)
      .send({ weights: { metric: 1, expert: 1 } })
      .expect(409);
    expect(again.body.code).toBe('INVALID_STATE_TRANSITION');
    const resultId = res.body.id;
    expect(await auditActions(t, resultId)).toEqual(['results.publish', 'results.published']);
    expect(await auditActions(t, scenarioId)).toEqual(
      expect.arrayContaining(['scenario.start_evaluation', 'scenario.conclude']),
    );
  });

  it('serves a Chinese PDF report with the ranking and anonymized comments', async () => {
    const res = await t.http
      .get(`/api/v1/scenarios/${scenarioId}/results/report.pdf`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('评审结果报告');
    const first = text.indexOf('第1名');
    const second = text.indexOf('第2名');
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(text.slice(first, second)).toContain(apps[0].orgName);
    expect(text).toContain('84.00');
    expect(text).toContain('工程化程度高');
    expect(text).toContain('专家1');
    for (const e of experts) expect(text).not.toContain(e.email);
  });

  it('never showed an expert the companies behind the codes', async () => {
    const all = expertFacing.join('\n');
    expect(expertFacing.length).toBeGreaterThan(8);
    for (const app of apps) {
      const org = await organization(
        t,
        (await t.dataSource.query('SELECT applicant_org_id FROM applications WHERE id = $1', [app.id]))[0]
          .applicant_org_id,
      );
      for (const term of [...nameVariants(org.name), org.creditCode!, app.fileName])
        expect({ term, found: all.includes(term) }).toEqual({ term, found: false });
    }
  });
});
