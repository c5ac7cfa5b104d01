import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ShellLimits } from './bwrap-command';

/** Where system tools are looked up (the platform never trusts a PATH it did not set). */
const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/local/sbin'];
export const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

export async function findTool(name: string): Promise<string | null> {
  for (const dir of SYSTEM_DIRS) {
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs a short host command with an empty environment (except PATH) and a time limit. */
export function execTool(file: string, args: string[], timeoutMs = 10_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeout: timeoutMs, maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr) || (e && typeof e.code === 'string' ? e.message : ''),
        });
      },
    );
  });
}

export interface SandboxUser {
  name: string;
  uid: number;
  gid: number;
}

async function lookupUser(getent: string, name: string): Promise<SandboxUser | null> {
  const r = await execTool(getent, ['passwd', name]);
  if (r.code !== 0) return null;
  const [, , uid, gid] = r.stdout.trim().split(':');
  const u = Number(uid);
  const g = Number(gid);
  return Number.isInteger(u) && Number.isInteger(g) ? { name, uid: u, gid: g } : null;
}

/**
 * The unprivileged system account sandboxes run as; created (`useradd --system`, no home, no login
 * shell, own group) when missing. Safe to call from several processes at once.
 */
export async function ensureSandboxUser(name: string): Promise<{ user: SandboxUser; created: boolean }> {
  const getent = await findTool('getent');
  if (!getent) throw new Error('getent is not installed');
  const existing = await lookupUser(getent, name);
  if (existing && (existing.uid === 0 || existing.gid === 0))
    throw new Error(`the sandbox user ${name} must not be root`);
  if (existing) return { user: existing, created: false };
  const useradd = await findTool('useradd');
  if (!useradd) throw new Error(`the sandbox user ${name} does not exist and useradd is not installed`);
  const r = await execTool(useradd, [
    '--system',
    '--no-create-home',
    '--home-dir',
    '/nonexistent',
    '--shell',
    '/usr/sbin/nologin',
    '--user-group',
    name,
  ]);
  const created = await lookupUser(getent, name);
  if (!created) throw new Error(`could not create the sandbox user ${name}: ${r.stderr.trim()}`);
  if (created.uid === 0 || created.gid === 0) throw new Error(`the sandbox user ${name} must not be root`);
  return { user: created, created: r.code === 0 };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Single-quotes a word for /bin/sh. */
export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Why `user` could not read and search the directory `path` itself, or null when it can (its parents do
 * not matter: the driver binds inputs as root). No user (not root): nothing to check.
 */
export async function unreachableReason(path: string, user: SandboxUser | null): Promise<string | null> {
  if (!user) return null;
  const st = await stat(path).catch(() => null);
  if (!st) return `${path} does not exist`;
  if (!st.isDirectory()) return `${path} is not a directory`;
  const bits =
    st.uid === user.uid ? (st.mode >> 6) & 7 : st.gid === user.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  if ((bits & 0o5) !== 0o5)
    return `${path} (mode ${(st.mode & 0o7777).toString(8)}) is not readable and searchable by the sandbox user ${user.name}`;
  return null;
}

/**
 * Why `path` and each of its parents could be tampered with by someone other than root (not owned by
 * root, writable by group or others without the sticky bit, or a symbolic link), or null. The wrapper
 * bind-mounts onto the mount points as root: they must not be replaceable by a local user.
 */
export async function untrustedPathReason(path: string): Promise<string | null> {
  const parts = path.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const current = `/${parts.slice(0, i).join('/')}`;
    const st = await lstat(current).catch(() => null);
    if (!st) return `${current} does not exist`;
    if (!st.isDirectory()) return `${current} is not a directory`;
    if (st.uid !== 0) return `${current} is not owned by root`;
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.mode & 0o022 && !(sticky && i < parts.length))
      return `${current} (mode ${(st.mode & 0o7777).toString(8)}) is writable by group or others`;
  }
  return null;
}

/**
 * How /bin/sh spells the limits the wrapper sets with `ulimit`, checked by setting each one in a probe and
 * reading /proc/self/limits back; null when any of them does not come out as asked (the driver then sets
 * the limits with prlimit instead).
 */
export async function probeShellLimits(): Promise<ShellLimits | null> {
  const script = [
    'if ulimit -u >/dev/null 2>&1; then f=-u; else f=-p; fi',
    'echo "$f"',
    'ulimit -t 7 && ulimit $f 77 && ulimit -f 4 && ulimit -n 97 && ulimit -c 0 || exit 1',
    'cat /proc/self/limits',
  ].join('\n');
  const r = await execTool('/bin/sh', ['-c', script]);
  if (r.code !== 0) return null;
  const [flag, ...rest] = r.stdout.split('\n');
  const limits = rest.join('\n');
  const value = (name: string) => {
    const m = new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits);
    return m && m[1] === m[2] ? Number(m[1]) : NaN;
  };
  const fileBytes = value('Max file size');
  const blockBytes = fileBytes / 4;
  const ok =
    (flag === '-p' || flag === '-u') &&
    value('Max cpu time') === 7 &&
    value('Max processes') === 77 &&
    value('Max open files') === 97 &&
    value('Max core file size') === 0 &&
    (blockBytes === 512 || blockBytes === 1024);
  return ok ? { nprocFlag: flag, blockBytes } : null;
}
