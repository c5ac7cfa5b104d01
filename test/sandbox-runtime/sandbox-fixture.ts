import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// deep imports: the runtime alone, not the whole sandbox lib (entities, services) around it
import { BwrapDriver, SandboxLogger } from '@aihub/sandbox/runtime/bwrap/bwrap.driver';
import { RunLimits, RunMount, RunResult } from '@aihub/sandbox/runtime/runtime-driver.port';

/**
 * A real bubblewrap driver over a private (0700) scratch folder, with the probes of
 * test/security/probes as the bundle at /code. Every run gets a fresh token in its environment
 * (`AIHUB_PROBE_TOKEN`), so the host can look for processes of that run afterwards by reading
 * /proc/<pid>/environ, even when other suites run sandboxes of the same user at the same time.
 */
export const PROBES_DIR = join(__dirname, '..', 'security', 'probes');

export const DEFAULT_LIMITS: RunLimits = {
  cpus: 1,
  memoryMb: 256,
  pids: 64,
  diskMb: 16,
  runTimeoutSeconds: 20,
  maxLogBytes: 1024 * 1024,
};

export interface ProbeRun {
  result: RunResult;
  stdout: string;
  stderr: string;
  outputDir: string;
  token: string;
}

export interface SandboxFixture {
  driver: BwrapDriver;
  /** Private scratch folder (0700): the platform's folders are not reachable by the sandbox user. */
  base: string;
  codeDir: string;
  warnings: string[];
  run(
    command: string[],
    options?: {
      limits?: Partial<RunLimits>;
      mounts?: RunMount[];
      env?: Record<string, string>;
      signal?: AbortSignal;
      /** The run's AIHUB_PROBE_TOKEN (default: random). */
      token?: string;
      onLog?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
    },
  ): Promise<ProbeRun>;
  close(): Promise<void>;
}

let runs = 0;

export const newToken = () => randomBytes(12).toString('hex');

/**
 * `reachable: false` (default): the scratch folder is private (0700), as the platform's DATA_DIR is, so
 * the driver binds the inputs in a private mount namespace. `true`: every parent is searchable (0711)
 * and bubblewrap binds the host paths directly (the fast path).
 */
export async function createSandboxFixture({ reachable = false } = {}): Promise<SandboxFixture> {
  const base = await mkdtemp(join(tmpdir(), 'aihub-sandbox-test-'));
  await chmod(base, reachable ? 0o711 : 0o700);
  if (reachable) await mkdir(join(base, 'work', 'stage'), { recursive: true, mode: 0o711 });
  if (reachable) await chmod(join(base, 'work'), 0o711);
  const codeDir = join(base, 'code');
  await mkdir(codeDir, { mode: 0o755 });
  for (const f of await readdir(PROBES_DIR)) await copyFile(join(PROBES_DIR, f), join(codeDir, f));
  for (const f of await readdir(codeDir)) await chmod(join(codeDir, f), 0o644);
  const warnings: string[] = [];
  const logger: SandboxLogger = {
    log: () => undefined,
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
  };
  const driver = new BwrapDriver({ user: 'sbx', workDir: join(base, 'work'), tmpMb: 16, logger });

  return {
    driver,
    base,
    codeDir,
    warnings,
    async run(command, options = {}) {
      const token = options.token ?? newToken();
      const outputDir = join(base, `out-${++runs}-${token.slice(0, 6)}`);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const result = await driver.run(
        {
          runId: `t-${runs}-${token.slice(0, 8)}`,
          codeDir,
          mounts: options.mounts ?? [],
          outputDir,
          command,
          env: { AIHUB_PROBE_TOKEN: token, ...options.env },
          limits: { ...DEFAULT_LIMITS, ...options.limits },
        },
        {
          signal: options.signal,
          onLog: (stream, chunk) => {
            (stream === 'stdout' ? out : err).push(Buffer.from(chunk));
            options.onLog?.(stream, chunk);
          },
        },
      );
      return {
        result,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        outputDir,
        token,
      };
    },
    async close() {
      await driver.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Host pids whose environment carries `token` (processes of one run that are still alive). */
export async function processesWithToken(token: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`).catch(() => null);
    if (environ?.includes(`AIHUB_PROBE_TOKEN=${token}`)) found.push(Number(name));
  }
  return found;
}

/** Zombies on the host whose parent is this process or init, with their command names. */
export async function zombies(): Promise<{ pid: number; ppid: number; comm: string }[]> {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    // "pid (comm) state ppid …"; comm may contain spaces and parentheses
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (state === 'Z' && (Number(ppid) === process.pid || (Number(ppid) === 1 && comm === 'bwrap')))
      out.push({ pid: Number(name), ppid: Number(ppid), comm });
  }
  return out;
}

/** Mounts of the host (this mount namespace) below `dir`. */
export async function mountsBelow(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => !!p && (p === dir || p.startsWith(`${dir}/`)));
}

/** The last JSON line a probe printed. */
export function probeJson<T = Record<string, unknown>>(stdout: string): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`probe printed no JSON: ${stdout.slice(-2000)}`);
  }
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether the outer bubblewrap of this process's running sandboxes shares the host's mount namespace. */
export async function outerBwrapPids(): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => null);
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (comm === 'bwrap' && ppid === process.pid) pids.push(Number(name));
  }
  return pids;
}

/** The driver's per-run folders (root mode) owned by process `pid`. */
export async function runFoldersOf(pid: number, root = '/run/aihub-sandbox'): Promise<string[]> {
  const found: string[] = [];
  for (const slot of await readdir(root).catch(() => [] as string[])) {
    const owner = await readFile(join(root, slot, '.owner'), 'utf8').catch(() => '');
    if (owner === String(pid)) found.push(join(root, slot));
  }
  return found;
}

/** `ls dir` as uid/gid (no other groups): its output, or its error message. */
export function lsAs(uid: number, gid: number, dir: string): Promise<string> {
  return new Promise((resolve) =>
    execFile(
      'setpriv',
      [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', 'ls', dir],
      { encoding: 'utf8' },
      (err, stdout, stderr) => resolve(err ? stderr || err.message : stdout),
    ),
  );
}
