import { execFileSync } from 'node:child_process';
import { bwrapArgs, BwrapPlan, FD, ulimitLines, WRAPPER_EXIT, wrapperCommand } from './bwrap-command';
import { probeShellLimits } from './host-tools';

const plan = (over: Partial<BwrapPlan> = {}): BwrapPlan => ({
  tools: {
    bwrap: '/usr/bin/bwrap',
    prlimit: '/usr/bin/prlimit',
    setpriv: '/usr/bin/setpriv',
  },
  user: { name: 'sbx', uid: 999, gid: 995 },
  cgroupProcsFiles: [
    '/sys/fs/cgroup/memory/aihub/r.1.1/cgroup.procs',
    '/sys/fs/cgroup/pids/aihub/r.1.1/cgroup.procs',
  ],
  codeDir: '/run/aihub-sandbox/7/code',
  outputDir: '/run/aihub-sandbox/7/output',
  rlimits: { cpuSoftSeconds: 61, cpuHardSeconds: 61, nproc: 8192, fsizeBytes: 104857600, nofile: 4096 },
  tmpBytes: 64 * 1024 * 1024,
  shmBytes: 64 * 1024 * 1024,
  mounts: [
    { hostPath: '/run/aihub-sandbox/7/data/0', sandboxPath: '/data/alpha' },
    { hostPath: '/run/aihub-sandbox/7/data/1', sandboxPath: '/data/beta' },
  ],
  seccomp: true,
  env: { REPORT: 'x y', PATH: '/opt/bin:/usr/bin' },
  command: ['python3', 'main.py', '--name', "O'Brien; rm -rf /"],
  host: {
    topLevel: [
      { path: '/bin', kind: 'symlink', target: 'usr/bin' },
      { path: '/lib', kind: 'symlink', target: 'usr/lib' },
      { path: '/lib64', kind: 'directory' },
      { path: '/lib32', kind: 'absent' },
    ],
    etc: ['/etc/ld.so.cache', '/etc/alternatives'],
  },
  hostname: 'sandbox',
  ...over,
});

/** Pairs "--flag value…" occurrences for assertions. */
const after = (args: string[], flag: string, n = 1) =>
  args.flatMap((a, i) => (a === flag ? [args.slice(i + 1, i + 1 + n)] : []));

describe('bwrapArgs', () => {
  const args = bwrapArgs(plan());

  it('unshares every namespace, forbids nested user namespaces, dies with its parent, clears the environment', () => {
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--as-pid-1',
      '--clearenv',
    ])
      expect(args).toContain(flag);
    expect(args).not.toContain('--share-net');
    expect(after(args, '--json-status-fd')).toEqual([[String(FD.status)]]);
    expect(after(args, '--seccomp')).toEqual([[String(FD.seccomp)]]);
    expect(after(args, '--hostname')).toEqual([['sandbox']]);
  });

  it('binds system dirs read-only, mirrors merged-/usr symlinks, and only the listed /etc files', () => {
    const ro = after(args, '--ro-bind', 2);
    expect(ro).toEqual(
      expect.arrayContaining([
        ['/usr', '/usr'],
        ['/lib64', '/lib64'],
        ['/etc/ld.so.cache', '/etc/ld.so.cache'],
        ['/etc/alternatives', '/etc/alternatives'],
      ]),
    );
    expect(after(args, '--symlink', 2)).toEqual([
      ['usr/bin', '/bin'],
      ['usr/lib', '/lib'],
    ]);
    expect(args.join(' ')).not.toContain('/lib32');
    expect(args.join(' ')).not.toMatch(/--bind \/etc|--ro-bind \/etc \/etc|\/home|\/root|\/var/);
    expect(args).not.toContain('--dev-bind');
  });

  it('mounts code and data read-only from the run folder, /output writable, tmpfs with sizes', () => {
    expect(after(args, '--ro-bind', 2)).toEqual(
      expect.arrayContaining([
        ['/run/aihub-sandbox/7/code', '/code'],
        ['/run/aihub-sandbox/7/data/0', '/data/alpha'],
        ['/run/aihub-sandbox/7/data/1', '/data/beta'],
      ]),
    );
    expect(after(args, '--bind', 2)).toEqual([['/run/aihub-sandbox/7/output', '/output']]);
    expect(after(args, '--size', 3)).toEqual([
      [String(64 * 1024 * 1024), '--tmpfs', '/dev/shm'],
      [String(64 * 1024 * 1024), '--tmpfs', '/tmp'],
    ]);
    expect(after(args, '--proc')).toEqual([['/proc']]);
    expect(after(args, '--dev')).toEqual([['/dev']]);
    // the root and /dev become read-only after every mount point exists
    const ro = args.indexOf('--remount-ro');
    expect(ro).toBeGreaterThan(args.lastIndexOf('--bind'));
    expect(after(args, '--remount-ro')).toEqual([['/dev'], ['/']]);
  });

  it('binds the paths it is given, quoting nothing (argv, not a shell line)', () => {
    const direct = bwrapArgs(
      plan({
        user: null,
        codeDir: '/srv/data/runs/r/code',
        outputDir: '/srv/work/stage/r.1.1',
        mounts: [{ hostPath: "/srv/cache/it's", sandboxPath: '/data/beta' }],
      }),
    );
    expect(after(direct, '--ro-bind', 2)).toEqual(
      expect.arrayContaining([
        ['/srv/data/runs/r/code', '/code'],
        ["/srv/cache/it's", '/data/beta'],
      ]),
    );
    expect(after(direct, '--bind', 2)).toEqual([['/srv/work/stage/r.1.1', '/output']]);
  });

  it('starts in /code with PATH, HOME, LANG and the caller env (which may override PATH), then the argv verbatim', () => {
    expect(after(args, '--chdir')).toEqual([['/code']]);
    expect(after(args, '--setenv', 2)).toEqual([
      ['PATH', '/opt/bin:/usr/bin'],
      ['HOME', '/tmp'],
      ['LANG', 'C.UTF-8'],
      ['REPORT', 'x y'],
    ]);
    const dd = args.indexOf('--');
    expect(args.slice(dd + 1)).toEqual(['python3', 'main.py', '--name', "O'Brien; rm -rf /"]);
    expect(args.lastIndexOf('--')).toBe(dd);
  });

  it('leaves the seccomp flag out when there is no filter', () => {
    expect(bwrapArgs(plan({ seccomp: false }))).not.toContain('--seccomp');
  });
});

describe('wrapperCommand', () => {
  const { file, args } = wrapperCommand(plan());
  const script = args[1];

  it('is /bin/sh -c with the argv as positional parameters (never interpolated into the script)', () => {
    expect(file).toBe('/bin/sh');
    expect(args[0]).toBe('-c');
    expect(args[2]).toBe('aihub-sandbox');
    const argv = args.slice(3);
    expect(argv.slice(0, 7)).toEqual([
      '/usr/bin/prlimit',
      '--cpu=61:61',
      '--nproc=8192',
      '--fsize=104857600',
      '--nofile=4096',
      '--core=0',
      '--',
    ]);
    expect(argv.slice(7, 14)).toEqual([
      '/usr/bin/setpriv',
      '--reuid=999',
      '--regid=995',
      '--clear-groups',
      '--no-new-privs',
      '--',
      '/usr/bin/bwrap',
    ]);
    expect(argv.slice(14)).toEqual(bwrapArgs(plan()));
    expect(script).not.toContain("O'Brien");
  });

  it('as root (cgroup v2): joins the cgroups, then execs the argv (prlimit, setpriv, bubblewrap)', () => {
    expect(script.split('\n')).toEqual([
      `echo $$ > '/sys/fs/cgroup/memory/aihub/r.1.1/cgroup.procs' || exit ${WRAPPER_EXIT.cgroup}`,
      `echo $$ > '/sys/fs/cgroup/pids/aihub/r.1.1/cgroup.procs' || exit ${WRAPPER_EXIT.cgroup}`,
      'exec "$@"',
      `exit ${WRAPPER_EXIT.exec}`,
    ]);
  });

  it('really runs: the script is valid sh and hands the untouched argv on (dry run)', () => {
    // replace the tools by echo so the script can be executed without root: it prints what it would do
    const dry = wrapperCommand(
      plan({
        tools: { bwrap: 'BWRAP', prlimit: 'echo', setpriv: 'SETPRIV' },
        cgroupProcsFiles: ['/dev/null'],
      }),
    );
    const out = execFileSync(dry.file, dry.args, { encoding: 'utf8' }).trim();
    expect(out).toMatch(/^--cpu=61:61 .* -- SETPRIV --reuid=999 .* BWRAP --json-status-fd 4 /);
    expect(out.endsWith("-- python3 main.py --name O'Brien; rm -rf /")).toBe(true);
  });

  it('adds RLIMIT_AS only without a memory cgroup, and skips setpriv/mounts when not root', () => {
    const plain = wrapperCommand(
      plan({
        user: null,
        cgroupProcsFiles: [],
        rlimits: {
          cpuSoftSeconds: 5,
          cpuHardSeconds: 5,
          nproc: 64,
          fsizeBytes: 1,
          nofile: 64,
          asBytes: 268435456,
        },
      }),
    );
    expect(plain.args[1]).toBe(`exec "$@"\nexit ${WRAPPER_EXIT.exec}`);
    expect(plain.args).toContain('--as=268435456');
    expect(plain.args).not.toContain('/usr/bin/setpriv');
  });
});

describe('wrapperCommand started as the sandbox user (cgroup v1)', () => {
  const dash = { nprocFlag: '-p', blockBytes: 512 } as const;
  const { args } = wrapperCommand(plan({ shellLimits: dash }));

  it('joins the cgroups, sets the limits with ulimit, then execs bubblewrap itself (no prlimit, no setpriv)', () => {
    expect(args[1].split('\n')).toEqual([
      `echo $$ > '/sys/fs/cgroup/memory/aihub/r.1.1/cgroup.procs' || exit ${WRAPPER_EXIT.cgroup}`,
      `echo $$ > '/sys/fs/cgroup/pids/aihub/r.1.1/cgroup.procs' || exit ${WRAPPER_EXIT.cgroup}`,
      `ulimit -t 61 || exit ${WRAPPER_EXIT.limits}`,
      `ulimit -p 8192 || exit ${WRAPPER_EXIT.limits}`,
      `ulimit -f 204800 || exit ${WRAPPER_EXIT.limits}`,
      `ulimit -n 4096 || exit ${WRAPPER_EXIT.limits}`,
      `ulimit -c 0 || exit ${WRAPPER_EXIT.limits}`,
      'exec "$@"',
      `exit ${WRAPPER_EXIT.exec}`,
    ]);
    expect(args.slice(3)).toEqual(['/usr/bin/bwrap', ...bwrapArgs(plan())]);
    expect(args).not.toContain('/usr/bin/setpriv');
    expect(args).not.toContain('/usr/bin/prlimit');
  });

  it('spells the limits as the shell wants them (bash: -u, 1 KiB blocks; RLIMIT_AS in KiB)', () => {
    const rlimits = {
      cpuSoftSeconds: 5,
      cpuHardSeconds: 5,
      nproc: 64,
      fsizeBytes: 1000,
      nofile: 64,
      asBytes: 1 << 28,
    };
    expect(ulimitLines(rlimits, { nprocFlag: '-u', blockBytes: 1024 })).toEqual([
      'ulimit -t 5',
      'ulimit -u 64',
      'ulimit -f 1',
      'ulimit -n 64',
      'ulimit -c 0',
      'ulimit -v 262144',
    ]);
  });

  it('really runs: this host sh applies the limits before the exec (dry run, /proc/self/limits read back)', async () => {
    const shell = await probeShellLimits();
    expect(shell).not.toBeNull();
    const dry = wrapperCommand(
      plan({
        shellLimits: shell,
        cgroupProcsFiles: ['/dev/null'],
        tools: { bwrap: 'cat', prlimit: 'PRLIMIT' },
        rlimits: { cpuSoftSeconds: 9, cpuHardSeconds: 9, nproc: 99, fsizeBytes: 1 << 20, nofile: 99 },
      }),
    );
    // the "bubblewrap" here is cat, and its first argument /proc/self/limits: the limits it runs under
    const out = execFileSync(dry.file, [...dry.args.slice(0, 3), 'cat', '/proc/self/limits'], {
      encoding: 'utf8',
    });
    const limit = (name: string) => new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(out)?.slice(1);
    expect(limit('Max cpu time')).toEqual(['9', '9']);
    expect(limit('Max processes')).toEqual(['99', '99']);
    expect(limit('Max file size')).toEqual([String(1 << 20), String(1 << 20)]);
    expect(limit('Max open files')).toEqual(['99', '99']);
    expect(limit('Max core file size')).toEqual(['0', '0']);
  });
});
