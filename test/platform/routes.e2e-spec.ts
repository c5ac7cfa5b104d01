import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { IS_PUBLIC, POLICY } from '@aihub/authz';
import { API_PREFIX } from '../../apps/api/src/configure-app';
import { createTestApp, TestApp } from '../utils/test-app';

interface RouteInfo {
  controller: string;
  handler: string;
  method: string;
  paths: string[];
  isPublic: boolean;
  hasPolicy: boolean;
}

const UNPREFIXED = new Set(['metrics', 'api/v1/metrics']);

/** Every route the api registers, read from Nest's own metadata (not from a list we keep by hand). */
function enumerateRoutes(t: TestApp): RouteInfo[] {
  const discovery = t.get(DiscoveryService);
  const scanner = t.get(MetadataScanner);
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const instance = wrapper.instance as object | undefined;
    if (!instance || !wrapper.metatype) continue;
    const proto = Object.getPrototypeOf(instance);
    const ctrlPaths = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, wrapper.metatype) ?? '');
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = proto[name];
      const methodPaths = Reflect.getMetadata(PATH_METADATA, handler);
      if (methodPaths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const paths: string[] = [];
      for (const c of ctrlPaths) {
        for (const m of ([] as string[]).concat(methodPaths)) {
          const local = [c, m]
            .map((s) => s.replace(/^\/|\/$/g, ''))
            .filter(Boolean)
            .join('/');
          paths.push(UNPREFIXED.has(local) ? `/${local}` : `/${API_PREFIX}/${local}`.replace(/\/$/, ''));
        }
      }
      const metatype = wrapper.metatype as object;
      const meta = (key: string) => Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, metatype);
      routes.push({
        controller: wrapper.metatype.name,
        handler: name,
        method,
        paths,
        isPublic: meta(IS_PUBLIC) === true,
        hasPolicy: meta(POLICY) !== undefined,
      });
    }
  }
  return routes;
}

describe('routes, policies and the OpenAPI document (e2e)', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  beforeAll(async () => {
    t = await createTestApp();
    routes = enumerateRoutes(t);
  });
  afterAll(() => t.close());

  it('finds the routes (sanity: the enumeration itself works)', () => {
    const keys = routes.flatMap((r) => r.paths.map((p) => `${r.method} ${p}`));
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'GET /api/v1/me',
        'GET /api/v1/organizations/:id',
        'GET /api/v1/health',
        'GET /metrics',
      ]),
    );
    expect(routes.length).toBeGreaterThanOrEqual(14);
  });

  it('every handler declares a policy or @Public() (deny by default)', () => {
    const missing = routes
      .filter((r) => !r.isPublic && !r.hasPolicy)
      .map((r) => `${r.controller}.${r.handler}`);
    expect(missing).toEqual([]);
  });

  it('a handler without a policy is refused at run time with 403 POLICY_MISSING', async () => {
    const { Controller, Get } = await import('@nestjs/common');
    @Controller('test-no-policy')
    class NoPolicyController {
      @Get()
      open() {
        return { leaked: true };
      }
    }
    const app = await createTestApp({ controllers: [NoPolicyController] });
    try {
      const user = await app.createUser(['operator']);
      const res = await app.http.get('/api/v1/test-no-policy').set(user.auth).expect(403);
      expect(res.body.code).toBe('POLICY_MISSING');
      await app.http.get('/api/v1/test-no-policy').expect(403);
    } finally {
      await app.close();
    }
  });

  it('serves a valid OpenAPI document that lists every route', async () => {
    const res = await t.http.get('/api/docs-json').expect(200);
    const doc = res.body;
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const missing: string[] = [];
    for (const r of routes) {
      for (const p of r.paths) {
        const openapiPath = p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        if (!doc.paths?.[openapiPath]?.[r.method.toLowerCase()]) missing.push(`${r.method} ${openapiPath}`);
      }
    }
    expect(missing).toEqual([]);
    // and nothing in the document that the app does not serve
    const served = new Set(
      routes.flatMap((r) =>
        r.paths.map((p) => `${r.method.toLowerCase()} ${p.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
      ),
    );
    const extra = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => !served.has(`${m} ${p}`))
        .map((m) => `${m} ${p}`),
    );
    expect(extra).toEqual([]);
    await t.http.get('/api/docs').expect(200).expect('content-type', /html/);
  });
});
