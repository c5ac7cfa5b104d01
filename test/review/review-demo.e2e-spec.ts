/** The expert review demo content (DEMO=true, own database): experts, a closed and an open panel. */
import { In } from 'typeorm';
import { UserEntity } from '@aihub/identity';
import {
  ExpertEntity,
  PanelEntity,
  PanelRecusalEntity,
  PanelResultEntity,
  PanelScoreEntity,
  PanelSubjectEntity,
} from '@aihub/review';
import { ReviewDemoSeedService } from '@aihub/review/demo/review-demo-seed.service';
import { ApplicationEntity, ScenarioEntity } from '@aihub/scenarios';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp } from '../utils/test-app';

describe('expert review demo seed (e2e, DEMO=true, own database)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp | undefined;

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('review_demo', { DEMO: 'true' });
    t = await createTestApp({ env: isolated.env });
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await isolated?.dispose();
  });

  const counts = async () => {
    const ds = t!.dataSource;
    return {
      experts: await ds.getRepository(ExpertEntity).count(),
      panels: await ds.getRepository(PanelEntity).count(),
      scores: await ds.getRepository(PanelScoreEntity).count(),
      results: await ds.getRepository(PanelResultEntity).count(),
    };
  };

  it('puts the five demo experts in the pool, expert1 affiliated with a demo company', async () => {
    const ds = t!.dataSource;
    const users = await ds
      .getRepository(UserEntity)
      .find({ where: { email: In([1, 2, 3, 4, 5].map((i) => `expert${i}@demo.aihub`)) } });
    const experts = await ds.getRepository(ExpertEntity).find({ where: { id: In(users.map((u) => u.id)) } });
    expect(experts).toHaveLength(5);
    const ent1 = await ds.getRepository(UserEntity).findOneByOrFail({ email: 'enterprise@demo.aihub' });
    const expert1 = users.find((u) => u.email === 'expert1@demo.aihub')!;
    expect(experts.find((e) => e.id === expert1.id)!.affiliationOrgId).toBe(ent1.organizationId);
  });

  it('has a closed application panel (with recusal) and an open result panel on the awarded scenario', async () => {
    const ds = t!.dataSource;
    const scenario = await ds.getRepository(ScenarioEntity).findOneByOrFail({ title: '城市事件智能分拨' });
    const panels = await ds.getRepository(PanelEntity).find({ where: { scenarioId: scenario.id } });
    const application = panels.find((p) => p.stage === 'application')!;
    const result = panels.find((p) => p.stage === 'result')!;
    expect(application).toMatchObject({ status: 'closed', blind: true });
    expect(result).toMatchObject({ status: 'open', blind: true });
    const results = await ds.getRepository(PanelResultEntity).find({ where: { panelId: application.id } });
    expect(results.length).toBeGreaterThanOrEqual(2);
    const subjects = await ds.getRepository(PanelSubjectEntity).find({ where: { panelId: application.id } });
    const apps = await ds
      .getRepository(ApplicationEntity)
      .find({ where: { id: In(subjects.map((s) => s.applicationId)) } });
    const winner = subjects.find((s) => apps.find((a) => a.id === s.applicationId)?.status === 'selected')!;
    expect(results.find((r) => r.subjectId === winner.id)!.rank).toBe(1);
    // expert1 works for the winner's company: recused from it
    const expert1 = await ds.getRepository(UserEntity).findOneByOrFail({ email: 'expert1@demo.aihub' });
    const recusals = await ds
      .getRepository(PanelRecusalEntity)
      .find({ where: { panelId: application.id, expertId: expert1.id } });
    expect(recusals.map((r) => [r.subjectId, r.kind])).toEqual([[winner.id, 'affiliation']]);
    expect(await ds.getRepository(PanelScoreEntity).count({ where: { panelId: result.id } })).toBeGreaterThan(
      0,
    );
  });

  it('adds nothing when it runs again', async () => {
    const before = await counts();
    await t!.get(ReviewDemoSeedService).run();
    expect(await counts()).toEqual(before);
  });

  it('shows the demo expert its blind assignments over HTTP', async () => {
    const login = await t!.http
      .post('/api/v1/auth/login')
      .send({ email: 'expert2@demo.aihub', password: 'Demo#2026' })
      .expect(200);
    const panels = await t!.dataSource.getRepository(PanelEntity).find({ where: { stage: 'result' } });
    const res = await t!.http
      .get(`/api/v1/panels/${panels[0].id}/assignments`)
      .set({ Authorization: `Bearer ${login.body.accessToken}` })
      .expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((i: { code: string }) => /^R-\d{2}$/.test(i.code))).toBe(true);
  });
});
