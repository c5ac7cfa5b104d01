/**
 * Structural checks of the Dockerfile and .dockerignore (there is no Docker engine to build with on the
 * development machines): stages, install commands, non-root runtime, entry points that match compose.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

interface Stage {
  from: string;
  name: string;
  instructions: string[];
}

/** Splits the Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
function stages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of logical) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) out.push({ from: from[1], name: from[2] ?? '', instructions: [] });
    else out.at(-1)?.instructions.push(line.replace(/\s+/g, ' '));
  }
  return out;
}

const all = stages(dockerfile);
const stage = (name: string) => {
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`Dockerfile has no stage "${name}"`);
  return s;
};
const runs = (s: Stage) => s.instructions.filter((i) => i.startsWith('RUN ')).join(' && ');

describe('Dockerfile', () => {
  it('has a build stage on node:20-bookworm and a runtime stage on node:20-bookworm-slim, runtime last', () => {
    expect(all.map((s) => [s.name, s.from])).toEqual([
      ['build', 'node:20-bookworm'],
      ['runtime', 'node:20-bookworm-slim'],
    ]);
  });

  it('installs with npm install (npm ci rejects lockfiles made on the build machines), builds, prunes', () => {
    const build = runs(stage('build'));
    expect(build).toMatch(/\bnpm install\b/);
    expect(build).not.toMatch(/\bnpm ci\b/);
    expect(build).toMatch(/\bnpm run build\b/);
    expect(build).toMatch(/\bnpm prune --omit=dev\b/);
    expect(build.indexOf('npm run build')).toBeLessThan(build.indexOf('npm prune'));
  });

  it('compiles into dist/ with the paths the entry points use', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.build).toMatch(/\bapps\b/);
    expect(pkg.scripts.build).toMatch(/\blibs\b/);
    expect(pkg.scripts.build).toMatch(/-d dist\b/);
    expect(pkg.scripts.build).not.toMatch(/--strip-leading-paths/);
  });

  it('installs bubblewrap and tini in the runtime image', () => {
    const runtime = runs(stage('runtime'));
    expect(runtime).toMatch(/apt-get install[^&]*\bbubblewrap\b/);
    expect(runtime).toMatch(/apt-get install[^&]*\btini\b/);
    expect(runtime).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(stage('runtime').instructions).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
  });

  it('runs as the non-root aihub user in production mode', () => {
    const runtime = stage('runtime');
    expect(runs(runtime)).toMatch(/useradd [^&]*\baihub\b/);
    const users = runtime.instructions.filter((i) => i.startsWith('USER '));
    expect(users).toEqual(['USER aihub']);
    expect(runtime.instructions.some((i) => /^ENV .*\bNODE_ENV=production\b/.test(i))).toBe(true);
  });

  it('copies only dist, node_modules and package.json from the build stage', () => {
    const copies = stage('runtime')
      .instructions.filter((i) => i.startsWith('COPY '))
      .map((i) => i.replace(/^COPY (--\S+ )*/, ''));
    const froms = stage('runtime').instructions.filter((i) => i.startsWith('COPY '));
    expect(froms.every((i) => i.includes('--from=build'))).toBe(true);
    expect(copies.map((c) => c.split(' ')[0]).sort()).toEqual([
      '/app/dist',
      '/app/node_modules',
      '/app/package.json',
    ]);
  });

  it('defaults to the api and health-checks it on /api/v1/health', () => {
    const runtime = stage('runtime').instructions;
    expect(runtime).toContain('CMD ["node", "dist/apps/api/src/main.js"]');
    const hc = runtime.find((i) => i.startsWith('HEALTHCHECK '));
    expect(hc).toContain('/api/v1/health');
    expect(runtime).toContain('EXPOSE 3000');
  });

  it('points at entry-point sources that exist once their app has any source', () => {
    const entries = [
      ['api', 'main.ts'],
      ['worker', 'main.ts'],
      ['api', 'migrate.ts'],
    ];
    for (const [app, file] of entries) {
      const dir = join(root, 'apps', app, 'src');
      const hasSources = existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.ts'));
      if (!hasSources) {
        console.info(
          `test/deploy/dockerfile.spec.ts: apps/${app}/src has no sources yet; not checking ${file}`,
        );
        continue;
      }
      expect({ file: `apps/${app}/src/${file}`, exists: existsSync(join(dir, file)) }).toEqual({
        file: `apps/${app}/src/${file}`,
        exists: true,
      });
    }
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps secrets, local state and host builds out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['.env', '.env.*', '.git', 'node_modules', 'dist', '.data']),
    );
  });

  it('keeps what the build needs', () => {
    for (const needed of ['apps', 'libs', 'package.json', 'package-lock.json', '.swcrc', 'tsconfig.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});
