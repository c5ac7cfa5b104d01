import { createTestApp, TestApp } from '../utils/test-app';

describe('health and metrics (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('reports PostgreSQL, Redis and storage up', async () => {
    const res = await t.http.get('/api/v1/health').expect(200);
    expect(res.body.status).toBe('ok');
    for (const dep of ['database', 'redis', 'storage'])
      expect(res.body.checks[dep]).toEqual(expect.objectContaining({ status: 'up' }));
  });

  it('answers 503 degraded when a dependency is down', async () => {
    // the api still boots without Redis, so that health can say what is wrong
    const broken = await createTestApp({ env: { REDIS_URL: 'redis://127.0.0.1:1/0' } });
    try {
      const res = await broken.http.get('/api/v1/health').expect(503);
      expect(res.body.checks.redis.status).toBe('down');
    } finally {
      await broken.close();
    }
  });

  it('exposes Prometheus metrics with HTTP histograms and queue depths', async () => {
    await t.http.get('/api/v1/health');
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(/aihub_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/health"/);
    expect(res.text).toContain('aihub_queue_jobs');
    await t.http.get('/api/v1/metrics').expect(200);
  });
});
