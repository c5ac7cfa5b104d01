import { DatasetEntity, DatasetVersionEntity } from '@aihub/datasets';
import { DatasetsDemoSeedService } from '@aihub/datasets/demo/datasets-demo-seed.service';
import { DEMO_DATASETS } from '@aihub/datasets/demo/demo-datasets';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp } from '../utils/test-app';

describe('demo datasets (e2e, DEMO=true, own database)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp | undefined;

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('demo-datasets', { DEMO: 'true', STATS_CACHE_SECONDS: '0' });
    t = await createTestApp({ env: isolated.env });
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await isolated?.dispose();
  });

  it('registers the demo steward’s datasets with one version each, through the real checks', async () => {
    const login = await t!.http
      .post('/api/v1/auth/login')
      .send({ email: 'steward@demo.aihub', password: 'Demo#2026' })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.body.accessToken}` };
    const list = await t!.http.get('/api/v1/datasets?limit=50').set(auth).expect(200);
    const byName = new Map(list.body.items.map((d: { name: string }) => [d.name, d]));
    for (const demo of DEMO_DATASETS) {
      const d = byName.get(demo.name) as { id: string; grade: string; openAttribute: string } | undefined;
      expect(d).toMatchObject({ grade: demo.grade, openAttribute: demo.openAttribute });
      const detail = await t!.http.get(`/api/v1/datasets/${d!.id}`).set(auth).expect(200);
      expect(detail.body.versions).toHaveLength(1);
      expect(detail.body.versions[0]).toMatchObject({ version: 1, kind: 'csv', rowCount: demo.rows });
    }
    // anonymous visitors see the open one, and the conditional hotline data through its published scenario
    const anon = await t!.http.get('/api/v1/datasets?limit=50').expect(200);
    const names = anon.body.items.map((d: { name: string }) => d.name);
    expect(names).toEqual(expect.arrayContaining(['city-appearance-events', 'hotline-12345-tickets']));
    expect(names).not.toContain('elderly-care-visits');
    const stats = await t!.http.get('/api/v1/stats').expect(200);
    expect(stats.body.datasets).toBe(3);
    expect(stats.body.datasetRows).toBe(DEMO_DATASETS.reduce((s, d) => s + d.rows, 0));
  });

  it('is idempotent: a second run adds nothing', async () => {
    const before = await t!.dataSource.getRepository(DatasetVersionEntity).count();
    expect(await t!.get(DatasetsDemoSeedService).run()).toEqual({ datasets: 0, versions: 0 });
    expect(await t!.dataSource.getRepository(DatasetVersionEntity).count()).toBe(before);
    expect(await t!.dataSource.getRepository(DatasetEntity).count()).toBe(3);
  });
});
