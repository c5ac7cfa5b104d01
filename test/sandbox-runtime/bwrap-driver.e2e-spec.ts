import { execFileSync, spawn } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRunSpecError, SandboxRuntimeError } from '@aihub/sandbox/runtime/runtime.errors';
import {
  createSandboxFixture,
  eventually,
  mountsBelow,
  processesWithToken,
  probeJson,
  outerBwrapPids,
  runFoldersOf,
  lsAs,
  SandboxFixture,
  zombies,
} from './sandbox-fixture';

/**
 * The bubblewrap driver through the real bubblewrap, cgroups and sandbox user (root, as in CI).
 * The escape battery is test/security/sandbox-escape.e2e-spec.ts.
 */
describe('BwrapDriver (real bubblewrap)', () => {
  let f: SandboxFixture;
  let dataDir: string;

  beforeAll(async () => {
    f = await createSandboxFixture();
    const host = await f.driver.init();
    expect(host).toMatchObject({ root: true, seccomp: true, bwrap: '/usr/bin/bwrap' });
    expect(host.user?.name).toBe('sbx');
    expect(host.cgroups).not.toBe('none');
    // a materialized view: private parents (the fixture base is 0700), readable directory and files
    dataDir = join(f.base, 'views', 'v1');
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    await chmod(join(f.base, 'views'), 0o700);
    const rows = ['district,amount'];
    for (let i = 0; i < 300; i++)
      rows.push(`${['futian', 'luohu', 'nanshan'][i % 3]},${(i * 1.5).toFixed(2)}`);
    await writeFile(join(dataDir, 'sales.csv'), `${rows.join('\n')}\n`, { mode: 0o644 });
  });

  afterAll(async () => {
    await f?.close();
  });

  afterEach(async () => {
    expect(await zombies()).toEqual([]);
  });

  it('runs a python script next to the data: /code is the read-only cwd, /data read-only, /output copied out', async () => {
    const r = await f.run(['python3', 'aggregate.py'], {
      mounts: [{ hostPath: dataDir, sandboxPath: '/data/ds1' }],
      env: { REPORT_TITLE: 'by district' },
    });
    expect(r.stderr).toBe('');
    expect(r.result).toMatchObject({ status: 'succeeded', exitCode: 0, signal: null, logTruncated: false });
    expect(probeJson(r.stdout)).toEqual({ districts: 3, rows: 300, env: 'by district' });
    const report = await readFile(join(r.outputDir, 'report', 'by_district.csv'), 'utf8');
    // 100 rows per district; amounts i*1.5 for i ≡ k (mod 3)
    const expected = [0, 1, 2].map((k) => {
      let total = 0;
      for (let i = k; i < 300; i += 3) total += i * 1.5;
      return total.toFixed(2);
    });
    expect(report.replace(/\r/g, '')).toBe(
      `district,rows,total\nfutian,100,${expected[0]}\nluohu,100,${expected[1]}\nnanshan,100,${expected[2]}\n`,
    );
    expect(r.result.finishedAt.getTime()).toBeGreaterThanOrEqual(r.result.startedAt.getTime());
    expect(r.result.usage.cpuSeconds).toBeGreaterThan(0.005);
    expect(r.result.usage.cpuSeconds).toBeLessThan(r.result.usage.wallSeconds * 2 + 0.5);
    expect(r.result.usage.maxMemoryMb).toBeGreaterThan(2);
    expect(r.result.usage.maxMemoryMb).toBeLessThan(256 + 16 + 32);
    expect(await processesWithToken(r.token)).toEqual([]);
  });

  it('starts in /code, which is read-only like /data; only /output, /tmp and /dev/shm are writable', async () => {
    const script = [
      'import os, json',
      'res = {"cwd": os.getcwd(), "uid": os.getuid()}',
      'for p in ["/code/x", "/data/ds1/x", "/output/x", "/tmp/x"]:',
      '    try:',
      '        open(p, "w").write("x"); res[p] = "ok"',
      '    except OSError as e:',
      '        res[p] = e.errno',
      'print(json.dumps(res))',
    ].join('\n');
    const r = await f.run(['python3', '-c', script], {
      mounts: [{ hostPath: dataDir, sandboxPath: '/data/ds1' }],
    });
    expect(r.result.status).toBe('succeeded');
    const res = probeJson(r.stdout);
    expect(res).toMatchObject({
      cwd: '/code',
      '/code/x': 30,
      '/data/ds1/x': 30,
      '/output/x': 'ok',
      '/tmp/x': 'ok',
    });
    expect(res.uid).not.toBe(0);
    expect(await readdir(dataDir)).toEqual(['sales.csv']);
    expect(await readFile(join(r.outputDir, 'x'), 'utf8')).toBe('x');
  });

  it('reports exit codes: failures, command not found', async () => {
    const failed = await f.run(['python3', '-c', 'import sys; print("bye"); sys.exit(3)']);
    expect(failed.result).toMatchObject({ status: 'failed', exitCode: 3, signal: null });
    expect(failed.stdout).toBe('bye\n');

    const shell = await f.run(['sh', '-c', 'echo oops >&2; exit 42']);
    expect(shell.result).toMatchObject({ status: 'failed', exitCode: 42 });
    expect(shell.stderr).toBe('oops\n');

    const missing = await f.run(['no-such-program-here']);
    expect(missing.result).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(missing.result.notes.join(' ')).toMatch(/command not found/);
  });

  it('caps the logs at maxLogBytes (stdout and stderr together) and says so', async () => {
    const seen: number[] = [];
    const r = await f.run(['python3', '-u', 'chatty.py'], {
      limits: { maxLogBytes: 65536 },
      onLog: (_s, c) => seen.push(c.length),
    });
    expect(r.result.status).toBe('succeeded');
    expect(r.result.logTruncated).toBe(true);
    expect(seen.reduce((a, b) => a + b, 0)).toBe(65536);
    expect(r.stdout.length + r.stderr.length).toBe(65536);
    expect(r.stdout).toMatch(/^x{1023}\n/);
    expect(r.result.notes.join(' ')).toMatch(/log truncated at 65536 bytes \(\d+ bytes dropped\)/);
  });

  it('delivers small logs whole and in order per stream', async () => {
    const r = await f.run(['sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done']);
    expect(r.stdout).toBe('out1\nout2\nout3\nout4\nout5\n');
    expect(r.stderr).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');
    expect(r.result.logTruncated).toBe(false);
  });

  it('cancels through the AbortSignal: the whole process tree dies, status cancelled', async () => {
    const ac = new AbortController();
    const started = Date.now();
    // a shell with a busy child and a background sleeper: three processes to kill
    const run = f.run(['sh', '-c', 'sleep 300 & python3 cpuloop.py 2 & echo ready; wait'], {
      signal: ac.signal,
      limits: { runTimeoutSeconds: 60 },
      onLog: (_s, c) => {
        if (c.toString().includes('ready')) setTimeout(() => ac.abort(), 300);
      },
    });
    const r = await run;
    expect(r.result.status).toBe('cancelled');
    expect(r.result.exitCode).toBeNull();
    expect(r.result.signal).toBe('SIGKILL');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await processesWithToken(r.token)).toEqual([]);
  });

  it('does not start a run whose signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await f.run(['true'], { signal: ac.signal });
    expect(r.result.status).toBe('cancelled');
    expect(r.result.notes).toEqual(['cancelled before it started']);
  });

  it('leaves nothing running: a daemonized grandchild dies with the run', async () => {
    const r = await f.run(['python3', 'sleeper.py', '--daemon']);
    expect(r.result).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(r.stdout).toBe('daemon started\n');
    expect(await processesWithToken(r.token)).toEqual([]);
  });

  it('copies out regular files and directories only; links, FIFOs and setuid bits stay behind', async () => {
    const r = await f.run(['python3', 'outputs.py']);
    expect(r.result.status).toBe('succeeded');
    expect((await readdir(r.outputDir)).sort()).toEqual(['hardlink.txt', 'sub', 'tool.sh']);
    expect(await readFile(join(r.outputDir, 'sub', 'deeper', 'result.txt'), 'utf8')).toBe('fine\n');
    const tool = await stat(join(r.outputDir, 'tool.sh'));
    expect(tool.mode & 0o7777).toBe(0o755);
    expect((await lstat(join(r.outputDir, 'hardlink.txt'))).nlink).toBe(1);
    expect(r.result.notes.join(' ')).toMatch(/outputs not copied: .*shadow-link \(symbolic link\)/);
    expect(r.result.notes.join(' ')).toMatch(/fifo \(not a regular file\)/);
  });

  it('runs several sandboxes at once, each with its own /output', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map((i) =>
        f.run(['sh', '-c', `echo run${i} > /output/who.txt; sleep 0.3; cat /output/who.txt`]),
      ),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.result.status).toBe('succeeded');
      expect(r.stdout).toBe(`run${i + 1}\n`);
      expect(await readFile(join(r.outputDir, 'who.txt'), 'utf8')).toBe(`run${i + 1}\n`);
    }
  });

  it('cleans up after every run: no mounts, cgroups or staging folders left', async () => {
    // other suites of this Jest worker process may still hold their drivers' spares: count only new ones
    const sparesBefore = new Set(
      (await readdir('/sys/fs/cgroup/memory/aihub').catch(() => [] as string[])).filter((n) =>
        n.startsWith(`spare.${process.pid}.`),
      ),
    );
    const foldersBefore = new Set(await runFoldersOf(process.pid));
    await f.run(['true']);
    // the /output tmpfs is unmounted in the background once the result is out
    await f.driver.drain();
    const work = join(f.base, 'work');
    expect(await mountsBelow(work)).toEqual([]);
    expect(await readdir(join(work, 'stage'))).toEqual([]);
    const runCgroups = await readdir('/sys/fs/cgroup/memory/aihub').catch(() => [] as string[]);
    const ours = runCgroups.filter((n) => n.includes(`.${process.pid}.`));
    // only the one spare prepared for the next run (created ahead: cgroup creation is slow)
    expect(ours.filter((n) => !n.startsWith('spare.'))).toEqual([]);
    expect(ours.filter((n) => n.startsWith('spare.') && !sparesBefore.has(n)).length).toBeLessThanOrEqual(1);
    // run folders: only the spare prepared for the next run, with nothing but its /output tmpfs mounted
    const folders = await runFoldersOf(process.pid);
    const newFolders = folders.filter((p) => !foldersBefore.has(p));
    expect(newFolders.length).toBeLessThanOrEqual(1);
    for (const p of newFolders) expect(await mountsBelow(p)).toEqual([join(p, 'output')]);
  });

  it('rejects invalid specs before touching the host', async () => {
    await expect(f.run([])).rejects.toBeInstanceOf(InvalidRunSpecError);
    await expect(f.run(['true'], { limits: { memoryMb: 0 } })).rejects.toMatchObject({
      code: 'INVALID_RUN_SPEC',
    });
    await expect(
      f.run(['true'], { mounts: [{ hostPath: dataDir, sandboxPath: '/etc' }] }),
    ).rejects.toBeInstanceOf(InvalidRunSpecError);
  });

  it("binds private inputs in a run folder only that run's group can enter (the platform folders stay 0700)", async () => {
    const user = (await f.driver.init()).user!;
    const ac = new AbortController();
    let seen: { gid: number; mode: string; uid: number; own: string; other: string } | null = null;
    let uids: number[] = [];
    const r = await f.run(['sh', '-c', 'echo ready; sleep 30'], {
      mounts: [{ hostPath: dataDir, sandboxPath: '/data/ds1' }],
      signal: ac.signal,
      onLog: () =>
        void (async () => {
          const [pid] = await outerBwrapPids();
          const status = await readFile(`/proc/${pid}/status`, 'utf8');
          const gid = Number(/^Gid:\s+(\d+)/m.exec(status)![1]);
          // on cgroup v1 the wrapper is started as the sandbox user: no process of the run is ever root
          uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number);
          for (const folder of await runFoldersOf(process.pid)) {
            const st = await stat(folder);
            if (st.gid !== gid) continue;
            // the run's own group reaches its inputs; any other group (another run) is refused
            const own = await lsAs(user.uid, gid, join(folder, 'data', '0'));
            const other = await lsAs(user.uid, gid + 1, join(folder, 'data', '0'));
            seen = { gid, mode: (st.mode & 0o7777).toString(8), uid: st.uid, own, other };
          }
        })().finally(() => ac.abort()),
    });
    expect(r.result.status).toBe('cancelled');
    expect(seen).toMatchObject({ mode: '710', uid: 0, own: 'sales.csv\n' });
    expect(seen!.gid).toBeGreaterThan(1_000_000_000);
    expect(seen!.other).toMatch(/Permission denied/);
    expect(uids).toEqual([user.uid, user.uid, user.uid]);
    expect((await stat(join(f.base, 'views'))).mode & 0o777).toBe(0o700);
  });

  it('refuses inputs the sandbox user cannot read, with a clear platform error', async () => {
    const secret = join(f.base, 'secret-view');
    await mkdir(secret, { mode: 0o700 });
    const err = await f
      .run(['true'], { mounts: [{ hostPath: secret, sandboxPath: '/data/x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxRuntimeError);
    expect((err as Error).message).toMatch(
      /mount \/data\/x .*secret-view.* not readable and searchable by the sandbox user sbx/,
    );
    expect(await eventually(async () => (await zombies()).length === 0)).toBe(true);
  });

  it("refuses a directory only the sandbox user's group may read: a run has a group of its own", async () => {
    const groupOnly = join(f.base, 'group-view');
    await mkdir(groupOnly, { mode: 0o750 });
    const user = (await f.driver.init()).user!;
    await chown(groupOnly, 0, user.gid);
    const err = await f
      .run(['true'], { mounts: [{ hostPath: groupOnly, sandboxPath: '/data/g' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxRuntimeError);
    expect((err as Error).message).toMatch(/group-view.* not readable and searchable by the sandbox user/);
  });
});

describe('BwrapDriver after a crashed worker', () => {
  it('unmounts and removes the run folders of a dead worker at start-up, never touching the bound sources', async () => {
    const dead = await new Promise<number>((resolve) => {
      const child = spawn('true');
      child.once('exit', () => resolve(child.pid!));
    });
    const folder = '/run/aihub-sandbox/65535';
    const source = await mkdtemp(join(tmpdir(), 'aihub-sweep-source-'));
    await writeFile(join(source, 'precious.csv'), 'a,b\n1,2\n');
    await mkdir(join(folder, 'data', '0'), { recursive: true });
    await mkdir(join(folder, 'output'));
    await writeFile(join(folder, '.owner'), String(dead));
    execFileSync('mount', ['--bind', source, join(folder, 'data', '0')]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'aihub-output', join(folder, 'output')]);

    const f = await createSandboxFixture();
    try {
      await f.driver.init();
      expect(await mountsBelow(folder)).toEqual([]);
      await expect(stat(folder)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await readFile(join(source, 'precious.csv'), 'utf8')).toBe('a,b\n1,2\n');
      expect(f.warnings.join('\n')).toMatch(/removed leftovers of interrupted runs: .*65535/);
    } finally {
      await f.close();
      await rm(source, { recursive: true, force: true });
    }
  });
});

describe('BwrapDriver with world-searchable folders (fast path)', () => {
  let f: SandboxFixture;

  beforeAll(async () => {
    f = await createSandboxFixture({ reachable: true });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('runs the same way as with private folders', async () => {
    const view = join(f.base, 'view');
    await mkdir(view, { mode: 0o755 });
    await writeFile(join(view, 'sales.csv'), 'district,amount\nfutian,2.5\nluohu,1\n', { mode: 0o644 });
    const r = await f.run(['python3', 'aggregate.py'], {
      mounts: [{ hostPath: view, sandboxPath: '/data/ds1' }],
    });
    expect(r.result.status).toBe('succeeded');
    expect(probeJson(r.stdout)).toMatchObject({ districts: 2, rows: 2 });
    expect(await readFile(join(r.outputDir, 'report', 'by_district.csv'), 'utf8')).toContain('futian,1,2.50');
    const w = await f.run(['sh', '-c', 'touch /code/x /data/ds1/x 2>&1; ls /'], {
      mounts: [{ hostPath: view, sandboxPath: '/data/ds1' }],
    });
    expect(w.stdout).toMatch(/Read-only file system[\s\S]*Read-only file system/);
    expect(await zombies()).toEqual([]);
    await f.driver.drain();
    expect(await mountsBelow(f.base)).toEqual([]);
  });
});
