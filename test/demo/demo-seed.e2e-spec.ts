import { Client } from 'pg';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp } from '../utils/test-app';

const SIX_DOMAINS = [
  'city_appearance',
  'government_services',
  'elderly_care',
  'public_safety',
  'health',
  'epidemic_prevention',
];
const FIVE_TECH_FIELDS = [
  'big_data_analytics',
  'video_recognition',
  'knowledge_graph',
  'text_processing',
  'speech_processing',
];
const TABLES = [
  'organizations',
  'users',
  'batches',
  'scenarios',
  'applications',
  'publicities',
  'objections',
  'sandbox_provision_requests',
  'notifications',
  'audit_events',
];

/** Row counts over a connection of its own (also usable between two boots). */
async function counts(url: string): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const out: Record<string, number> = {};
    for (const table of TABLES)
      out[table] = (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    return out;
  } finally {
    await client.end();
  }
}

describe('demo seed (e2e, DEMO=true, own database)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp | undefined;

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('demo', { DEMO: 'true', STATS_CACHE_SECONDS: '0' });
    t = await createTestApp({ env: isolated.env });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await isolated?.dispose();
  });

  const app = () => t!;
  const query = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> =>
    app().dataSource.query(sql, params);

  it('publishes three batches with 38 scenarios across the six domains and five tech fields', async () => {
    const batches = await query<{ number: number; title: string; status: string }>(
      'SELECT number, title, status FROM batches ORDER BY number',
    );
    expect(batches).toEqual([
      { number: 1, title: '第一期需求清单', status: 'published' },
      { number: 2, title: '第二期需求清单', status: 'published' },
      { number: 3, title: '第三期需求清单', status: 'published' },
    ]);
    const scenarios = await query<{
      title: string;
      domain: string;
      tech_field: string;
      layer: string;
      status: string;
    }>('SELECT title, domain, tech_field, layer, status FROM scenarios');
    expect(scenarios).toHaveLength(38);
    expect(new Set(scenarios.map((s) => s.title)).size).toBe(38);
    expect(scenarios.map((s) => s.title)).toEqual(
      expect.arrayContaining([
        '城市事件智能分拨',
        '学位供需预测',
        '占道经营视频识别',
        '12345热线工单分类',
        '老人跌倒监测',
      ]),
    );
    expect([...new Set(scenarios.map((s) => s.domain))]).toEqual(expect.arrayContaining(SIX_DOMAINS));
    expect([...new Set(scenarios.map((s) => s.tech_field))].sort()).toEqual([...FIVE_TECH_FIELDS].sort());
    expect([...new Set(scenarios.map((s) => s.layer))].sort()).toEqual([
      'economy',
      'government',
      'livelihood',
    ]);
    // every scenario is public: the whole catalog is visible anonymously
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: { title: string }[]; nextCursor: string | null } } = await app()
        .http.get('/api/v1/scenarios')
        .query(cursor ? { limit: 20, cursor } : { limit: 20 })
        .expect(200);
      seen.push(...res.body.items.map((s) => s.title));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(38);
    // Chinese search finds the examples
    const hits = await app().http.get('/api/v1/scenarios').query({ q: '跌倒' }).expect(200);
    expect(hits.body.items.map((s: { title: string }) => s.title)).toContain('老人跌倒监测');
  });

  it('has open, upcoming and closed windows relative to now, one publicity open and one scenario awarded', async () => {
    const [row] = await query<{ open: number; upcoming: number; closed: number }>(
      `SELECT count(*) FILTER (WHERE status = 'published' AND application_opens_at <= now() AND application_closes_at > now())::int AS open,
              count(*) FILTER (WHERE status = 'published' AND application_opens_at > now())::int AS upcoming,
              count(*) FILTER (WHERE status <> 'published' AND application_closes_at < now())::int AS closed
         FROM scenarios`,
    );
    expect(row.open).toBeGreaterThanOrEqual(15);
    expect(row.upcoming).toBeGreaterThanOrEqual(1);
    expect(row.closed).toBeGreaterThanOrEqual(15);

    const byStatus = await query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM scenarios GROUP BY status',
    );
    const status = Object.fromEntries(byStatus.map((r) => [r.status, r.n]));
    expect(status).toEqual(expect.objectContaining({ awarding: 1, awarded: 1 }));

    const publicities = await query<{
      title: string;
      status: string;
      outcome: string | null;
      open_now: boolean;
    }>(
      `SELECT s.title, p.status, p.outcome, (p.starts_at <= now() AND p.ends_at > now()) AS open_now
         FROM publicities p JOIN scenarios s ON s.id = p.scenario_id ORDER BY s.title`,
    );
    expect(publicities).toEqual([
      { title: '占道经营视频识别', status: 'open', outcome: null, open_now: true },
      { title: '城市事件智能分拨', status: 'closed', outcome: 'passed', open_now: false },
    ]);
    const open = await app().http.get('/api/v1/publicities').expect(200);
    expect(open.body.items.filter((p: { status: string }) => p.status === 'open')).toHaveLength(1);
    // the awardee's sandbox request is recorded for the sandbox issue
    const provisions = await query('SELECT * FROM sandbox_provision_requests');
    expect(provisions).toHaveLength(1);
  });

  it('has applications of the demo companies in every state the lifecycle reaches', async () => {
    const rows = await query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM applications GROUP BY status',
    );
    const states = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect(Object.keys(states).sort()).toEqual(
      [
        'draft',
        'formal_passed',
        'not_selected',
        'proposed',
        'rejected',
        'returned',
        'selected',
        'submitted',
        'withdrawn',
      ].sort(),
    );
    const awarded = await query<{ title: string; status: string; name: string }>(
      `SELECT s.title, a.status, o.name FROM applications a
         JOIN scenarios s ON s.id = a.scenario_id JOIN organizations o ON o.id = a.applicant_org_id
        WHERE s.status = 'awarded' ORDER BY a.status`,
    );
    expect(awarded).toEqual([
      { title: '城市事件智能分拨', status: 'not_selected', name: '深圳鹏程数智科技有限公司' },
      { title: '城市事件智能分拨', status: 'selected', name: '深圳智城科技有限公司' },
    ]);
    // the demo company sees what happened to it, in Chinese
    const login = await app()
      .http.post('/api/v1/auth/login')
      .send({ email: 'enterprise@demo.aihub', password: 'Demo#2026' })
      .expect(200);
    const inbox = await app()
      .http.get('/api/v1/notifications')
      .set({ Authorization: `Bearer ${login.body.accessToken}` })
      .expect(200);
    expect(inbox.body.unreadCount).toBeGreaterThan(0);
    expect(inbox.body.items.map((n: { kind: string }) => n.kind)).toEqual(
      expect.arrayContaining(['application.selected', 'application.rejected', 'application.returned']),
    );
  });

  it('shows in /stats and is audited', async () => {
    const stats = (await app().http.get('/api/v1/stats').expect(200)).body;
    expect(stats.batches).toBe(3);
    expect(stats.scenarios.total).toBe(38);
    expect(stats.awardees).toBe(1);
    expect(stats.enterprises).toBe(2);
    const [audit] = await query<{ backdate: number; publish: number }>(
      `SELECT count(*) FILTER (WHERE action = 'demo.backdate')::int AS backdate,
              count(*) FILTER (WHERE action = 'scenario.publish')::int AS publish FROM audit_events`,
    );
    expect(audit).toEqual({ backdate: 38, publish: 38 });
    // the seed acts as the demo accounts: the ledger names who did what
    const actors = await query<{ email: string; n: number }>(
      `SELECT u.email, count(*)::int AS n FROM audit_events e JOIN users u ON u.id = e.actor_id
        WHERE e.action IN ('scenario.create', 'scenario.publish', 'application.create')
        GROUP BY u.email ORDER BY u.email`,
    );
    expect(actors).toEqual([
      { email: 'enterprise2@demo.aihub', n: 8 },
      { email: 'enterprise@demo.aihub', n: 8 },
      { email: 'gov@demo.aihub', n: 38 },
      { email: 'operator@demo.aihub', n: 38 },
    ]);
  });

  it('adds nothing on a second boot', async () => {
    await t!.close();
    t = undefined;
    const before = await counts(isolated.config.database.url);
    t = await createTestApp({ env: isolated.env });
    expect(await counts(isolated.config.database.url)).toEqual(before);
    expect(before.scenarios).toBe(38);
  }, 180_000);
});
