#!/usr/bin/env node
// The two commands of the README, plus their building blocks. Plain Node (no dependencies), so it
// runs on a fresh clone before `npm install`.
//   node scripts/platform.mjs start   install, services, build, database, migrations, demo data, api + worker
//   node scripts/platform.mjs test    install, services, type-check, lint, build, migration drift check, all tests
//   node scripts/platform.mjs setup   everything start does before launching the processes
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const isCI = process.env.CI === 'true' || process.env.CI === '1';
const log = (msg) => console.log(`\x1b[36m[aihub]\x1b[0m ${msg}`);
const fail = (msg) => {
  console.error(`\x1b[31m[aihub] ${msg}\x1b[0m`);
  process.exit(1);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...opts.env } });
  if (r.status !== 0) fail(`${[cmd, ...args].join(' ')} failed (exit ${r.status ?? r.signal})`);
}
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19))
    fail(`Node.js >= 20.19 is required (found ${process.versions.node}).`);
}

function install() {
  const marker = join(root, 'node_modules/.package-lock.json');
  const lock = join(root, 'package-lock.json');
  if (existsSync(marker) && existsSync(lock) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm packages (npm install)…');
  // not `npm ci`: lockfiles made on Linux lack other platforms' optional packages (see shared STACK.md)
  run('npm', ['install', '--no-audit', '--no-fund']);
}

function build() {
  log('building (swc)…');
  run('npm', ['run', '-s', 'build']);
}

const canConnect = (host, port) =>
  new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1500 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });

async function waitFor(host, port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await canConnect(host, port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1'].includes(host);

async function ensurePostgres(url) {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 5432);
  if (await canConnect(host, port)) return;
  if (!isLocal(host))
    fail(
      `PostgreSQL at ${host}:${port} is not reachable. Start it, or point DATABASE_URL at a running server.`,
    );
  if (has('pg_ctlcluster') && has('pg_lsclusters')) {
    const clusters = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .filter(Boolean);
    for (const line of clusters) {
      const [version, name] = line.split(/\s+/);
      log(`starting PostgreSQL cluster ${version}/${name}…`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start'], { stdio: 'inherit' });
    }
    if (await waitFor(host, port, 20)) return;
  }
  fail(
    `PostgreSQL is not running on ${host}:${port} and could not be started here.\n` +
      '  Install and start it:  apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start\n' +
      '  or set DATABASE_URL (and DATABASE_ADMIN_URL) to a reachable server.',
  );
}

async function ensureRedis(url) {
  const u = new URL(url);
  const host = u.hostname;
  const port = Number(u.port || 6379);
  if (await canConnect(host, port)) return;
  if (!isLocal(host))
    fail(`Redis at ${host}:${port} is not reachable. Start it, or point REDIS_URL at a running server.`);
  if (has('redis-server')) {
    log(`starting Redis on ${host}:${port}…`);
    spawnSync(
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'inherit' },
    );
    if (await waitFor(host, port, 10)) return;
  }
  fail(
    `Redis is not running on ${host}:${port} and could not be started here.\n` +
      `  Install and start it:  apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port ${port}\n` +
      '  or set REDIS_URL to a reachable server.',
  );
}

/**
 * The bwrap sandbox driver needs bubblewrap and util-linux's prlimit/setpriv/unshare/mount (the driver
 * creates its unprivileged user itself). As root with apt, bubblewrap is installed; otherwise we stop
 * and say what to run.
 */
function ensureSandboxTools(config) {
  if (config.sandbox?.driver !== 'bwrap') return;
  if (!has('bwrap')) {
    const asRoot = process.getuid?.() === 0;
    if (asRoot && has('apt-get')) {
      log('installing bubblewrap for the sandbox runtime (apt-get install -y bubblewrap)…');
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
      // a fresh machine may have stale package lists: update once and retry
      if (!apt(['install', '-y', '-q', 'bubblewrap']) && apt(['update', '-q']))
        apt(['install', '-y', '-q', 'bubblewrap']);
    }
    if (!has('bwrap'))
      fail(
        'bubblewrap (bwrap) is required by the sandbox runtime (SANDBOX_DRIVER=bwrap) and is not installed.\n' +
          '  Install it as root:  apt-get install -y bubblewrap\n' +
          '  or use SANDBOX_DRIVER=kubernetes (see docs/sandbox-runtime.md).',
      );
  }
  const missing = ['prlimit', 'setpriv', 'unshare', 'mount'].filter((t) => !has(t));
  if (missing.length)
    fail(
      `the sandbox runtime needs ${missing.join(', ')} (util-linux):  apt-get install -y util-linux mount`,
    );
}

/**
 * The result report PDF embeds a CJK font (libs/review: wqy-microhei, Noto CJK or Droid fallback, or
 * REPORT_FONT_PATH); the tests read it back with pdftotext. As root with apt, the missing ones are
 * installed; otherwise a warning says what to run (only the report and its test need them).
 */
function ensureReportTools(config, forTests) {
  const fonts = [
    config.review?.reportFontPath,
    '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
    '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
    '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
    '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf',
  ];
  const packages = [];
  if (!fonts.some((f) => f && existsSync(f))) packages.push('fonts-wqy-microhei');
  if (forTests && !has('pdftotext')) packages.push('poppler-utils');
  if (!packages.length) return;
  if (process.getuid?.() === 0 && has('apt-get')) {
    log(`installing ${packages.join(' ')} for the result report (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
    if (!apt(['install', '-y', '-q', ...packages]) && apt(['update', '-q']))
      apt(['install', '-y', '-q', ...packages]);
  } else log(`the result report needs: apt-get install -y ${packages.join(' ')}`);
}

/** The compiled core (after build) gives the validated config and the database helpers. */
function core() {
  return {
    ...require(join(root, 'dist/libs/core/src/config/app-config.js')),
    ...require(join(root, 'dist/libs/core/src/database/database-admin.js')),
    ...require(join(root, 'dist/libs/core/src/database/migrate.js')),
  };
}

function loadConfigOrExplain(env = process.env) {
  try {
    return core().loadConfig(env);
  } catch (err) {
    fail(err.message);
  }
}

/** Creates the role and database with the admin URL; falls back to the local postgres superuser (peer auth). */
async function ensureDatabase(config) {
  const { ensureDatabase: ensure, parseDatabaseUrl } = core();
  try {
    await ensure(config.database.adminUrl, config.database.url);
    return;
  } catch (err) {
    const local = isLocal(new URL(config.database.adminUrl).hostname);
    const asRoot = process.getuid?.() === 0 && has('runuser') && has('psql');
    if (!local || !asRoot) {
      fail(
        `Could not prepare the database with DATABASE_ADMIN_URL (${err.message}).\n  Set DATABASE_ADMIN_URL to a superuser connection, or create the role and database of DATABASE_URL yourself.`,
      );
    }
    const t = parseDatabaseUrl(config.database.url);
    const q = (sql) =>
      spawnSync('runuser', ['-u', 'postgres', '--', 'psql', '-v', 'ON_ERROR_STOP=1', '-qtAc', sql], {
        encoding: 'utf8',
      });
    log('preparing the database through the local postgres account (peer authentication)…');
    if (q(`SELECT 1 FROM pg_roles WHERE rolname='${t.role}'`).stdout.trim() !== '1')
      q(`CREATE ROLE "${t.role}" LOGIN PASSWORD '${t.password}'`);
    if (q(`SELECT 1 FROM pg_database WHERE datname='${t.database}'`).stdout.trim() !== '1')
      q(`CREATE DATABASE "${t.database}" OWNER "${t.role}"`);
    spawnSync(
      'runuser',
      [
        '-u',
        'postgres',
        '--',
        'psql',
        '-d',
        t.database,
        '-qc',
        'CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS pgcrypto;',
      ],
      { stdio: 'inherit' },
    );
  }
}

async function setup(env) {
  checkNode();
  install();
  build();
  const config = loadConfigOrExplain(env);
  await ensurePostgres(config.database.adminUrl);
  await ensurePostgres(config.database.url);
  await ensureRedis(config.redis.url);
  ensureSandboxTools(config);
  ensureReportTools(config, false);
  await ensureDatabase(config);
  const applied = await core().runMigrations(config.database);
  log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');
  return config;
}

async function start() {
  const env = {
    ...process.env,
    DEMO: process.env.DEMO ?? 'true',
    LOG_PRETTY: process.env.LOG_PRETTY ?? (process.stdout.isTTY ? 'true' : 'false'),
  };
  const config = await setup(env);
  const children = [];
  const launch = (name, file) => {
    const child = spawn(process.execPath, ['--enable-source-maps', join(root, file)], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[aihub] ${name} exited (${code ?? signal}); stopping the platform`);
        stop(1);
      }
    });
    children.push(child);
  };
  let stopping = false;
  const stop = (code = 0) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    setTimeout(() => process.exit(code), config.shutdownTimeoutMs + 1000).unref();
    Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))),
    ).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  launch('api', 'dist/apps/api/src/main.js');
  launch('worker', 'dist/apps/worker/src/main.js');

  const url = config.http.publicUrl ?? `http://localhost:${config.http.port}`;
  for (let i = 0; i < 240 && !stopping; i++) {
    const ok = await fetch(`http://127.0.0.1:${config.http.port}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      console.log(`
\x1b[32mAI-HUB is up.\x1b[0m
  API        ${url}/api/v1
  API docs   ${url}/api/docs
  Health     ${url}/api/v1/health
${
  config.demo.enabled
    ? `  Demo accounts (password ${config.demo.password}, development only):
    operator@demo.aihub  gov@demo.aihub  steward@demo.aihub  enterprise@demo.aihub  enterprise2@demo.aihub
    expert1@demo.aihub … expert5@demo.aihub  auditor@demo.aihub
`
    : ''
}  Stop with Ctrl+C.
`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  if (!stopping) {
    console.error('[aihub] the api did not become healthy within 2 minutes');
    stop(1);
  }
}

async function test() {
  const started = Date.now();
  // tests create their own database, Redis prefix and data folder; only the servers are shared
  await setupServicesOnly();
  const step = (name, cmd, args) => {
    log(`${name}…`);
    run(cmd, args);
  };
  step('type-check (tsc --noEmit)', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  step('lint (eslint + prettier)', 'npm', ['run', '-s', 'lint']);
  step('migrations match entities', 'node', ['scripts/migration-generate.mjs', '--check', '--no-build']);
  step('unit and end-to-end tests (jest)', 'npx', [
    'jest',
    ...(isCI ? ['--ci'] : []),
    ...process.argv.slice(3),
  ]);
  log(`all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function setupServicesOnly() {
  checkNode();
  install();
  build();
  const config = loadConfigOrExplain();
  await ensurePostgres(config.database.adminUrl);
  await ensureRedis(config.redis.url);
  ensureSandboxTools(config);
  ensureReportTools(config, true);
}

const command = process.argv[2];
const commands = { start, test, setup: () => setup(process.env), build: () => (install(), build()) };
if (!commands[command]) fail(`usage: node scripts/platform.mjs ${Object.keys(commands).join('|')}`);
Promise.resolve(commands[command]()).catch((err) => fail(err?.stack ?? String(err)));
