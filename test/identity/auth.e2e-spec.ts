import { JwtService } from '@nestjs/jwt';
import { AuditEventEntity } from '@aihub/audit';
import { createTestApp, PROBLEM_JSON, TEST_PASSWORD, TestApp } from '../utils/test-app';

describe('authentication (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { LOGIN_MAX_FAILURES_PER_ACCOUNT: '3' } });
  });
  afterAll(() => t.close());

  it('logs in with email and password and answers /me', async () => {
    const user = await t.createUser(['enterprise']);
    const res = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email.toUpperCase(), password: TEST_PASSWORD })
      .expect(200);
    expect(res.body).toEqual(
      expect.objectContaining({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        accessTokenExpiresAt: expect.any(String),
      }),
    );
    expect(res.body.user).toEqual(
      expect.objectContaining({
        id: user.id,
        email: user.email,
        roles: ['enterprise'],
        organization: expect.objectContaining({ id: user.organizationId, type: 'enterprise' }),
      }),
    );
    const ttl = (Date.parse(res.body.accessTokenExpiresAt) - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(850);
    expect(ttl).toBeLessThanOrEqual(900);
    const me = await t.http
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body).toEqual({
      id: user.id,
      email: user.email,
      displayName: expect.any(String),
      roles: ['enterprise'],
      organization: { id: user.organizationId, name: expect.any(String), type: 'enterprise' },
    });
    const events = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { action: 'auth.login', actorId: user.id, outcome: 'success' } });
    expect(events.length).toBe(2);
  });

  it('rejects a wrong password and an unknown email alike, as problem+json, and audits the failure', async () => {
    const user = await t.createUser(['gov']);
    const wrong = await t.http
      .post('/api/v1/auth/login')
      .send({ email: user.email, password: 'not-the-password1' })
      .expect(401);
    expect(wrong.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(wrong.body).toEqual(
      expect.objectContaining({
        status: 401,
        code: 'INVALID_CREDENTIALS',
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      }),
    );
    const unknown = await t.http
      .post('/api/v1/auth/login')
      .send({ email: 'nobody@nowhere.test', password: 'whatever-123' })
      .expect(401);
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
    const failures = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { action: 'auth.login', objectId: user.id, outcome: 'failure' } });
    expect(failures).toHaveLength(1);
    expect(JSON.stringify(failures[0].details)).not.toContain('not-the-password1');
  });

  it('validates the login body', async () => {
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'not-an-email', extra: 1 }).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'extra']));
  });

  it('rotates refresh tokens and revokes the whole family when a spent token is replayed', async () => {
    const user = await t.createUser(['enterprise']);
    const first = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(200);
    expect(first.body.refreshToken).not.toBe(user.refreshToken);
    await t.http.get('/api/v1/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
    const second = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: first.body.refreshToken })
      .expect(200);

    // replaying the first (spent) token: detected, and every token of this login dies
    const replay = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: user.refreshToken })
      .expect(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    const afterReplay = await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: second.body.refreshToken })
      .expect(401);
    expect(afterReplay.body.code).toBe('INVALID_REFRESH_TOKEN');
    const audit = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { action: 'auth.refresh.reuse_detected', objectId: user.id } });
    expect(audit).toHaveLength(1);
  });

  it('refuses garbage and tampered refresh tokens', async () => {
    const user = await t.createUser(['enterprise']);
    await t.http
      .post('/api/v1/auth/refresh')
      .send({ refreshToken: 'x'.repeat(40) })
      .expect(401);
    const [id, secret] = user.refreshToken.split('.');
    const tampered = `${id}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
    const res = await t.http.post('/api/v1/auth/refresh').send({ refreshToken: tampered }).expect(401);
    expect(res.body.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('logout revokes the refresh token', async () => {
    const user = await t.createUser(['enterprise']);
    await t.http.post('/api/v1/auth/logout').send({ refreshToken: user.refreshToken }).expect(204);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
  });

  describe('access tokens', () => {
    it('401 without a token', async () => {
      const res = await t.http.get('/api/v1/me').expect(401);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.body.code).toBe('UNAUTHENTICATED');
    });

    it('401 for a malformed Authorization header', async () => {
      const res = await t.http.get('/api/v1/me').set('Authorization', 'Basic abc').expect(401);
      expect(res.body.code).toBe('MALFORMED_AUTHORIZATION');
    });

    it('401 TOKEN_EXPIRED for an expired token', async () => {
      const user = await t.createUser(['enterprise']);
      const jwt = t.get(JwtService);
      const expired = jwt.sign({ sub: user.id, org: user.organizationId, typ: 'access' }, { expiresIn: -10 });
      const res = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${expired}`).expect(401);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    });

    it('401 INVALID_TOKEN for a tampered token and for one signed with another key', async () => {
      const user = await t.createUser(['enterprise']);
      const [h, p, s] = user.token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      const forged = Buffer.from(
        JSON.stringify({ ...claims, sub: '00000000-0000-4000-8000-000000000000' }),
      ).toString('base64url');
      await t.http.get('/api/v1/me').set('Authorization', `Bearer ${h}.${forged}.${s}`).expect(401);
      const other = new JwtService({ secret: 'another-secret-that-is-long-enough-1234567890' }).sign(
        { sub: user.id, org: user.organizationId, typ: 'access' },
        { issuer: 'aihub' },
      );
      const res = await t.http.get('/api/v1/me').set('Authorization', `Bearer ${other}`).expect(401);
      expect(res.body.code).toBe('INVALID_TOKEN');
    });

    it('stops working as soon as the account is disabled', async () => {
      const user = await t.createUser(['enterprise']);
      await t.http.get('/api/v1/me').set(user.auth).expect(200);
      await t.dataSource.query('UPDATE users SET active = false WHERE id = $1', [user.id]);
      await t.http.get('/api/v1/me').set(user.auth).expect(401);
    });
  });

  describe('rate limiting', () => {
    it('locks an account after repeated failures, even for the right password, and says when to retry', async () => {
      const user = await t.createUser(['enterprise']);
      for (let i = 0; i < 3; i++)
        await t.http
          .post('/api/v1/auth/login')
          .send({ email: user.email, password: 'wrong-password-1' })
          .expect(401);
      const res = await t.http
        .post('/api/v1/auth/login')
        .send({ email: user.email, password: TEST_PASSWORD })
        .expect(429);
      expect(res.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const denied = await t.dataSource
        .getRepository(AuditEventEntity)
        .count({ where: { action: 'auth.login', outcome: 'denied' } });
      expect(denied).toBeGreaterThan(0);
    });

    it('limits attempts per client IP across accounts', async () => {
      const limited = await createTestApp({
        env: { LOGIN_MAX_ATTEMPTS_PER_IP: '4', REDIS_PREFIX: `${process.env.REDIS_PREFIX}_ip` },
      });
      try {
        for (let i = 0; i < 4; i++) {
          await limited.http
            .post('/api/v1/auth/login')
            .send({ email: `nobody${i}@x.test`, password: 'whatever-123' })
            .expect(401);
        }
        const res = await limited.http
          .post('/api/v1/auth/login')
          .send({ email: 'other@x.test', password: 'whatever-123' })
          .expect(429);
        expect(res.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
      } finally {
        await limited.close();
      }
    });
  });
});
