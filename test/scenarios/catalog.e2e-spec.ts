import { createTestApp, TestApp } from '../utils/test-app';
import { Cast, createCast, draftScenario, publishedBatch, publishedScenario } from './lifecycle-fixtures';

type Item = { id: string; title: string; status: string };

describe('public scenario catalog (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let batchId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    cast = await createCast(t);
    batchId = (await publishedBatch(t, cast.operator)).id;
    ids.draft = (await draftScenario(t, cast.gov, { title: '占道经营视频识别（草稿）' })).id;
    const submitted = await draftScenario(t, cast.gov, { title: '老人跌倒监测（待审）' });
    await t.http.post(`/api/v1/scenarios/${submitted.id}/submit`).set(cast.gov.auth).expect(200);
    ids.submitted = submitted.id;
    const withdrawn = await draftScenario(t, cast.gov, { title: '已撤回的场景' });
    await t.http.post(`/api/v1/scenarios/${withdrawn.id}/withdraw`).set(cast.gov.auth).expect(200);
    ids.withdrawn = withdrawn.id;
    ids.published = (
      await publishedScenario(t, cast, batchId, {
        title: '城市事件智能分拨',
        summary: '12345热线工单自动分类与派单',
        domain: 'government_services',
        techField: 'text_processing',
      })
    ).id;
    const closed = await publishedScenario(t, cast, batchId, {
      title: '学位供需预测',
      summary: '预测未来三年各学区学位需求（AI模型）',
      domain: 'education',
      techField: 'big_data_analytics',
      layer: 'livelihood',
    });
    await t.http.post(`/api/v1/scenarios/${closed.id}/close`).set(cast.operator.auth).expect(200);
    ids.closed = closed.id;
    ids.otherGov = (
      await publishedScenario(t, { gov: cast.gov2, operator: cast.operator }, batchId, {
        title: '河道漂浮物视频识别',
        summary: '识别河道垃圾与漂浮物 100%_覆盖',
        domain: 'city_appearance',
        techField: 'video_recognition',
      })
    ).id;
    ids.otherGovDraft = (await draftScenario(t, cast.gov2, { title: '另一单位的草稿' })).id;
  });
  afterAll(() => t.close());

  const list = async (query: string, auth?: { Authorization: string }): Promise<Item[]> => {
    const req = t.http.get(`/api/v1/scenarios?batchId=${batchId}&limit=100&${query}`);
    const res = await (auth ? req.set(auth) : req).expect(200);
    return res.body.items;
  };
  const listAll = async (auth?: { Authorization: string }) => {
    // drafts have no batch: page through everything the caller may see
    const seen: Item[] = [];
    let cursor: string | null = null;
    do {
      const req = t.http.get(`/api/v1/scenarios?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      const res = await (auth ? req.set(auth) : req).expect(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    return seen.map((s) => s.id);
  };

  it('hides drafts, submitted and withdrawn scenarios from the public and from other organizations', async () => {
    for (const auth of [undefined, cast.ent1.auth, cast.gov2.auth, cast.expert.auth]) {
      const visible = await listAll(auth);
      expect(visible).toEqual(expect.arrayContaining([ids.published, ids.closed, ids.otherGov]));
      for (const hidden of [ids.draft, ids.submitted, ids.withdrawn]) expect(visible).not.toContain(hidden);
      for (const hidden of [ids.draft, ids.submitted, ids.withdrawn]) {
        const req = t.http.get(`/api/v1/scenarios/${hidden}`);
        await (auth ? req.set(auth) : req).expect(404);
      }
    }
    // gov2 sees its own draft, not gov's
    expect(await listAll(cast.gov2.auth)).toContain(ids.otherGovDraft);
  });

  it('shows the issuing organization its drafts, and operators and auditors everything', async () => {
    const own = await listAll(cast.gov.auth);
    expect(own).toEqual(expect.arrayContaining([ids.draft, ids.submitted, ids.withdrawn, ids.published]));
    expect(own).not.toContain(ids.otherGovDraft);
    for (const u of [cast.operator, cast.auditor]) {
      const all = await listAll(u.auth);
      expect(all).toEqual(expect.arrayContaining(Object.values(ids)));
      await t.http.get(`/api/v1/scenarios/${ids.otherGovDraft}`).set(u.auth).expect(200);
    }
    const got = await t.http.get(`/api/v1/scenarios/${ids.draft}`).set(cast.gov.auth).expect(200);
    expect(got.body.status).toBe('draft');
  });

  it('filters by batch, domain, tech field and status', async () => {
    expect((await list('')).map((s) => s.id).sort()).toEqual(
      [ids.published, ids.closed, ids.otherGov].sort(),
    );
    expect((await list('domain=education')).map((s) => s.id)).toEqual([ids.closed]);
    expect((await list('techField=video_recognition')).map((s) => s.id)).toEqual([ids.otherGov]);
    expect((await list('status=closed')).map((s) => s.id)).toEqual([ids.closed]);
    expect((await list('status=draft')).map((s) => s.id)).toEqual([]);
    expect((await list('domain=government_services&techField=text_processing')).map((s) => s.id)).toEqual([
      ids.published,
    ]);
    const bad = await t.http.get('/api/v1/scenarios?domain=space&status=flying&batchId=x').expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'batchId',
      'domain',
      'status',
    ]);
  });

  it('q matches Chinese substrings of the title and the summary, short or long', async () => {
    const q = async (text: string) => (await list(`q=${encodeURIComponent(text)}`)).map((s) => s.id).sort();
    expect(await q('分拨')).toEqual([ids.published]); // 2 characters: no trigram, still answered
    expect(await q('拨')).toEqual([ids.published]); // 1 character
    expect(await q('智能分拨')).toEqual([ids.published]); // trigram-indexed
    expect(await q('工单自动分类')).toEqual([ids.published]); // in the summary
    expect(await q('视频识别')).toEqual([ids.otherGov]);
    expect(await q('ai模型')).toEqual([ids.closed]); // case-insensitive
    expect(await q('不存在的场景')).toEqual([]);
    // LIKE wildcards are literal
    expect(await q('%')).toEqual([ids.otherGov]);
    expect(await q('_')).toEqual([ids.otherGov]);
    // drafts stay hidden from search too
    const anon = await t.http
      .get(`/api/v1/scenarios?q=${encodeURIComponent('占道经营')}&limit=100`)
      .expect(200);
    expect(anon.body.items.map((s: Item) => s.id)).not.toContain(ids.draft);
    const issuer = await t.http
      .get(`/api/v1/scenarios?q=${encodeURIComponent('占道经营')}&limit=100`)
      .set(cast.gov.auth)
      .expect(200);
    expect(issuer.body.items.map((s: Item) => s.id)).toContain(ids.draft);
    await t.http.get(`/api/v1/scenarios?q=${'长'.repeat(101)}`).expect(400);
  });

  it('serves q of 3+ characters from the pg_trgm GIN indexes', async () => {
    const plan = await t.dataSource.transaction(async (m) => {
      await m.query('SET LOCAL enable_seqscan = off');
      const rows: { 'QUERY PLAN': string }[] = await m.query(
        `EXPLAIN SELECT id FROM scenarios WHERE title ILIKE $1 OR summary ILIKE $1`,
        ['%智能分拨%'],
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('idx_scenarios_title_trgm');
    expect(plan).toContain('idx_scenarios_summary_trgm');
    const trgm: { show_trgm: string[] }[] = await t.dataSource.query(`SELECT show_trgm('分拨中心')`);
    expect(trgm[0].show_trgm.length).toBeGreaterThan(0); // CJK characters are word characters here
  });

  it('pages newest first with a stable keyset cursor', async () => {
    const pageBatch = (await publishedBatch(t, cast.operator)).id;
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await publishedScenario(t, cast, pageBatch, { title: `分页场景${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await t.http
        .get(`/api/v1/scenarios?batchId=${pageBatch}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((s) => s.id));
      cursor = res.body.nextCursor;
      // a scenario created meanwhile (newer) does not shift the pages already being read
      if (seen.length === 2) await publishedScenario(t, cast, pageBatch, { title: '翻页中新建的场景' });
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
    await t.http.get('/api/v1/scenarios?cursor=WyJ4IiwieSJd').expect(400);
  });

  it('answers 404 for unknown ids and 400 for malformed ones', async () => {
    await t.http.get('/api/v1/scenarios/00000000-0000-4000-8000-000000000000').expect(404);
    await t.http.get('/api/v1/scenarios/not-a-uuid').expect(400);
  });
});
