import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, Server } from 'node:http';
import { connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createSandboxFixture,
  newToken,
  processesWithToken,
  probeJson,
  ProbeRun,
  SandboxFixture,
  zombies,
} from '../sandbox-runtime/sandbox-fixture';

/**
 * The escape battery (issue 5, "Shown by"): hostile programs run as sandbox jobs through the real
 * bubblewrap driver. Every probe must be denied or contained, the run's status and usage reported
 * correctly, and the host unaffected (no processes of the run left, no zombies, host /tmp untouched).
 * Network probes only ever address the loopback: interfaces and routes are read, never probed with
 * packets to outside or private-range addresses.
 */

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });

const DENIED = /^(ECONNREFUSED|ENETUNREACH|EHOSTUNREACH|EACCES|EPERM|ETIMEDOUT|timeout|EADDRNOTAVAIL)$/;

describe('sandbox escape battery (bubblewrap driver)', () => {
  let f: SandboxFixture;
  let http: Server;
  let httpPort: number;
  let dataDir: string;
  let otherRun: ProbeRun;
  let sbxUid: number;

  beforeAll(async () => {
    f = await createSandboxFixture();
    sbxUid = (await f.driver.init()).user!.uid;
    http = createServer((_req, res) => res.end('host secret'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    httpPort = (http.address() as AddressInfo).port;
    dataDir = join(f.base, 'views', 'ds1');
    await mkdir(dataDir, { recursive: true, mode: 0o755 });
    await writeFile(join(dataDir, 'sales.csv'), 'district,amount\nfutian,1\n', { mode: 0o644 });
    // another company's finished run, whose outputs must be out of reach
    otherRun = await f.run(['sh', '-c', 'echo confidential > /output/result.txt']);
    expect(otherRun.result.status).toBe('succeeded');
  });

  afterAll(async () => {
    await new Promise((r) => http?.close(r));
    await f?.close();
  });

  afterEach(async () => {
    expect(await zombies()).toEqual([]);
  });

  const expectHostClean = async (r: ProbeRun) => {
    expect(await processesWithToken(r.token)).toEqual([]);
  };

  it('network: no TCP/UDP/DNS to the host loopback services; only a private loopback, no route', async () => {
    // the services are really there, seen from the host
    expect(await canConnect(5432)).toBe(true);
    expect(await canConnect(6379)).toBe(true);
    expect(await canConnect(httpPort)).toBe(true);

    const r = await f.run(['python3', 'network.py', String(httpPort)]);
    expect(r.result.status).toBe('succeeded');
    const n = probeJson<Record<string, unknown>>(r.stdout);
    for (const probe of ['tcp_postgres', 'tcp_redis', 'tcp_http', 'tcp6_http', 'udp_dns_loopback'])
      expect([probe, n[probe]]).toEqual([probe, expect.stringMatching(DENIED)]);
    expect(n.dns_localhost).not.toBe('RESOLVED_REMOTE');
    expect(n.interfaces).toEqual(['lo']);
    expect(n.if_nameindex).toEqual(['lo']);
    expect(n.ipv4_routes).toEqual([]);
    for (const route of n.ipv6_routes as string[][]) expect(route[1]).toBe('lo');
    expect(n.sys_class_net).toBe('ENOENT');
    // its loopback is its own: the host's busy HTTP port is free inside
    expect(n.bind_host_http_port).toBe('BOUND');
    await expectHostClean(r);
  });

  it('files: host secrets, the platform data, storage and other runs are out of sight; inputs and system dirs are read-only', async () => {
    const platformDataDir = process.env.DATA_DIR!;
    const hostPaths = [
      platformDataDir,
      join(platformDataDir, 's3'),
      join(platformDataDir, 'secrets'),
      process.cwd(), // the checkout, with its .env and config
      otherRun.outputDir,
      f.base,
      '/root',
      '/var/lib/postgresql',
      '/run/aihub-sandbox',
      '/sys/fs/cgroup',
    ];
    const r = await f.run(['python3', 'files.py', ...hostPaths], {
      mounts: [{ hostPath: dataDir, sandboxPath: '/data/ds1' }],
    });
    expect(r.stderr).toBe('');
    expect(r.result.status).toBe('succeeded');
    const p = probeJson<{
      read: Record<string, string>;
      write: Record<string, string>;
      exists: Record<string, boolean>;
      root_listing: string[];
      proc_pids: number[];
      environ: Record<string, string>;
      proc_environs: Record<string, string>;
      uid: number[];
    }>(r.stdout);

    for (const path of hostPaths) expect([path, p.exists[path]]).toEqual([path, false]);
    expect(p.read['/etc/shadow']).toBe('ENOENT');
    expect(p.read['/etc/passwd']).toBe('ENOENT');
    expect(p.read['/root']).toBe('ENOENT');
    expect(p.read['/proc/kcore']).toMatch(/^(ENOENT|EACCES|EPERM)$/);
    expect(p.read['/sys/kernel']).toBe('ENOENT');
    // pid 1 is the probe itself (its own pid namespace): its environment is the sandbox's, nothing else
    expect(p.proc_pids).toEqual([1]);
    expect(Object.keys(p.environ).sort()).toEqual(['AIHUB_PROBE_TOKEN', 'HOME', 'LANG', 'PATH', 'PWD']);
    expect(p.environ.PWD).toBe('/code');
    for (const env of Object.values(p.proc_environs)) {
      expect(env).not.toMatch(/DATABASE_URL|REDIS|JWT|S3_|aihub_dev_only/);
    }
    // only the system dirs (read-only), the mounts and private tmpfs: no /home, /root, /var, /sys, /run, /mnt
    const allowed = [
      'bin',
      'code',
      'data',
      'dev',
      'etc',
      'lib',
      'lib32',
      'lib64',
      'libx32',
      'output',
      'proc',
      'sbin',
      'tmp',
      'usr',
    ];
    for (const entry of p.root_listing) expect([entry, allowed.includes(entry)]).toEqual([entry, true]);
    expect(p.root_listing).toEqual(expect.arrayContaining(['code', 'data', 'output', 'proc', 'tmp', 'usr']));

    const readOnly = [
      '/data/ds1/new.txt',
      '/data/new.txt',
      '/usr/new.txt',
      '/usr/bin/python3',
      '/code/new.txt',
      '/code/main.py',
      '/new.txt',
      '/etc/new.txt',
      '/dev/new.txt',
      '/proc/sys/kernel/hostname',
    ];
    for (const path of readOnly)
      expect([path, p.write[path]]).toEqual([path, expect.stringMatching(/^(EROFS|EACCES|EPERM|ENOENT)$/)]);
    expect(p.write['/tmp/ok.txt']).toBe('WRITTEN');
    expect(p.write['/output/ok.txt']).toBe('WRITTEN');
    expect(p.write['/dev/shm/ok.txt']).toBe('WRITTEN');
    expect(p.uid[0]).not.toBe(0);
    expect(p.uid[1]).not.toBe(0);

    // the inputs on the host are unchanged
    expect(await readdir(dataDir)).toEqual(['sales.csv']);
    expect((await readdir(f.codeDir)).includes('new.txt')).toBe(false);
    await expectHostClean(r);
  });

  it('files: the sandbox /tmp is private, the host /tmp is untouched', async () => {
    const r = await f.run(['sh', '-c', 'echo x > "/tmp/$AIHUB_PROBE_TOKEN" && ls /tmp']);
    expect(r.result.status).toBe('succeeded');
    expect(r.stdout.trim()).toBe(r.token);
    expect(existsSync(join('/tmp', r.token))).toBe(false);
  });

  it('privileges: unshare, mount, ptrace, setuid, su and nested user namespaces all fail', async () => {
    const r = await f.run(['python3', 'privileges.py']);
    expect(r.result.status).toBe('succeeded');
    const p = probeJson<Record<string, unknown> & { status: Record<string, string>; uid_map: string[] }>(
      r.stdout,
    );
    for (const call of [
      'unshare_user',
      'unshare_mount',
      'unshare_net',
      'mount_tmpfs',
      'remount_usr_rw',
      'umount_code',
      'chroot',
      'setuid_0',
      'setgid_0',
      'setresuid_0',
      'ptrace_attach_pid1',
      'ptrace_attach_child',
      'ptrace_traceme',
      'clone_newuser',
    ])
      expect([call, p[call]]).toEqual([call, expect.stringMatching(/^-1 E(PERM|INVAL|ACCES)$/)]);
    expect(p.su).not.toMatch(/uid_out=b'0'/);
    expect(p.status.CapEff).toBe('0000000000000000');
    expect(p.status.CapPrm).toBe('0000000000000000');
    expect(p.status.CapAmb).toBe('0000000000000000');
    expect(p.status.NoNewPrivs).toBe('1');
    expect(p.status.Seccomp).toBe('2');
    expect(p.status.Uid.split(/\s+/)).not.toContain('0');
    // the user namespace maps only the sandbox user, never root
    // one uid mapped: the sandbox user's own (no root inside, nothing else to become)
    expect(p.uid_map[0]).toBe(String(sbxUid));
    expect(p.uid_map[2]).toBe('1');
    expect(p.status.CapBnd).toBe('0000000000000000');
    await expectHostClean(r);
  });

  it('privileges: seen from the host, every process of a run belongs to the unprivileged sandbox user', async () => {
    const ac = new AbortController();
    let hostUids: string[] = [];
    const token = newToken();
    const r = await f.run(['sh', '-c', 'sleep 30 & echo ready; wait'], {
      signal: ac.signal,
      token,
      onLog: (_s, chunk) => {
        if (!chunk.toString().includes('ready')) return;
        void (async () => {
          const pids = await processesWithToken(token);
          for (const pid of pids) {
            const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
            const uid = /^Uid:\s+(.*)$/m.exec(status)?.[1];
            if (uid) hostUids.push(...uid.split(/\s+/));
          }
          ac.abort();
        })();
      },
    });
    expect(r.result.status).toBe('cancelled');
    expect(hostUids.length).toBeGreaterThanOrEqual(8); // sh and sleep, four uid fields each
    expect(new Set(hostUids)).toEqual(new Set([String(sbxUid)]));
    hostUids = [];
    await expectHostClean(r);
  });

  it('fork bomb: held at the pids limit, ended by the wall clock, nothing survives', async () => {
    const r = await f.run(['python3', 'forkbomb.py'], { limits: { pids: 32, runTimeoutSeconds: 3 } });
    expect(r.result.status).toBe('timed_out');
    expect(r.result.signal).toBe('SIGKILL');
    expect(r.result.notes.join(' ')).toMatch(/process limit of 32 reached/);
    expect(r.result.usage.wallSeconds).toBeGreaterThanOrEqual(2.9);
    expect(r.result.usage.wallSeconds).toBeLessThan(10);
    await expectHostClean(r);
  });

  it('memory hog: killed by the memory cgroup, status oom, peak memory reported near the limit', async () => {
    const r = await f.run(['python3', 'memhog.py'], { limits: { memoryMb: 64 } });
    expect(r.result.status).toBe('oom');
    expect(r.result.notes.join(' ')).toMatch(/memory limit reached/);
    // the cgroup limit is memoryMb + diskMb + 2 × tmpMb (RAM-backed /output, /tmp, /dev/shm): 64+16+32
    expect(r.result.usage.maxMemoryMb).toBeGreaterThan(60);
    expect(r.result.usage.maxMemoryMb).toBeLessThanOrEqual(112.5);
    const reached = Number(r.stdout.trim().split('\n').pop());
    expect(reached).toBeGreaterThanOrEqual(32);
    expect(reached).toBeLessThanOrEqual(112);
    await expectHostClean(r);
  });

  it('disk fill: /output, /tmp and /dev/shm end in ENOSPC at their quota; the host keeps at most the quota', async () => {
    const r = await f.run(['python3', 'diskfill.py'], { limits: { diskMb: 8 } });
    expect(r.result.status).toBe('succeeded');
    const d = probeJson<Record<string, { written?: number; size?: number; error: string; created?: number }>>(
      r.stdout,
    );
    const MiB = 1024 * 1024;
    expect(d.output.error).toBe('ENOSPC');
    expect(d.output.size).toBeLessThanOrEqual(8 * MiB);
    expect(d.output.size).toBeGreaterThan(6 * MiB);
    expect(d.tmp.error).toMatch(/^(ENOSPC|EFBIG)$/);
    expect(d.tmp.size).toBeLessThanOrEqual(16 * MiB);
    expect(d.shm.error).toMatch(/^(ENOSPC|EFBIG)$/);
    expect(d.shm.size).toBeLessThanOrEqual(16 * MiB);
    expect(d.files.error).toBe('ENOSPC');
    expect(d.files.created).toBeLessThan(5000);
    expect(r.result.notes.join(' ')).toMatch(/output disk quota of 8 MiB reached/);
    const fill = await stat(join(r.outputDir, 'fill.bin'));
    expect(fill.size).toBe(d.output.size);
    await expectHostClean(r);
  });

  it('CPU loop: held to its CPU share, ended by the wall clock (timed_out), CPU seconds reported', async () => {
    const r = await f.run(['python3', 'cpuloop.py', '2'], { limits: { cpus: 0.5, runTimeoutSeconds: 3 } });
    expect(r.result.status).toBe('timed_out');
    const { cpuSeconds, wallSeconds } = r.result.usage;
    expect(wallSeconds).toBeGreaterThanOrEqual(2.9);
    // two spinning processes, but a CFS quota of half a core: at most ~0.5 × wall (at least some of it
    // even on a busy machine)
    expect(cpuSeconds).toBeGreaterThan(0.25);
    expect(cpuSeconds).toBeLessThan(0.5 * wallSeconds * 1.25 + 0.3);
    expect(r.result.notes.join(' ')).toMatch(/wall-clock limit of 3 s reached/);
    await expectHostClean(r);
  });

  it('sleep past the timeout: killed at the wall clock, timed_out, little CPU', async () => {
    const r = await f.run(['python3', 'sleeper.py'], { limits: { runTimeoutSeconds: 2 } });
    expect(r.result).toMatchObject({ status: 'timed_out', exitCode: null, signal: 'SIGKILL' });
    expect(r.stdout).toBe('sleeping\n');
    expect(r.result.usage.wallSeconds).toBeGreaterThanOrEqual(1.9);
    expect(r.result.usage.wallSeconds).toBeLessThan(6);
    expect(r.result.usage.cpuSeconds).toBeLessThan(1);
    await expectHostClean(r);
  });
});
