import { createTestApp, TestApp } from '../utils/test-app';
import { Cast, createCast, publishedBatch, publishedScenario } from './lifecycle-fixtures';

describe('anonymous catalog cache (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let batchId: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { CATALOG_CACHE_SECONDS: '30' } });
    cast = await createCast(t);
    batchId = (await publishedBatch(t, cast.operator)).id;
    await publishedScenario(t, cast, batchId, { title: '缓存前的场景' });
  });
  afterAll(() => t.close());

  const titles = async (auth?: { Authorization: string }) => {
    const req = t.http.get(`/api/v1/scenarios?batchId=${batchId}&limit=100`);
    const res = await (auth ? req.set(auth) : req).expect(200);
    return res.body.items.map((s: { title: string }) => s.title).sort();
  };

  it('shares anonymous pages for the TTL, while logged-in callers always read fresh rows', async () => {
    expect(await titles()).toEqual(['缓存前的场景']);
    await publishedScenario(t, cast, batchId, { title: '缓存后的场景' });
    // anonymous: the cached page (within CATALOG_CACHE_SECONDS)
    expect(await titles()).toEqual(['缓存前的场景']);
    // a different query is a different page
    const other = await t.http.get(`/api/v1/scenarios?batchId=${batchId}&limit=99`).expect(200);
    expect(other.body.items).toHaveLength(2);
    // logged in: fresh
    expect(await titles(cast.ent1.auth)).toEqual(['缓存前的场景', '缓存后的场景']);
  });
});
