/**
 * Start-to-exit latency of the sandbox runtime against a bare spawn, in the same process and run.
 *
 *   npm run bench:sandbox                 # 200 runs of each
 *   BENCH_N=500 npm run bench:sandbox
 *
 * (a) reference: `child_process.spawn('true')` until its 'close' event;
 * (b) bubblewrap alone: `setpriv` to the sandbox user + `bwrap` with every namespace, `true` inside
 *     (what the driver cannot avoid, for comparison);
 * (c) `BwrapDriver.run()` of `true`, default layout (private 0700 platform folders, so the inputs are
 *     bound in a private mount namespace): spec validation, per-run cgroups (memory, pids, cpu, cpuacct),
 *     the /output tmpfs mount, rlimits, user switch, bubblewrap with every namespace and the seccomp
 *     filter, then the teardown (cgroup emptiness check and removal, copy-out of /output, unmount);
 * (d) the same with world-searchable folders, where bubblewrap binds the inputs directly (fast path).
 * Each iteration runs (a)–(d) once, in an order shuffled per iteration (seeded): what ran just before
 * matters on this machine kind (a sandbox started right after another one's teardown — its network
 * namespace above all — measured ~6 ms slower than one started after a driver run), so a fixed order
 * would bias whichever step always follows bubblewrap alone. Prints median and
 * p95 of each and the overhead of (c) and (d) over (a) against the 15 ms target. Then, when
 * bench/materialize.ts exists (datasets), its `runMaterializeBench()` prints dataset materialization
 * cold vs cached. Needs root and bubblewrap, like the driver. Exit code 1 when the median overhead of
 * the default layout misses the target.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BwrapDriver } from '@aihub/sandbox/runtime/bwrap/bwrap.driver';

const TARGET_OVERHEAD_MS = 15;
const WARMUP = 10;

function spawnTrue(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited ${code}`))));
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/**
 * CPU milliseconds used so far by this process and its reaped descendants (/proc/self/stat utime,
 * stime, cutime, cstime): the work a step costs, which unlike its latency does not depend much on how
 * busy the machine is.
 */
function cpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 of proc(5), counted from the state (field 3) here
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}
const TICKS_PER_SECOND = 100;

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** A driver over its own scratch folder; `reachable` opens the parents to o+x (the fast path). */
async function benchDriver(base: string, reachable: boolean) {
  const root = join(base, reachable ? 'open' : 'private');
  await mkdir(join(root, 'work', 'stage'), { recursive: true, mode: reachable ? 0o711 : 0o700 });
  await chmod(root, reachable ? 0o711 : 0o700);
  await chmod(join(root, 'work'), reachable ? 0o711 : 0o700);
  const codeDir = join(root, 'code');
  await mkdir(codeDir, { mode: 0o755 });
  const driver = new BwrapDriver({
    user: process.env.SANDBOX_USER ?? 'sbx',
    workDir: join(root, 'work'),
    tmpMb: 16,
    logger: { log: () => undefined, warn: (m) => console.warn(`warn: ${m}`), error: (m) => console.error(m) },
  });
  const host = await driver.init();
  let i = 0;
  const run = async () => {
    const outputDir = join(root, `out-${++i}`);
    const result = await driver.run({
      runId: `bench-${i}`,
      codeDir,
      mounts: [],
      outputDir,
      command: ['true'],
      limits: { cpus: 1, memoryMb: 128, pids: 64, diskMb: 16, runTimeoutSeconds: 30, maxLogBytes: 65536 },
    });
    if (result.status !== 'succeeded') throw new Error(`sandboxed true ended ${result.status}`);
    await rm(outputDir, { recursive: true, force: true });
  };
  return { host, run, close: () => driver.close() };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 200);
  if (!Number.isInteger(n) || n < 10) throw new Error('BENCH_N must be an integer >= 10');
  const base = await mkdtemp(join(tmpdir(), 'aihub-bench-sandbox-'));
  try {
    const privateLayout = await benchDriver(base, false);
    const openLayout = await benchDriver(base, true);
    const host = privateLayout.host;
    const uid = String(host.user?.uid ?? process.getuid?.());
    const gid = String(host.user?.gid ?? process.getgid?.());
    const bwrapArgs = [
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--as-pid-1',
    ];
    bwrapArgs.push('--ro-bind', '/usr', '/usr', '--proc', '/proc', '--dev', '/dev');
    for (const [link, target] of [
      ['/bin', 'usr/bin'],
      ['/lib', 'usr/lib'],
      ['/lib64', 'usr/lib64'],
    ])
      if (existsSync(link)) bwrapArgs.push('--symlink', target, link);
    const rawBwrap = () =>
      spawnTrue('/usr/bin/setpriv', [
        `--reuid=${uid}`,
        `--regid=${gid}`,
        '--clear-groups',
        '--',
        host.bwrap,
        ...bwrapArgs,
        '--',
        '/usr/bin/true',
      ]);
    const bare = () => spawnTrue('true', []);
    const steps: [string, () => Promise<void>][] = [
      ['bare spawn(true) [reference]', bare],
      ['setpriv + bwrap alone', rawBwrap],
      ['BwrapDriver.run(true), 0700 folders', privateLayout.run],
      ['BwrapDriver.run(true), o+x folders', openLayout.run],
    ];
    for (let w = 0; w < WARMUP; w++) for (const [, fn] of steps) await fn();
    const samples = steps.map(() => [] as number[]);
    const cpu = steps.map(() => 0);
    let seed = 20261202;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let k = 0; k < n; k++) {
      const order = steps.map((_, j) => j);
      for (let i = order.length - 1; i > 0; i--) {
        const r = Math.floor(random() * (i + 1));
        [order[i], order[r]] = [order[r], order[i]];
      }
      for (const j of order) {
        const c0 = cpuMs();
        samples[j].push(await timeMs(steps[j][1]));
        cpu[j] += cpuMs() - c0;
      }
    }
    samples.forEach((s) => s.sort((a, b) => a - b));

    const row = (label: string, s: number[], j: number) =>
      `${label.padEnd(40)} ${quantile(s, 0.5).toFixed(2).padStart(8)} ${quantile(s, 0.95).toFixed(2).padStart(8)} ${(cpu[j] / n).toFixed(1).padStart(8)}`;
    console.log(
      `sandbox start-to-exit of \`true\`, ${n} runs each (cgroups ${host.cgroups}: ${host.cgroupControllers.join(', ') || 'none'}; seccomp ${host.seccomp ? 'on' : 'off'}; user ${host.user?.name ?? 'current'})`,
    );
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `${'step'.padEnd(40)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'CPU/run'.padStart(8)}   (ms; load average ${load})`,
    );
    steps.forEach(([label], j) => console.log(row(label, samples[j], j)));
    const over = (j: number, q: number) => quantile(samples[j], q) - quantile(samples[0], q);
    for (const j of [2, 3])
      console.log(
        `overhead of "${steps[j][0]}": median ${over(j, 0.5).toFixed(2)} ms, p95 ${over(j, 0.95).toFixed(2)} ms (target <= ${TARGET_OVERHEAD_MS} ms) -> ${
          over(j, 0.5) <= TARGET_OVERHEAD_MS ? 'OK' : 'MISSED'
        }`,
      );
    if (over(2, 0.5) > TARGET_OVERHEAD_MS) process.exitCode = 1;
    await privateLayout.close();
    await openLayout.close();
  } finally {
    await rm(base, { recursive: true, force: true });
  }

  // dataset materialization cold vs cached lives with the datasets (bench/materialize.ts)
  const materialize = join(__dirname, 'materialize.js');
  if (existsSync(materialize)) {
    const mod = (await import(materialize)) as { runMaterializeBench?: () => Promise<void> };
    if (typeof mod.runMaterializeBench !== 'function')
      throw new Error(`${materialize} does not export runMaterializeBench()`);
    await mod.runMaterializeBench();
  } else {
    console.log('dataset materialization cold vs cached: bench/materialize.ts is not there yet');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
