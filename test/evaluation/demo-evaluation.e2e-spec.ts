import { SubmissionEntity } from '@aihub/evaluation';
import { ScenarioEntity } from '@aihub/scenarios';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, type TestApp } from '../utils/test-app';

describe('demo evaluation seed (DEMO=true, own database)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp | undefined;

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('evaluation_demo', { DEMO: 'true', STATS_CACHE_SECONDS: '0' });
  });

  afterAll(async () => {
    await t?.close();
    await isolated?.dispose();
  });

  it('gives the awarded demo scenario a scored evaluation, once', async () => {
    t = await createTestApp({ env: isolated.env });
    const scenario = await t.dataSource
      .getRepository(ScenarioEntity)
      .findOneByOrFail({ title: '城市事件智能分拨' });
    const spec = await t.http.get(`/api/v1/scenarios/${scenario.id}/evaluation`).expect(200);
    expect(spec.body).toMatchObject({
      idColumn: 'ticket_id',
      targetColumn: 'category',
      groundTruthUploaded: true,
    });
    expect(spec.body.phases).toEqual([
      expect.objectContaining({ metric: 'macro_f1', status: 'open', open: true }),
    ]);
    const phaseId = spec.body.phases[0].id;

    const rows = await t.dataSource.getRepository(SubmissionEntity).findBy({ phaseId });
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'scored' && r.publicScore !== null)).toBe(true);

    const board = await t.http.get(`/api/v1/phases/${phaseId}/leaderboard`).expect(200);
    expect(board.body.items).toHaveLength(3);
    const names = board.body.items.map((i: { organization: { name: string } }) => i.organization.name);
    expect(board.body.items[0].score).toBeGreaterThan(board.body.items[2].score);
    // the majority-class baseline is last
    const baseline = rows.find((r) => r.fileName.startsWith('baseline'))!;
    expect(board.body.items[2].submissionId).toBe(baseline.id);
    expect(new Set(names).size).toBe(3);

    const stats = await t.http.get('/api/v1/stats').expect(200);
    expect(stats.body.submissions).toBe(6);

    // a second start seeds nothing more
    await t.close();
    t = await createTestApp({ env: isolated.env });
    expect(await t.dataSource.getRepository(SubmissionEntity).count()).toBe(6);
  }, 180_000);
});
