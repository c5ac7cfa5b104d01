import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@aihub/core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  EvaluationPhaseEntity,
  EvaluationSpecEntity,
  IN_MEMORY_MAX_ROWS,
  LeaderboardService,
  METRICS,
  splitPartitioner,
  SubmissionEntity,
} from '@aihub/evaluation';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { type Cast, createCast } from '../scenarios/lifecycle-fixtures';
import { createTestApp, PROBLEM_JSON, type TestApp, type TestUser } from '../utils/test-app';
import { awardedScenario, labelPredictions, labelTruth, phaseBody, settled } from './evaluation-fixtures';

/** macro_f1 of the public and private parts, computed here from the phase's secret: the known answer. */
function expectedScores(
  secret: string,
  fraction: number,
  truth: { ids: string[]; labels: string[] },
  predicted: string[],
) {
  const split = splitPartitioner(secret, fraction);
  const acc = {
    public: METRICS.macro_f1.createAccumulator({}),
    private: METRICS.macro_f1.createAccumulator({}),
  };
  truth.ids.forEach((id, i) => acc[split(id)].add(truth.labels[i], predicted[i]));
  return { public: acc.public.result(), private: acc.private.result() };
}

describe('evaluation: specs, ground truth, submissions through the real queue and worker', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp;
  let worker: INestApplicationContext;
  let cast: Cast;
  let member: TestUser;
  let scenarioId: string;
  let phaseId: string;
  const truth = labelTruth(400);

  const submit = (
    user: TestUser,
    phase: string,
    csv: string | Buffer,
    headers: Record<string, string> = {},
  ) =>
    t.http
      .post(`/api/v1/phases/${phase}/submissions`)
      .set(user.auth)
      .set(headers)
      .attach('file', typeof csv === 'string' ? Buffer.from(csv) : csv, 'predictions.csv');

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('evaluation_e2e');
    const env = { ...isolated.env, EVALUATION_SCORE_CHECKS_PER_MINUTE: '8', LOG_LEVEL: 'error' };
    t = await createTestApp({ env });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig(env)), {
      logger: false,
      abortOnError: false,
    });
    cast = await createCast(t);
    member = await t.createUser(['enterprise']);
    const scenario = await awardedScenario(t, cast, cast.ent1, [member]);
    scenarioId = scenario.id;
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await isolated?.dispose();
  });

  describe('PUT/GET /scenarios/:id/evaluation', () => {
    const put = (user: TestUser | undefined, body: unknown, id = scenarioId) => {
      const req = t.http.put(`/api/v1/scenarios/${id}/evaluation`);
      if (user) req.set(user.auth);
      return req.send(body as object);
    };

    it('refuses anonymous (401), non-operators (403) and unknown scenarios (404)', async () => {
      const body = { idColumn: 'id', targetColumn: 'label', phases: [phaseBody()] };
      expect((await put(undefined, body)).status).toBe(401);
      const forbidden = await put(cast.ent1, body);
      expect(forbidden.status).toBe(403);
      expect(forbidden.headers['content-type']).toMatch(PROBLEM_JSON);
      expect((await put(cast.gov, body)).status).toBe(403);
      expect((await put(cast.operator, body, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('validates phases: overlap 409, metric/target mismatch 409, bad params 400, window 400', async () => {
      const now = Date.now();
      const overlap = await put(cast.operator, {
        targetColumn: 'label',
        phases: [
          phaseBody({
            name: 'A',
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + 10 * 3600_000).toISOString(),
          }),
          phaseBody({
            name: 'B',
            startsAt: new Date(now + 5 * 3600_000).toISOString(),
            endsAt: new Date(now + 20 * 3600_000).toISOString(),
          }),
        ],
      });
      expect(overlap.status).toBe(409);
      expect(overlap.body.code).toBe('PHASES_OVERLAP');
      const mixed = await put(cast.operator, {
        targetColumn: 'label',
        phases: [
          phaseBody({ name: 'A', endsAt: new Date(now + 3600_000).toISOString() }),
          phaseBody({ name: 'B', metric: 'rmse', startsAt: new Date(now + 2 * 3600_000).toISOString() }),
        ],
      });
      expect(mixed.status).toBe(409);
      expect(mixed.body.code).toBe('METRIC_TARGET_MISMATCH');
      const noTarget = await put(cast.operator, { phases: [phaseBody()] });
      expect(noTarget.status).toBe(409);
      expect(noTarget.body.code).toBe('METRIC_TARGET_MISMATCH');
      const params = await put(cast.operator, {
        targetColumn: 'ranking',
        phases: [phaseBody({ metric: 'hits_at_k', metricParams: { k: 0 } })],
      });
      expect(params.status).toBe(400);
      expect(params.body.code).toBe('VALIDATION_FAILED');
      const window = await put(cast.operator, {
        targetColumn: 'label',
        phases: [
          phaseBody({ startsAt: new Date(now).toISOString(), endsAt: new Date(now - 1000).toISOString() }),
        ],
      });
      expect(window.status).toBe(400);
    });

    it('stores the spec and serves it with phase ids to anyone who may see the scenario', async () => {
      const res = await put(cast.operator, {
        idColumn: 'id',
        targetColumn: 'label',
        phases: [phaseBody({ dailyLimit: 3 })],
      });
      expect(res.status).toBe(200);
      expect(res.body.phases).toHaveLength(1);
      phaseId = res.body.phases[0].id;
      const pub = await t.http.get(`/api/v1/scenarios/${scenarioId}/evaluation`).expect(200);
      expect(pub.body).toMatchObject({
        scenarioId,
        idColumn: 'id',
        targetColumn: 'label',
        groundTruthUploaded: false,
        phases: [{ id: phaseId, metric: 'macro_f1', direction: 'higher', status: 'open', dailyLimit: 3 }],
      });
      expect(JSON.stringify(pub.body)).not.toMatch(/secret|groundTruthKey/i);
      // keeping the phase by id keeps it (and its id)
      const again = await put(cast.operator, {
        targetColumn: 'label',
        phases: [{ ...phaseBody({ dailyLimit: 3 }), id: phaseId }],
      });
      expect(again.body.phases[0].id).toBe(phaseId);
    });

    it('answers 404 for the evaluation of a scenario the caller may not see', async () => {
      const draft = await t.http
        .post('/api/v1/scenarios')
        .set(cast.gov.auth)
        .send({ ...(await import('../scenarios/lifecycle-fixtures')).scenarioBody() })
        .expect(201);
      expect((await t.http.get(`/api/v1/scenarios/${draft.body.id}/evaluation`)).status).toBe(404);
      expect(
        (await t.http.get(`/api/v1/scenarios/${draft.body.id}/evaluation`).set(cast.ent2.auth)).status,
      ).toBe(404);
    });
  });

  describe('POST /scenarios/:id/evaluation/ground-truth', () => {
    const upload = (user: TestUser, data: string) =>
      t.http
        .post(`/api/v1/scenarios/${scenarioId}/evaluation/ground-truth`)
        .set(user.auth)
        .attach('file', Buffer.from(data), 'truth.csv');

    it('refuses submissions before the ground truth exists (409 GROUND_TRUTH_MISSING)', async () => {
      const res = await submit(cast.ent1, phaseId, labelPredictions(truth, 0).csv);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('GROUND_TRUTH_MISSING');
    });

    it('validates the truth (422 with line numbers) and is operator-only', async () => {
      expect((await upload(cast.ent1, truth.csv)).status).toBe(403);
      const bad = await upload(cast.operator, 'id,label\nA,x\nB,y\nA,z\n');
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('GROUND_TRUTH_INVALID');
      expect(bad.body.issues[0]).toMatchObject({
        reason: 'DUPLICATE_IDS',
        count: 1,
        examples: [{ line: 4, id: 'A', firstLine: 2 }],
      });
      const header = await upload(cast.operator, 'ident,label\nA,x\n');
      expect(header.status).toBe(422);
      expect(header.body.issues[0].reason).toBe('WRONG_HEADER');
    });

    it('stores it privately and never serves it', async () => {
      const res = await upload(cast.operator, truth.csv);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ scenarioId, rows: 400 });
      expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      const pub = await t.http.get(`/api/v1/scenarios/${scenarioId}/evaluation`).expect(200);
      expect(pub.body.groundTruthUploaded).toBe(true);
      expect(JSON.stringify(pub.body)).not.toContain(truth.ids[0]);
    });
  });

  describe('submissions', () => {
    let firstId: string;

    it('401 without a token, 403 for a non-awardee, 404 for an unknown phase', async () => {
      const anon = await t.http
        .post(`/api/v1/phases/${phaseId}/submissions`)
        .attach('file', Buffer.from('x'), 'p.csv');
      expect(anon.status).toBe(401);
      const outsider = await submit(cast.ent2, phaseId, labelPredictions(truth, 0).csv);
      expect(outsider.status).toBe(403);
      expect(outsider.body.code).toBe('NOT_AN_AWARDEE');
      expect((await submit(cast.ent1, '00000000-0000-4000-8000-000000000000', 'x')).status).toBe(404);
      expect((await submit(cast.gov, phaseId, 'x')).status).toBe(403);
    });

    it('scores a submission through the queue: public score known, private hidden', async () => {
      const predicted = labelPredictions(truth, 5);
      const res = await submit(cast.ent1, phaseId, predicted.csv);
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
      firstId = res.body.id;
      const done = await settled(t, cast.ent1, firstId);
      expect(done.status).toBe('scored');
      const phase = await t.dataSource
        .getRepository(EvaluationPhaseEntity)
        .createQueryBuilder('p')
        .addSelect('p.splitSecret')
        .where('p.id = :id', { id: phaseId })
        .getOneOrFail();
      const expected = expectedScores(phase.splitSecret, 0.5, truth, predicted.labels);
      expect(done.publicScore).toBeCloseTo(expected.public, 12);
      expect(done.privateScore).toBeNull();
      expect(done.error).toBeNull();
      // stored, but hidden until publication
      const row = await t.dataSource.getRepository(SubmissionEntity).findOneByOrFail({ id: firstId });
      expect(row.privateScore).toBeCloseTo(expected.private, 12);
    });

    it('other organizations cannot read it (404); a consortium member can', async () => {
      expect((await t.http.get(`/api/v1/submissions/${firstId}`).set(cast.ent2.auth)).status).toBe(404);
      expect((await t.http.get(`/api/v1/submissions/${firstId}`)).status).toBe(401);
      const list = await t.http.get(`/api/v1/phases/${phaseId}/submissions`).set(cast.ent2.auth).expect(200);
      expect(list.body.items).toEqual([]);
      const own = await t.http.get(`/api/v1/phases/${phaseId}/submissions`).set(cast.ent1.auth).expect(200);
      expect(own.body.items.map((s: { id: string }) => s.id)).toContain(firstId);
      // the consortium member submits for its own organization
      const res = await submit(member, phaseId, labelPredictions(truth, 3).csv);
      expect(res.status).toBe(202);
      expect((await settled(t, member, res.body.id)).status).toBe('scored');
    });

    it('honours Idempotency-Key: a repeat returns the first submission', async () => {
      const key = `idem-${Date.now()}`;
      const a = await submit(cast.ent1, phaseId, labelPredictions(truth, 7).csv, { 'Idempotency-Key': key });
      const b = await submit(cast.ent1, phaseId, labelPredictions(truth, 2).csv, { 'Idempotency-Key': key });
      expect(a.status).toBe(202);
      expect(b.status).toBe(202);
      expect(b.body.id).toBe(a.body.id);
      expect(await t.dataSource.getRepository(SubmissionEntity).countBy({ idempotencyKey: key })).toBe(1);
      await settled(t, cast.ent1, a.body.id);
    });

    it('counts the daily quota (3) on scored submissions only → 429 with the reset time', async () => {
      // ent1 has 2 scored today; a failed one does not count
      const failed = await submit(cast.ent1, phaseId, 'id,label\nT000000,市容环境\n');
      expect((await settled(t, cast.ent1, failed.body.id)).status).toBe('failed');
      const third = await submit(cast.ent1, phaseId, labelPredictions(truth, 11).csv);
      expect(third.status).toBe(202);
      await settled(t, cast.ent1, third.body.id);
      const over = await submit(cast.ent1, phaseId, labelPredictions(truth, 13).csv);
      expect(over.status).toBe(429);
      expect(over.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(over.body.code).toBe('QUOTA_EXCEEDED');
      const resetsAt = new Date(over.body.resetsAt);
      // next midnight in Asia/Shanghai is 16:00 UTC
      expect(resetsAt.getUTCHours()).toBe(16);
      expect(resetsAt.getTime()).toBeGreaterThan(Date.now());
      expect(resetsAt.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('refuses files over the phase limit with 413 and stores nothing', async () => {
      const before = await t.dataSource.getRepository(SubmissionEntity).countBy({ phaseId });
      const big = Buffer.alloc(6 * 1024 * 1024, 'a');
      const res = await submit(member, phaseId, big);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await t.dataSource.getRepository(SubmissionEntity).countBy({ phaseId })).toBe(before);
    });

    it('selects at most 2 final submissions per organization (409 beyond); others get 404', async () => {
      const scored = (
        await t.http.get(`/api/v1/phases/${phaseId}/submissions`).set(cast.ent1.auth).expect(200)
      ).body.items.filter((s: { status: string }) => s.status === 'scored');
      expect(scored.length).toBeGreaterThanOrEqual(3);
      const failed = (
        await t.http.get(`/api/v1/phases/${phaseId}/submissions`).set(cast.ent1.auth)
      ).body.items.find((s: { status: string }) => s.status === 'failed');
      const notScored = await t.http
        .post(`/api/v1/submissions/${failed.id}/select-final`)
        .set(cast.ent1.auth);
      expect(notScored.status).toBe(409);
      expect(notScored.body.code).toBe('SUBMISSION_NOT_SCORED');
      expect(
        (await t.http.post(`/api/v1/submissions/${scored[0].id}/select-final`).set(cast.ent2.auth)).status,
      ).toBe(404);
      await t.http.post(`/api/v1/submissions/${scored[0].id}/select-final`).set(cast.ent1.auth).expect(200);
      await t.http.post(`/api/v1/submissions/${scored[1].id}/select-final`).set(cast.ent1.auth).expect(200);
      const third = await t.http.post(`/api/v1/submissions/${scored[2].id}/select-final`).set(cast.ent1.auth);
      expect(third.status).toBe(409);
      expect(third.body.code).toBe('FINAL_SELECTION_LIMIT');
    });

    it('shows a public leaderboard; private scores and final ranks only after publication', async () => {
      const board = await t.http.get(`/api/v1/phases/${phaseId}/leaderboard`).expect(200);
      expect(board.body.published).toBe(false);
      expect(board.body.items).toHaveLength(2);
      expect(board.body.items[0]).toMatchObject({
        rank: 1,
        organization: { id: expect.any(String), name: expect.any(String) },
      });
      expect(board.body.items[0].score).toBeGreaterThanOrEqual(board.body.items[1].score);
      for (const item of board.body.items) expect(item).not.toHaveProperty('privateScore');
      // best public score per org: ent1's best of its scored submissions
      const rows = await t.dataSource
        .getRepository(SubmissionEntity)
        .findBy({ phaseId, organizationId: cast.ent1.organizationId, status: 'scored' });
      const best = Math.max(...rows.map((r) => r.publicScore!));
      expect(
        board.body.items.find(
          (i: { organization: { id: string } }) => i.organization.id === cast.ent1.organizationId,
        ).score,
      ).toBe(best);

      expect((await t.http.post(`/api/v1/phases/${phaseId}/close`).set(cast.ent1.auth)).status).toBe(403);
      await t.http.post(`/api/v1/phases/${phaseId}/close`).set(cast.operator.auth).expect(200);
      const late = await submit(member, phaseId, labelPredictions(truth, 4).csv);
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('PHASE_NOT_OPEN');

      const results = await t.dataSource.transaction((m) =>
        t.get(LeaderboardService).publishResults(m, phaseId),
      );
      expect(results.map((r) => r.finalRank)).toEqual([1, 2]);
      const selected = rows.filter((r) => r.selectedFinal);
      const ent1 = results.find((r) => r.organizationId === cast.ent1.organizationId)!;
      expect(ent1.submissionIds.sort()).toEqual(selected.map((r) => r.id).sort());
      expect(ent1.privateScore).toBe(Math.max(...selected.map((r) => r.privateScore!)));

      const after = await t.http.get(`/api/v1/phases/${phaseId}/leaderboard`).expect(200);
      expect(after.body.published).toBe(true);
      expect(after.body.items[0]).toMatchObject({ finalRank: 1, privateScore: expect.any(Number) });
      const mine = await t.http.get(`/api/v1/submissions/${selected[0].id}`).set(cast.ent1.auth).expect(200);
      expect(mine.body.privateScore).toBeCloseTo(selected[0].privateScore!, 12);
      await expect(
        t.dataSource.transaction((m) => t.get(LeaderboardService).publishResults(m, phaseId)),
      ).rejects.toMatchObject({
        code: 'RESULTS_ALREADY_PUBLISHED',
      });
    });

    it('counts submissions in GET /stats', async () => {
      const stats = await t.http.get('/api/v1/stats').expect(200);
      expect(stats.body.submissions).toBe(await t.dataSource.getRepository(SubmissionEntity).count());
    });
  });

  describe('validation errors a person can act on (every class, through the worker)', () => {
    let labelPhase: string;
    let numericPhase: string;

    const configure = async (metric: string, truthCsv: string) => {
      const scenario = await awardedScenario(t, cast, cast.ent1);
      const res = await t.http
        .put(`/api/v1/scenarios/${scenario.id}/evaluation`)
        .set(cast.operator.auth)
        .send({ targetColumn: 'y', phases: [phaseBody({ metric, dailyLimit: 100 })] })
        .expect(200);
      await t.http
        .post(`/api/v1/scenarios/${scenario.id}/evaluation/ground-truth`)
        .set(cast.operator.auth)
        .attach('file', Buffer.from(truthCsv), 'truth.csv')
        .expect(201);
      return res.body.phases[0].id as string;
    };

    const failure = async (phase: string, csv: string) => {
      const res = await submit(cast.ent1, phase, csv);
      expect(res.status).toBe(202);
      const done = await settled(t, cast.ent1, res.body.id);
      expect(done.status).toBe('failed');
      expect(done.publicScore).toBeNull();
      return done.error as {
        code: string;
        detail: string;
        issues: { reason: string; count: number; examples: Record<string, unknown>[] }[];
      };
    };

    beforeAll(async () => {
      labelPhase = await configure('accuracy', 'id,y\na,cat\nb,dog\nc,cat\nd,bird\n');
      numericPhase = await configure('rmse', 'id,y\na,1.5\nb,2\nc,3\nd,4\n');
    });

    it('wrong header: names the expected and found columns', async () => {
      const e = await failure(labelPhase, 'ID,prediction\na,cat\n');
      expect(e.code).toBe('PREDICTIONS_INVALID');
      expect(e.issues[0]).toMatchObject({ reason: 'WRONG_HEADER', examples: [{ line: 1 }] });
      expect(e.detail).toMatch(/'id'.*'y'/);
      expect(e.detail).toMatch(/did you mean 'ID'/);
    });

    it('missing, duplicate and unknown ids: counts and first line numbers', async () => {
      const e = await failure(labelPhase, 'id,y\na,cat\nb,dog\na,cat\nzz,cat\n');
      const byReason = Object.fromEntries(e.issues.map((i) => [i.reason, i]));
      expect(byReason.DUPLICATE_IDS).toMatchObject({
        count: 1,
        examples: [{ line: 4, id: 'a', firstLine: 2 }],
      });
      expect(byReason.UNKNOWN_IDS).toMatchObject({ count: 1, examples: [{ line: 5, id: 'zz' }] });
      expect(byReason.MISSING_IDS).toMatchObject({ count: 2, examples: [{ id: 'c' }, { id: 'd' }] });
      expect(e.detail).toMatch(/2 ids of the ground truth have no row/);
    });

    it('wrong class labels: lists the valid labels', async () => {
      const e = await failure(labelPhase, 'id,y\na,cat\nb,Dog\nc,cat\nd,bird\n');
      expect(e.issues[0]).toMatchObject({
        reason: 'UNKNOWN_LABELS',
        count: 1,
        examples: [{ line: 3, value: 'Dog' }],
      });
      expect(e.detail).toMatch(/Valid labels: 'bird', 'cat', 'dog'/);
    });

    it('non-numeric at line N, NaN/Inf, empty values', async () => {
      const e = await failure(numericPhase, 'id,y\na,1.5\nb,two\nc,NaN\nd,\n');
      const byReason = Object.fromEntries(e.issues.map((i) => [i.reason, i]));
      expect(byReason.NON_NUMERIC).toMatchObject({ count: 1, examples: [{ line: 3, value: 'two' }] });
      expect(byReason.NOT_FINITE).toMatchObject({ count: 1, examples: [{ line: 4, value: 'NaN' }] });
      expect(byReason.MISSING_VALUE).toMatchObject({ count: 1, examples: [{ line: 5 }] });
      const inf = await failure(numericPhase, 'id,y\na,1\nb,inf\nc,3\nd,-Infinity\n');
      expect(inf.issues[0]).toMatchObject({ reason: 'NOT_FINITE', count: 2 });
    });

    it('malformed CSV, wrong field count and an empty file', async () => {
      const e = await failure(numericPhase, 'id,y\na,1\nb,2,3\n"c,3\n');
      expect(e.issues.map((i) => i.reason)).toEqual(expect.arrayContaining(['WRONG_FIELD_COUNT']));
      const empty = await submit(cast.ent1, numericPhase, '');
      expect(empty.status).toBe(422);
      expect(empty.body.code).toBe('EMPTY_FILE');
      const headerOnly = await failure(numericPhase, 'id,y\n');
      expect(headerOnly.issues.map((i) => i.reason)).toContain('MISSING_IDS');
    });

    it('a truth over the in-memory limit is joined on disk: the same report, nothing left behind', async () => {
      const bigPhase = await configure('accuracy', 'id,y\na,cat\nb,dog\nc,cat\nd,bird\n');
      const { scenarioId: bigScenario } = await t.dataSource
        .getRepository(EvaluationPhaseEntity)
        .findOneByOrFail({ id: bigPhase });
      // the worker picks the join from the row count recorded at upload
      await t.dataSource
        .getRepository(EvaluationSpecEntity)
        .update({ scenarioId: bigScenario }, { groundTruthRows: IN_MEMORY_MAX_ROWS + 1 });
      const csv = 'id,y\nd,bird\na,cat\nzz,cat\na,dog\nyy,cat\n';
      const onDisk = await failure(bigPhase, csv);
      expect(onDisk).toEqual(await failure(labelPhase, csv));
      expect(onDisk.issues.map((i) => [i.reason, i.count])).toEqual([
        ['DUPLICATE_IDS', 1],
        ['MISSING_IDS', 2],
        ['UNKNOWN_IDS', 2],
      ]);
      // the disk join made its scratch folder under DATA_DIR and removed its own spill folder
      expect(readdirSync(join(loadConfig(isolated.env).dataDir, 'scoring-tmp'))).toEqual([]);
    });

    it('a correct file scores (rmse known answer) and failed ones did not use the quota', async () => {
      const res = await submit(cast.ent1, numericPhase, 'id,y\nd,4\nc,3\nb,2\na,1.5\n');
      const done = await settled(t, cast.ent1, res.body.id);
      expect(done.status).toBe('scored');
      const scores = [
        done.publicScore,
        (await t.dataSource.getRepository(SubmissionEntity).findOneByOrFail({ id: res.body.id }))
          .privateScore,
      ].filter((x) => x !== null);
      expect(scores.every((x) => x === 0)).toBe(true);
    });
  });

  describe('POST /evaluation/score', () => {
    const score = (
      user: TestUser | undefined,
      fields: Record<string, string>,
      truthCsv: string,
      predCsv: string,
    ) => {
      const req = t.http.post('/api/v1/evaluation/score');
      if (user) req.set(user.auth);
      for (const [k, v] of Object.entries(fields)) req.field(k, v);
      return req
        .attach('truth', Buffer.from(truthCsv), 'truth.csv')
        .attach('predictions', Buffer.from(predCsv), 'pred.csv');
    };

    it('scores with the platform scorer (known answers) and needs a login', async () => {
      const user = await t.createUser(['enterprise']);
      expect(
        (await score(undefined, { metric: 'accuracy', targetColumn: 'y' }, 'id,y\na,1\n', 'id,y\na,1\n'))
          .status,
      ).toBe(401);
      const acc = await score(
        user,
        { metric: 'accuracy', targetColumn: 'y' },
        'id,y\na,x\nb,y\nc,x\nd,y\n',
        'id,y\na,x\nb,x\nc,x\nd,y\n',
      );
      expect(acc.status).toBe(200);
      expect(acc.body).toEqual({ metric: 'accuracy', score: 0.75, direction: 'higher', rows: 4 });
      const rmse = await score(
        user,
        { metric: 'rmse', targetColumn: 'v' },
        'id,v\na,0\nb,0\n',
        'id,v\na,3\nb,4\n',
      );
      expect(rmse.body.score).toBeCloseTo(Math.sqrt(12.5), 12);
      const hits = await score(
        user,
        { metric: 'hits_at_k', metricParams: '{"k":2}', targetColumn: 'ranking' },
        'id,ranking\nq1,b\nq2,z\n',
        'id,ranking\nq1,a|b|c\nq2,a|b|z\n',
      );
      expect(hits.body.score).toBe(0.5);
    });

    it('answers the same validation errors (422) and 400 for a bad request', async () => {
      const user = await t.createUser(['enterprise']);
      const bad = await score(user, { metric: 'rmse', targetColumn: 'v' }, 'id,v\na,1\nb,2\n', 'id,v\na,x\n');
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('PREDICTIONS_INVALID');
      expect(bad.body.issues.map((i: { reason: string }) => i.reason)).toEqual([
        'MISSING_IDS',
        'NON_NUMERIC',
      ]);
      const unknown = await score(user, { metric: 'nope' }, 'id,v\n', 'id,v\n');
      expect(unknown.status).toBe(400);
      const params = await score(
        user,
        { metric: 'rmse', targetColumn: 'v', metricParams: '{' },
        'id,v\na,1\n',
        'id,v\na,1\n',
      );
      expect(params.status).toBe(400);
      const missing = await t.http
        .post('/api/v1/evaluation/score')
        .set(user.auth)
        .field('metric', 'rmse')
        .attach('truth', Buffer.from('id,v\n'), 't.csv');
      expect(missing.status).toBe(422);
      expect(missing.body.code).toBe('INVALID_MULTIPART');
    });

    it('is rate-limited per user (429 with Retry-After)', async () => {
      const user = await t.createUser(['enterprise']);
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++)
        statuses.push(
          (await score(user, { metric: 'accuracy', targetColumn: 'y' }, 'id,y\na,1\n', 'id,y\na,1\n')).status,
        );
      expect(statuses.slice(0, 8).every((s) => s === 200)).toBe(true);
      expect(statuses[8]).toBe(429);
    });
  });
});
