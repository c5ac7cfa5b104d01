import { Controller, Get } from '@nestjs/common';
import { Public } from '@aihub/authz';
import { createTestApp, PROBLEM_JSON, TestApp } from '../utils/test-app';

@Controller('test-failures')
class FailingController {
  @Public()
  @Get('crash')
  crash(): never {
    throw new Error('connection string postgres://secret@db internals');
  }
}

describe('errors as RFC 9457 problem+json (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ controllers: [FailingController] });
  });
  afterAll(() => t.close());

  it('unknown route: 404 problem+json', async () => {
    const res = await t.http.get('/api/v1/no-such-route').expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toEqual(
      expect.objectContaining({
        status: 404,
        code: 'ROUTE_NOT_FOUND',
        type: expect.stringMatching(/^urn:aihub:problem:/),
        title: expect.any(String),
        detail: expect.any(String),
        instance: '/api/v1/no-such-route',
      }),
    );
  });

  it('malformed JSON: 400 MALFORMED_JSON', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('oversized JSON body: 413', async () => {
    const res = await t.http
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }))
      .expect(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('unknown errors: 500 with a request id and no internals', async () => {
    const res = await t.http
      .get('/api/v1/test-failures/crash')
      .set('X-Request-Id', 'req-test-500')
      .expect(500);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toEqual(
      expect.objectContaining({ status: 500, code: 'INTERNAL_ERROR', requestId: 'req-test-500' }),
    );
    expect(JSON.stringify(res.body)).not.toMatch(/postgres|secret|internals|stack/i);
    expect(res.headers['x-request-id']).toBe('req-test-500');
  });

  it('gives every response a request id', async () => {
    const res = await t.http.get('/api/v1/health');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
