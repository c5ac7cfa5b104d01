import { shQuote } from './host-tools';
import type { SandboxUser } from './host-tools';

/**
 * Pure construction of the command line of one run (unit-tested): a tiny `/bin/sh` wrapper that
 *   1. joins the run's cgroups (`echo $$ > …/cgroup.procs`), so every process of the run is born inside;
 *   2. sets the rlimits and runs as the sandbox user, and
 *   3. replaces itself with bubblewrap (every step execs: the driver stays bwrap's parent, so
 *      `--die-with-parent` ties the sandbox to the worker's life).
 * Step 2 takes one of two forms. With `shellLimits` (cgroup v1, where a process may move itself into a
 * cgroup whose `cgroup.procs` it can write: the driver gives those files to the sandbox user), the driver
 * starts the wrapper as the sandbox user already (the spawn's uid/gid: no process of the run is root) and
 * the shell's own `ulimit` sets the limits, so bubblewrap is the only other program executed. Otherwise
 * (cgroup v2, whose delegation rules need root to move a process), the wrapper starts as root and execs
 * `prlimit` and `setpriv` before bubblewrap.
 * The inputs and the run's /output tmpfs are already mounted by the driver (root mode) in a per-run folder
 * only the sandbox user can reach, so bubblewrap, which resolves every bind source by path as that user,
 * can bind them while the platform's own folders stay private (0700). Without root (development only) the
 * user switch is skipped and bubblewrap binds the host paths directly.
 */

/** File descriptor layout of the wrapper process. */
export const FD = {
  status: 4,
  seccomp: 5,
} as const;

/** Wrapper exit codes for failures before bubblewrap starts. */
export const WRAPPER_EXIT = { cgroup: 120, limits: 121, exec: 122 } as const;

/** How this host's /bin/sh spells the limits `ulimit` sets (dash and bash differ; probed at start-up). */
export interface ShellLimits {
  /** `-p` (dash) or `-u` (bash) */
  nprocFlag: '-p' | '-u';
  /** unit of `ulimit -f` and `-c`: 512 (POSIX sh) or 1024 */
  blockBytes: number;
}

export interface Rlimits {
  cpuSoftSeconds: number;
  cpuHardSeconds: number;
  nproc: number;
  fsizeBytes: number;
  nofile: number;
  /** Address-space cap, only when no memory cgroup is available. */
  asBytes?: number;
}

/** How the host's top-level system paths look (merged /usr or not). */
export type HostPathKind = 'symlink' | 'directory' | 'absent';
export interface HostLayout {
  /** /bin, /sbin, /lib, /lib32, /lib64, /libx32 and what they are; symlinks with their target. */
  topLevel: { path: string; kind: HostPathKind; target?: string }[];
  /** Files and directories under /etc that exist on the host and are bound read-only. */
  etc: string[];
}

export interface BwrapPlan {
  tools: { bwrap: string; prlimit: string; setpriv?: string };
  /** null: run as the current (non-root) user, without setpriv. */
  user: SandboxUser | null;
  /** set: the driver starts the wrapper as `user` and the shell sets the limits (no prlimit, no setpriv) */
  shellLimits?: ShellLimits | null;
  cgroupProcsFiles: string[];
  /** Directory bound read-only as /code (root mode: the run folder's bind of the bundle). */
  codeDir: string;
  /** Directory bound writable as /output (root mode: the run folder's tmpfs). */
  outputDir: string;
  rlimits: Rlimits;
  tmpBytes: number;
  shmBytes: number;
  /** Granted views, sorted by sandbox path (root mode: the run folder's binds of them). */
  mounts: { hostPath: string; sandboxPath: string }[];
  seccomp: boolean;
  env: Record<string, string>;
  command: string[];
  host: HostLayout;
  hostname: string;
}

export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
};

export function bwrapArgs(plan: BwrapPlan): string[] {
  const a: string[] = [
    '--json-status-fd',
    String(FD.status),
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    // the command is the namespace's pid 1: bubblewrap's own reaper reports the exit through an eventfd
    // and the outer bwrap then exits without waiting for it, orphaning it as a `[bwrap] <defunct>` zombie
    // of the host's init; without the reaper the outer bwrap waitpid()s its child (reaped every time)
    '--as-pid-1',
    '--clearenv',
    '--hostname',
    plan.hostname,
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const p of plan.host.topLevel) {
    if (p.kind === 'symlink' && p.target) a.push('--symlink', p.target, p.path);
    else if (p.kind === 'directory') a.push('--ro-bind', p.path, p.path);
  }
  for (const p of plan.host.etc) a.push('--ro-bind', p, p);
  a.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(plan.shmBytes),
    '--tmpfs',
    '/dev/shm',
    '--size',
    String(plan.tmpBytes),
    '--tmpfs',
    '/tmp',
  );
  a.push('--ro-bind', plan.codeDir, '/code');
  plan.mounts.forEach((m) => a.push('--ro-bind', m.hostPath, m.sandboxPath));
  a.push('--bind', plan.outputDir, '/output');
  // the sandbox's own root and /dev are tmpfs owned by the sandbox user: make them read-only once
  // every mount point exists, so nothing but /tmp, /dev/shm and /output is writable
  a.push('--remount-ro', '/dev', '--remount-ro', '/');
  if (plan.seccomp) a.push('--seccomp', String(FD.seccomp));
  a.push('--chdir', '/code');
  for (const [k, v] of Object.entries({ ...BASE_ENV, ...plan.env })) a.push('--setenv', k, v);
  a.push('--', ...plan.command);
  return a;
}

function prlimitArgs(r: Rlimits): string[] {
  const a = [
    `--cpu=${r.cpuSoftSeconds}:${r.cpuHardSeconds}`,
    `--nproc=${r.nproc}`,
    `--fsize=${r.fsizeBytes}`,
    `--nofile=${r.nofile}`,
    '--core=0',
  ];
  if (r.asBytes) a.push(`--as=${r.asBytes}`);
  return a;
}

/** `['/bin/sh', '-c', script, '$0', …argv]` for spawn (argv travels as positional parameters). */
export function wrapperCommand(plan: BwrapPlan): { file: string; args: string[] } {
  const lines: string[] = [];
  for (const f of plan.cgroupProcsFiles) lines.push(`echo $$ > ${shQuote(f)} || exit ${WRAPPER_EXIT.cgroup}`);
  let argv: string[];
  if (plan.shellLimits) {
    lines.push(
      ...ulimitLines(plan.rlimits, plan.shellLimits).map((l) => `${l} || exit ${WRAPPER_EXIT.limits}`),
    );
    argv = [plan.tools.bwrap, ...bwrapArgs(plan)];
  } else {
    const drop =
      plan.user && plan.tools.setpriv
        ? [
            plan.tools.setpriv,
            `--reuid=${plan.user.uid}`,
            `--regid=${plan.user.gid}`,
            '--clear-groups',
            '--no-new-privs',
            '--',
          ]
        : [];
    argv = [
      plan.tools.prlimit,
      ...prlimitArgs(plan.rlimits),
      '--',
      ...drop,
      plan.tools.bwrap,
      ...bwrapArgs(plan),
    ];
  }
  lines.push(`exec "$@"`, `exit ${WRAPPER_EXIT.exec}`);
  return { file: '/bin/sh', args: ['-c', lines.join('\n'), 'aihub-sandbox', ...argv] };
}

/** The rlimits as `ulimit` builtins (soft = hard: neither -S nor -H sets both). */
export function ulimitLines(r: Rlimits, shell: ShellLimits): string[] {
  const lines = [
    `ulimit -t ${r.cpuHardSeconds}`,
    `ulimit ${shell.nprocFlag} ${r.nproc}`,
    `ulimit -f ${Math.ceil(r.fsizeBytes / shell.blockBytes)}`,
    `ulimit -n ${r.nofile}`,
    'ulimit -c 0',
  ];
  if (r.asBytes) lines.push(`ulimit -v ${Math.ceil(r.asBytes / 1024)}`);
  return lines;
}
