import { Controller, DynamicModule, Module, Type } from '@nestjs/common';
import { randomBytes, randomInt } from 'node:crypto';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '@aihub/core';
import type { Role, OrganizationType } from '@aihub/authz';
import { OrganizationEntity, UserEntity, PasswordHasher, withCreditCodeCheck } from '@aihub/identity';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp } from '../../apps/api/src/configure-app';

export const TEST_PASSWORD = 'Test-pass-2026';

export interface TestUser {
  id: string;
  email: string;
  organizationId: string;
  roles: Role[];
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

let seq = 0;
/** Unique names: Jest gives every test file its own module state, so a counter alone repeats. */
export const uniqueSuffix = () => `${process.pid}-${++seq}-${randomBytes(4).toString('hex')}`;

/** A 17-character body that becomes a valid credit code with its check character. */
export function testCreditCode(): string {
  // 9 random digits: unique enough across parallel test files (each has its own module state)
  const body = `91440300${String(randomInt(0, 1e9)).padStart(9, '0')}`;
  return withCreditCodeCheck(body);
}

export class TestApp {
  constructor(
    readonly app: NestExpressApplication,
    readonly config: AppConfig,
  ) {}

  get http() {
    return request(this.app.getHttpServer());
  }

  get dataSource(): DataSource {
    return this.app.get<DataSource>(getDataSourceToken());
  }

  get<T>(token: Type<T> | string | symbol): T {
    return this.app.get(token, { strict: false });
  }

  async createOrganization(
    type: OrganizationType,
    name = `测试机构-${type}-${uniqueSuffix()}`,
  ): Promise<OrganizationEntity> {
    const repo = this.dataSource.getRepository(OrganizationEntity);
    return repo.save(repo.create({ name, type, creditCode: type === 'platform' ? null : testCreditCode() }));
  }

  /** Creates a user directly (fixtures are not what is under test) and logs it in over HTTP. */
  async createUser(
    roles: Role[],
    organization?: OrganizationEntity,
    password = TEST_PASSWORD,
  ): Promise<TestUser> {
    const type: OrganizationType = roles.includes('operator')
      ? 'platform'
      : roles.includes('enterprise')
        ? 'enterprise'
        : roles.includes('auditor') || roles.includes('expert')
          ? 'platform'
          : 'government';
    const org = organization ?? (await this.createOrganization(type));
    const repo = this.dataSource.getRepository(UserEntity);
    const email = `u${uniqueSuffix()}@test.aihub`.toLowerCase();
    const hash = await this.get(PasswordHasher).hash(password);
    const user = await repo.save(
      repo.create({
        email,
        displayName: `测试用户 ${email}`,
        organizationId: org.id,
        roles,
        passwordHash: hash,
        active: true,
      }),
    );
    const res = await this.http.post('/api/v1/auth/login').send({ email, password }).expect(200);
    return {
      id: user.id,
      email,
      organizationId: org.id,
      roles,
      token: res.body.accessToken,
      refreshToken: res.body.refreshToken,
      auth: { Authorization: `Bearer ${res.body.accessToken}` },
    };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** extra controllers for tests of cross-cutting behaviour (e.g. an endpoint that throws) */
  controllers?: Type<unknown>[];
  providers?: DynamicModule['providers'];
}

/** Boots the real api (same module and configureApp as main.ts) on a random port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  // every fixture logs in from 127.0.0.1: the per-IP budget is tested explicitly, not here
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    LOGIN_MAX_ATTEMPTS_PER_IP: '100000',
    // tests read their own writes at once; the anonymous catalog cache has its own test
    CATALOG_CACHE_SECONDS: '0',
    ...options.env,
  });
  @Module({
    imports: [DiscoveryModule],
    controllers: options.controllers ?? [],
    providers: options.providers ?? [],
  })
  class ExtraModule {}
  @Module({ imports: [AppModule.forRoot(config), ExtraModule] })
  class TestRootModule {}
  const app = await NestFactory.create<NestExpressApplication>(TestRootModule, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  configureApp(app, config);
  await app.listen(0, '127.0.0.1');
  return new TestApp(app, config);
}

export const PROBLEM_JSON = /application\/problem\+json/;
export { Controller };
