/**
 * Keeps docker-compose.yml honest: the production stack has the services, durability settings,
 * healthchecks and secret handling the deployment guide promises, every application variable it sets
 * is one the platform really reads (configSchema), its defaults match the schema's, the environment it
 * produces passes production config validation, it validates against the Compose Specification schema,
 * and — when a compose binary is installed — `compose config` accepts it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { isAlias, isMap, parse, parseDocument, visit } from 'yaml';
import { configSchema } from '../../libs/core/src/config/config.schema';
import { loadConfig } from '../../libs/core/src/config/app-config';

const root = join(__dirname, '..', '..');
const composePath = join(root, 'docker-compose.yml');
const composeText = readFileSync(composePath, 'utf8');
const schemaPath = join(__dirname, 'fixtures', 'compose-spec.json');

type Env = Record<string, string | number | boolean | null>;
interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; target?: string } | string;
  command?: string[] | string;
  environment?: Env;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  volumes?: string[];
  ports?: string[];
  deploy?: { replicas?: number | string };
  security_opt?: string[];
  cap_add?: string[];
  privileged?: boolean;
  networks?: unknown;
  [key: string]: unknown;
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  networks?: unknown;
  [key: string]: unknown;
}

/** The file as compose sees it: YAML 1.1 merge keys (`<<: *anchor`) resolved. */
const compose = parse(composeText, { merge: true }) as ComposeFile;
const services = compose.services;
const appServices = ['migrate', 'api', 'worker'] as const;
const schemaKeys = new Set(Object.keys(configSchema.shape));

/** `${VAR:?message}`: compose refuses to run when VAR is unset or empty. */
const REQUIRED_REF = /^\$\{([A-Z][A-Z0-9_]*):\?[^}]+\}$/;
/** `${VAR:-default}` */
const DEFAULT_REF = /^\$\{([A-Z][A-Z0-9_]*):-([^}]*)\}$/;
/** Variable names whose values are credentials. */
const SECRET_NAME = /PASSWORD|SECRET|_KEY$|_KEY_|TOKEN(?!_TTL)|AUTH|CREDENTIAL/;

/** A tiny compose interpolator for the forms this file uses. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(
    /\$\{([A-Z][A-Z0-9_]*)(?::([?-])([^}]*))?\}/g,
    (_m, name: string, op?: string, arg?: string) => {
      const v = vars[name];
      if (v !== undefined && v !== '') return v;
      if (op === '?') throw new Error(`required variable ${name} is unset: ${arg}`);
      return op === '-' ? (arg ?? '') : '';
    },
  );
}

/** Every variable that compose requires through `${VAR:?...}`. */
function requiredComposeVariables(): string[] {
  return [...new Set([...composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map((m) => m[1]))].sort();
}

/** Dummy values for the required variables, good enough for config validation. */
function dummySecrets(): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of requiredComposeVariables())
    vars[name] = `dummy-${name.toLowerCase().replace(/_/g, '-')}-0123456789abcdef0123456789`;
  return vars;
}

/** The environment the app containers get, after interpolation (value-less keys pass through: omitted here). */
function resolvedAppEnv(vars: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(services.api.environment ?? {})) {
    if (value === null) continue;
    env[key] = interpolate(String(value), vars);
  }
  return env;
}

function commandOf(s: Service): string {
  return Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? '');
}

function stringScalars(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => stringScalars(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => stringScalars(n, out));
  return out;
}

describe('docker-compose.yml', () => {
  describe('services', () => {
    it('defines the production stack', () => {
      for (const name of ['postgres', 'redis', 'minio', 'migrate', 'api', 'worker']) {
        expect(services[name]).toBeDefined();
      }
    });

    it('pins the infrastructure images the platform is tested against', () => {
      expect(services.postgres.image).toBe('postgres:15');
      expect(services.redis.image).toBe('redis:7');
      expect(services.minio.image).toMatch(/^minio\/minio(:|@|$)/);
    });

    it('runs Redis the way BullMQ needs it: AOF fsync every second, never evicting keys', () => {
      const cmd = commandOf(services.redis);
      expect(cmd).toMatch(/^redis-server /);
      expect(cmd).toContain('--appendonly yes');
      expect(cmd).toContain('--appendfsync everysec');
      expect(cmd).toContain('--maxmemory-policy noeviction');
    });

    it('runs MinIO with its console on :9001', () => {
      expect(commandOf(services.minio)).toBe('server /data --console-address :9001');
    });

    it('builds api, worker and migrate from the Dockerfile, as one image', () => {
      const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
      const images = new Set<string | undefined>();
      for (const name of appServices) {
        const { build, image } = services[name];
        expect(typeof build).toBe('object');
        if (typeof build !== 'object') continue;
        expect(build.context).toBe('.');
        expect(build.dockerfile).toBe('Dockerfile');
        expect(dockerfile).toMatch(new RegExp(`^FROM \\S+ AS ${build.target}$`, 'm'));
        images.add(image);
      }
      expect(images.size).toBe(1);
    });

    it('starts each app process with its entry point', () => {
      expect(commandOf(services.api)).toBe('node dist/apps/api/src/main.js');
      expect(commandOf(services.worker)).toBe('node dist/apps/worker/src/main.js');
      expect(commandOf(services.migrate)).toBe('node dist/apps/api/src/migrate.js');
      expect(services.migrate.restart).toBe('no');
    });

    it('orders start-up: postgres healthy -> migrate completed -> api/worker (with redis and minio healthy)', () => {
      expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
      for (const name of ['api', 'worker']) {
        const deps = services[name].depends_on ?? {};
        expect(deps.migrate).toEqual({ condition: 'service_completed_successfully' });
        expect(deps.redis).toEqual({ condition: 'service_healthy' });
        expect(deps.minio).toEqual({ condition: 'service_healthy' });
      }
    });

    it('has healthchecks for every long-running service that serves something', () => {
      const testOf = (name: string) => [services[name].healthcheck?.test ?? []].flat().join(' ');
      expect(testOf('postgres')).toContain('pg_isready');
      expect(testOf('redis')).toContain('redis-cli ping');
      expect(testOf('minio')).toContain('mc ready local');
      expect(testOf('api')).toContain('/api/v1/health');
      // same image as the api, but no HTTP port: the image's HEALTHCHECK must not mark them unhealthy
      expect(services.worker.healthcheck).toEqual({ disable: true });
      expect(services.migrate.healthcheck).toEqual({ disable: true });
    });

    it('publishes the api on AIHUB_PORT and nothing else publicly', () => {
      expect(services.api.ports).toEqual(['${AIHUB_PORT:-3000}:3000']);
      for (const [name, s] of Object.entries(services)) {
        if (name === 'api') continue;
        for (const p of s.ports ?? []) expect(String(p)).toMatch(/^127\.0\.0\.1:/);
      }
    });

    it('lets the operator scale workers, and gives them what bubblewrap needs and nothing more', () => {
      expect(String(services.worker.deploy?.replicas)).toMatch(DEFAULT_REF);
      expect(services.worker.security_opt).toEqual(
        expect.arrayContaining(['seccomp=unconfined', 'apparmor=unconfined']),
      );
      expect(services.worker.cap_add).toBeUndefined();
      expect(services.worker.privileged).toBeUndefined();
      for (const [name, s] of Object.entries(services)) {
        if (name !== 'worker') expect(s.security_opt).toBeUndefined();
      }
    });

    it('keeps state in named volumes on the default network only', () => {
      const declared = Object.keys(compose.volumes ?? {});
      expect(declared.sort()).toEqual(['minio-data', 'postgres-data', 'redis-data']);
      for (const [name, target] of [
        ['postgres', '/var/lib/postgresql/data'],
        ['redis', '/data'],
        ['minio', '/data'],
      ]) {
        expect(services[name].volumes).toEqual([`${name}-data:${target}`]);
      }
      for (const s of Object.values(services)) {
        for (const v of s.volumes ?? []) expect(declared).toContain(v.split(':')[0]);
        expect(s.networks).toBeUndefined();
      }
      expect(compose.networks).toBeUndefined();
    });

    it('stays within the keys compose v1.29 and v2 both understand', () => {
      for (const key of ['include', 'models', 'name']) expect(compose[key]).toBeUndefined();
      const v2Only = [
        'develop',
        'provider',
        'post_start',
        'pre_stop',
        'models',
        'gpus',
        'use_api_socket',
        'label_file',
      ];
      for (const s of Object.values(services)) for (const key of v2Only) expect(s[key]).toBeUndefined();
    });
  });

  describe('secrets', () => {
    it('never contains a literal credential: every secret is a required ${VAR:?...} reference', () => {
      let checked = 0;
      for (const [name, s] of Object.entries(services)) {
        for (const [key, value] of Object.entries(s.environment ?? {})) {
          if (!SECRET_NAME.test(key)) continue;
          checked++;
          // null = passed through from the operator's environment when set (optional secrets only)
          if (value === null) {
            const field = configSchema.shape[key as keyof typeof configSchema.shape];
            expect(field?.safeParse(undefined)).toEqual({ success: true, data: undefined });
            continue;
          }
          expect({ service: name, key, value }).toEqual({
            service: name,
            key,
            value: expect.stringMatching(REQUIRED_REF),
          });
        }
      }
      expect(checked).toBeGreaterThanOrEqual(6);
    });

    it('puts required references, never literals, in passwords inside URLs and command lines', () => {
      let urls = 0;
      for (const scalar of stringScalars(compose)) {
        // references may contain spaces (their messages): fold them into one token first
        const folded = scalar.replace(/\$\{[A-Z][A-Z0-9_]*:\?[^}]+\}/g, '<required>');
        for (const m of folded.matchAll(/[a-z][a-z0-9+.-]*:\/\/([^/@\s]*)@/gi)) {
          urls++;
          const password = m[1].includes(':') ? m[1].slice(m[1].indexOf(':') + 1) : '';
          expect({ url: scalar, password }).toEqual({ url: scalar, password: '<required>' });
        }
      }
      expect(urls).toBeGreaterThanOrEqual(2);
      const redis = services.redis.command as string[];
      const i = redis.indexOf('--requirepass');
      if (i >= 0) expect(redis[i + 1]).toMatch(REQUIRED_REF);
      expect(services.postgres.environment?.POSTGRES_PASSWORD).toMatch(REQUIRED_REF);
      expect(services.minio.environment?.MINIO_ROOT_PASSWORD).toMatch(REQUIRED_REF);
    });

    it('requires the variables the deployment guide tells operators to set', () => {
      expect(requiredComposeVariables()).toEqual(
        expect.arrayContaining([
          'JWT_SECRET',
          'MINIO_ROOT_PASSWORD',
          'MINIO_ROOT_USER',
          'POSTGRES_PASSWORD',
          'REDIS_PASSWORD',
        ]),
      );
      const guide = readFileSync(join(root, 'docs', 'deployment.md'), 'utf8');
      for (const name of requiredComposeVariables()) expect(guide).toContain(name);
    });
  });

  describe('application environment', () => {
    it('is one x-aihub-env anchor shared by migrate, api and worker', () => {
      const doc = parseDocument(composeText, { merge: true });
      expect(isMap(doc.get('x-aihub-env', true))).toBe(true);
      for (const name of appServices) {
        const node = doc.getIn(['services', name, 'environment'], true);
        expect(isAlias(node) && node.source).toBe('aihub-env');
      }
      let anchors = 0;
      visit(doc, { Map: (_k, n) => void (n.anchor === 'aihub-env' && anchors++) });
      expect(anchors).toBe(1);
    });

    it('names only variables that configSchema defines', () => {
      for (const name of appServices) {
        const unknown = Object.keys(services[name].environment ?? {}).filter((k) => !schemaKeys.has(k));
        expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      }
    });

    it('sets production mode against the real services', () => {
      const env = services.api.environment ?? {};
      expect(env.NODE_ENV).toBe('production');
      expect(String(env.DEMO)).toBe('false');
      expect(env.S3_ENDPOINT).toBe('http://minio:9000');
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
      expect(env.REDIS_URL).toMatch(/@redis:6379\//);
      for (const key of [
        'DATABASE_URL',
        'REDIS_URL',
        'S3_ENDPOINT',
        'S3_ACCESS_KEY',
        'S3_SECRET_KEY',
        'JWT_SECRET',
      ]) {
        expect(env[key]).toBeTruthy();
      }
      // dev/test-only settings have no place in production
      for (const key of ['DATABASE_ADMIN_URL', 'S3_EMULATOR_PORT', 'DEMO_PASSWORD'])
        expect(env).not.toHaveProperty(key);
    });

    it('uses the schema default wherever it offers a ${VAR:-default} for the same variable', () => {
      const defaults = configSchema.parse({});
      let checked = 0;
      for (const [key, value] of Object.entries(services.api.environment ?? {})) {
        const m = typeof value === 'string' ? DEFAULT_REF.exec(value) : null;
        if (!m || m[1] !== key) continue;
        checked++;
        expect({ key, default: m[2] }).toEqual({
          key,
          default: String(defaults[key as keyof typeof defaults]),
        });
      }
      expect(checked).toBeGreaterThan(10);
    });

    it('produces an environment that passes production config validation', () => {
      const config = loadConfig(resolvedAppEnv(dummySecrets()));
      expect(config.isProduction).toBe(true);
      expect(config.storage.emulator).toBe(false);
      expect(config.demo.enabled).toBe(false);
      expect(config.http.port).toBe(3000);
    });
  });

  describe('Compose Specification schema', () => {
    const haveSchema = existsSync(schemaPath);
    (haveSchema ? it : it.skip)('validates against the vendored compose-spec.json', () => {
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
      const ajv = new Ajv({ allErrors: true, strict: false });
      // the schema names its meta-schema by the https URL; it is draft-07
      ajv.addMetaSchema({ ...draft07, $id: String(schema.$schema) });
      const validate = ajv.compile(schema);
      expect(validate(compose) ? [] : validate.errors).toEqual([]);

      // and the schema really constrains: an unknown service key is rejected
      const broken = structuredClone(compose);
      broken.services.api.not_a_compose_key = true;
      expect(validate(broken)).toBe(false);
    });
  });

  describe('compose binary', () => {
    const candidates: string[][] = [['docker', 'compose'], ['docker-compose']];
    const binary = candidates.find(([cmd, ...args]) => {
      const r = spawnSync(cmd, [...args, 'version'], { encoding: 'utf8', timeout: 20_000 });
      return r.status === 0;
    });
    if (!binary) {
      it.skip('`compose config -q` accepts the file (no docker compose / docker-compose on PATH)', () =>
        undefined);
      console.info(
        'test/deploy/compose.spec.ts: no `docker compose` or `docker-compose` on PATH; skipping `config -q`',
      );
      return;
    }

    let dir: string;
    let emptyEnvFile: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aihub-compose-'));
      emptyEnvFile = join(dir, 'empty.env');
      writeFileSync(emptyEnvFile, '');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function runConfig(vars: Record<string, string>) {
      const [cmd, ...pre] = binary!;
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of requiredComposeVariables()) delete env[name];
      // --env-file: do not let a developer's ./.env change the outcome
      return spawnSync(cmd, [...pre, '--env-file', emptyEnvFile, '-f', composePath, 'config', '-q'], {
        cwd: root,
        env: { ...env, ...vars },
        encoding: 'utf8',
        timeout: 60_000,
      });
    }

    it(`\`${binary.join(' ')} config -q\` accepts the file with the required variables set`, () => {
      const r = runConfig(dummySecrets());
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    });

    it(`\`${binary.join(' ')} config -q\` refuses to run without the secrets`, () => {
      const r = runConfig({});
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/POSTGRES_PASSWORD|REDIS_PASSWORD|MINIO_ROOT|JWT_SECRET/);
    });
  });
});
