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

  it('serves the cached page as JSON with an ETag (304 when unchanged), the same document as computed', async () => {
    const path = `/api/v1/scenarios?batchId=${batchId}&limit=5`;
    const first = await t.http.get(path).expect(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    // from the process-local copy, from Redis after it, and freshly computed: one byte-identical document
    const again = await t.http.get(path).expect(200);
    expect(again.text).toBe(first.text);
    expect(again.headers['etag']).toBe(etag);
    expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.text));
    expect(first.body).toMatchObject({ items: expect.any(Array), nextCursor: null });
    expect(first.body.items[0]).toMatchObject({ id: expect.any(String), status: 'published' });
    await t.http.get(path).set('If-None-Match', etag).expect(304);
    await t.http.get(path).set('If-None-Match', 'W/"0-x"').expect(200);
    // logged-in callers get the object path: same fields
    const fresh = await t.http.get(path).set(cast.ent1.auth).expect(200);
    expect(Object.keys(fresh.body.items[0]).sort()).toEqual(Object.keys(first.body.items[0]).sort());
  });
});
