import { AuditEventEntity } from '@aihub/audit';
import {
  createTestApp,
  PROBLEM_JSON,
  TestApp,
  TestUser,
  testCreditCode,
  uniqueSuffix,
} from '../utils/test-app';

describe('organizations and users (e2e)', () => {
  let t: TestApp;
  let operator: TestUser;
  let ent1: TestUser;
  let ent2: TestUser;
  let auditor: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    operator = await t.createUser(['operator']);
    ent1 = await t.createUser(['enterprise']);
    ent2 = await t.createUser(['enterprise']);
    auditor = await t.createUser(['auditor']);
  });
  afterAll(() => t.close());

  const audited = (action: string, objectId: string) =>
    t.dataSource.getRepository(AuditEventEntity).find({ where: { action, objectId } });

  describe('POST /organizations', () => {
    it('lets an operator create an enterprise with a valid credit code, audited', async () => {
      const creditCode = testCreditCode();
      const res = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name: `企业-${uniqueSuffix()}`, type: 'enterprise', creditCode })
        .expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        type: 'enterprise',
        creditCode,
        createdAt: expect.any(String),
      });
      const events = await audited('organization.create', res.body.id);
      expect(events).toHaveLength(1);
      expect(events[0].actorId).toBe(operator.id);
    });

    it('rejects a credit code with a wrong check character (GB 32100)', async () => {
      const valid = testCreditCode();
      const wrongCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
      const res = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name: `企业-${uniqueSuffix()}`, type: 'enterprise', creditCode: wrongCheck })
        .expect(400);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'creditCode' })]);
    });

    it('requires a credit code for enterprises and validates every field', async () => {
      const missing = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name: `企业-${uniqueSuffix()}`, type: 'enterprise' })
        .expect(400);
      expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'creditCode' })]);
      const bad = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name: 'x', type: 'company' })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'type']);
    });

    it('answers 409 for a duplicate name or credit code', async () => {
      const name = `企业-${uniqueSuffix()}`;
      const creditCode = testCreditCode();
      await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name, type: 'enterprise', creditCode })
        .expect(201);
      const dupName = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name, type: 'enterprise', creditCode: testCreditCode() })
        .expect(409);
      expect(dupName.body).toEqual(expect.objectContaining({ code: 'ORGANIZATION_EXISTS', field: 'name' }));
      const dupCode = await t.http
        .post('/api/v1/organizations')
        .set(operator.auth)
        .send({ name: `${name}-2`, type: 'enterprise', creditCode })
        .expect(409);
      expect(dupCode.body.field).toBe('creditCode');
    });

    it('forbids non-operators (403) and audits the denied attempt', async () => {
      const res = await t.http
        .post('/api/v1/organizations')
        .set(ent1.auth)
        .send({ name: `企业-${uniqueSuffix()}`, type: 'enterprise', creditCode: testCreditCode() })
        .expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      const denied = await t.dataSource
        .getRepository(AuditEventEntity)
        .find({ where: { action: 'authz.denied', actorId: ent1.id } });
      expect(denied).toHaveLength(1);
      expect(denied[0].outcome).toBe('denied');
      expect(denied[0].details).toEqual(expect.objectContaining({ method: 'POST' }));
      await t.http.post('/api/v1/organizations').send({}).expect(401);
    });
  });

  describe('tenancy', () => {
    it('lets a member read its own organization and answers 404 for another tenant', async () => {
      await t.http.get(`/api/v1/organizations/${ent1.organizationId}`).set(ent1.auth).expect(200);
      const res = await t.http.get(`/api/v1/organizations/${ent2.organizationId}`).set(ent1.auth).expect(404);
      expect(res.body.code).toBe('ORGANIZATION_NOT_FOUND');
      // indistinguishable from an id that does not exist
      const none = await t.http
        .get('/api/v1/organizations/00000000-0000-4000-8000-000000000000')
        .set(ent1.auth)
        .expect(404);
      expect(none.body.code).toBe(res.body.code);
    });

    it('lists only what the caller may read', async () => {
      const mine = await t.http.get('/api/v1/organizations?limit=100').set(ent1.auth).expect(200);
      expect(mine.body.items.map((o: { id: string }) => o.id)).toEqual([ent1.organizationId]);
      const users = await t.http.get('/api/v1/users?limit=100').set(ent1.auth).expect(200);
      expect(
        users.body.items.every((u: { organizationId: string }) => u.organizationId === ent1.organizationId),
      ).toBe(true);
      expect(users.body.items.map((u: { id: string }) => u.id)).toContain(ent1.id);
      const all = await t.http.get('/api/v1/organizations?limit=100').set(auditor.auth).expect(200);
      expect(all.body.items.length).toBeGreaterThanOrEqual(4);
    });

    it('answers 404 for another tenant user and 400 for a non-UUID id', async () => {
      await t.http.get(`/api/v1/users/${ent2.id}`).set(ent1.auth).expect(404);
      await t.http.get(`/api/v1/users/${ent1.id}`).set(ent1.auth).expect(200);
      const bad = await t.http.get('/api/v1/users/not-a-uuid').set(ent1.auth).expect(400);
      expect(bad.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
    });

    it('paginates with a stable cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: { items: { id: string }[]; nextCursor: string | null } } = await t.http
          .get('/api/v1/organizations')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set(operator.auth)
          .expect(200);
        seen.push(...res.body.items.map((o) => o.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      const total = await t.dataSource.query('SELECT count(*)::int AS n FROM organizations');
      expect(seen.length).toBe(total[0].n);
      const bad = await t.http.get('/api/v1/organizations?cursor=garbage').set(operator.auth).expect(400);
      expect(bad.body.errors[0].field).toBe('cursor');
    });
  });

  describe('POST /users and roles', () => {
    it('creates a user in an organization whose type fits the roles', async () => {
      const email = `new-${uniqueSuffix()}@test.aihub`;
      const res = await t.http
        .post('/api/v1/users')
        .set(operator.auth)
        .send({
          email,
          password: 'Strong-pass-123',
          displayName: '新用户',
          organizationId: ent1.organizationId,
          roles: ['enterprise'],
        })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          email: email.toLowerCase(),
          roles: ['enterprise'],
          organizationId: ent1.organizationId,
          active: true,
        }),
      );
      expect(res.body).not.toHaveProperty('passwordHash');
      await t.http.post('/api/v1/auth/login').send({ email, password: 'Strong-pass-123' }).expect(200);
      const dup = await t.http
        .post('/api/v1/users')
        .set(operator.auth)
        .send({
          email,
          password: 'Strong-pass-123',
          displayName: 'x',
          organizationId: ent1.organizationId,
          roles: ['enterprise'],
        })
        .expect(409);
      expect(dup.body.code).toBe('EMAIL_TAKEN');
    });

    it('refuses roles that do not fit the organization (422) and weak passwords (400)', async () => {
      const res = await t.http
        .post('/api/v1/users')
        .set(operator.auth)
        .send({
          email: `x-${uniqueSuffix()}@test.aihub`,
          password: 'Strong-pass-123',
          displayName: 'x',
          organizationId: ent1.organizationId,
          roles: ['operator'],
        })
        .expect(422);
      expect(res.body.code).toBe('ROLE_NOT_ALLOWED_FOR_ORGANIZATION');
      const weak = await t.http
        .post('/api/v1/users')
        .set(operator.auth)
        .send({
          email: `x-${uniqueSuffix()}@test.aihub`,
          password: 'short',
          displayName: 'x',
          organizationId: ent1.organizationId,
          roles: ['enterprise'],
        })
        .expect(400);
      expect(weak.body.errors[0].field).toBe('password');
      const unknownOrg = await t.http
        .post('/api/v1/users')
        .set(operator.auth)
        .send({
          email: `x-${uniqueSuffix()}@test.aihub`,
          password: 'Strong-pass-123',
          displayName: 'x',
          organizationId: '00000000-0000-4000-8000-000000000000',
          roles: ['enterprise'],
        })
        .expect(404);
      expect(unknownOrg.body.code).toBe('ORGANIZATION_NOT_FOUND');
    });

    it('changes roles (audited; effective at once) and forbids it to non-operators', async () => {
      const member = await t.createUser(['expert'], await t.createOrganization('government'));
      await t.http
        .put(`/api/v1/users/${member.id}/roles`)
        .set(member.auth)
        .send({ roles: ['gov'] })
        .expect(403);
      const res = await t.http
        .put(`/api/v1/users/${member.id}/roles`)
        .set(operator.auth)
        .send({ roles: ['gov', 'data_steward'] })
        .expect(200);
      expect(res.body.roles).toEqual(['data_steward', 'gov']);
      const me = await t.http.get('/api/v1/me').set(member.auth).expect(200);
      expect(me.body.roles).toEqual(['data_steward', 'gov']);
      const events = await audited('user.roles.change', member.id);
      expect(events).toHaveLength(1);
      expect(events[0].details).toEqual({ before: ['expert'], after: ['data_steward', 'gov'] });
    });
  });

  describe('POST /auth/register-enterprise', () => {
    it('registers a company and its first member without login', async () => {
      const email = `reg-${uniqueSuffix()}@test.aihub`;
      const creditCode = testCreditCode();
      const res = await t.http
        .post('/api/v1/auth/register-enterprise')
        .send({
          organization: { name: `自助注册-${uniqueSuffix()}`, creditCode },
          user: { email, password: 'Strong-pass-123', displayName: '注册人' },
        })
        .expect(201);
      expect(res.body.organization).toEqual(expect.objectContaining({ type: 'enterprise', creditCode }));
      expect(res.body.user).toEqual(expect.objectContaining({ email, roles: ['enterprise'] }));
      const login = await t.http
        .post('/api/v1/auth/login')
        .send({ email, password: 'Strong-pass-123' })
        .expect(200);
      expect(login.body.user.organization.id).toBe(res.body.organization.id);
      expect(await audited('enterprise.register', res.body.organization.id)).toHaveLength(1);

      const again = await t.http
        .post('/api/v1/auth/register-enterprise')
        .send({
          organization: { name: `另一家-${uniqueSuffix()}`, creditCode },
          user: { email: `b-${email}`, password: 'Strong-pass-123', displayName: 'b' },
        })
        .expect(409);
      expect(again.body.code).toBe('ORGANIZATION_EXISTS');
      // the failed registration left no user behind
      await t.http
        .post('/api/v1/auth/login')
        .send({ email: `b-${email}`, password: 'Strong-pass-123' })
        .expect(401);
    });

    it('validates nested fields', async () => {
      const res = await t.http
        .post('/api/v1/auth/register-enterprise')
        .send({ organization: { name: '', creditCode: '123' }, user: { email: 'bad' } })
        .expect(400);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(
        expect.arrayContaining([
          'organization.name',
          'organization.creditCode',
          'user.email',
          'user.password',
          'user.displayName',
        ]),
      );
    });
  });
});
