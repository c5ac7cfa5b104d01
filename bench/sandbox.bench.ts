/**
 * Start-to-exit latency of the sandbox runtime against a bare spawn, in the same process and run.
 *
 *   npm run bench:sandbox                 # 200 runs of each
 *   BENCH_N=500 npm run bench:sandbox
 *
 * (a) reference: `child_process.spawn('true')` until its 'close' event;
 * (b) `BwrapDriver.run()` of `true`: spec validation, per-run cgroups (memory, pids, cpu, cpuacct), the
 *     /output tmpfs mount, rlimits, user switch, bubblewrap with every namespace and the seccomp filter,
 *     then the teardown (cgroup emptiness check and removal, copy-out of /output, unmount).
 * Iterations alternate (a) and (b) after a warm-up, so both see the same machine state. Prints median and
 * p95 of each and the overhead of (b) over (a) against the 15 ms target. Dataset materialization (cold vs
 * cached) is measured once datasets exist (issue 5, datasets). Needs root and bubblewrap, like the driver.
 * Exit code 1 when the median overhead misses the target.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BwrapDriver } from '@aihub/sandbox';

const TARGET_OVERHEAD_MS = 15;
const WARMUP = 10;

function bareTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`true exited ${code}`))));
  });
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_N ?? 200);
  if (!Number.isInteger(n) || n < 10) throw new Error('BENCH_N must be an integer >= 10');
  const base = await mkdtemp(join(tmpdir(), 'aihub-bench-sandbox-'));
  await chmod(base, 0o711);
  const codeDir = join(base, 'code');
  await mkdir(codeDir, { mode: 0o755 });
  const driver = new BwrapDriver({
    user: process.env.SANDBOX_USER ?? 'sbx',
    workDir: join(base, 'work'),
    tmpMb: 16,
    logger: { log: () => undefined, warn: (m) => console.warn(`warn: ${m}`), error: (m) => console.error(m) },
  });
  try {
    const host = await driver.init();
    let i = 0;
    const sandboxed = async () => {
      const outputDir = join(base, `out-${i++}`);
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
    for (let w = 0; w < WARMUP; w++) {
      await bareTrue();
      await sandboxed();
    }
    const bare: number[] = [];
    const driven: number[] = [];
    for (let k = 0; k < n; k++) {
      bare.push(await timeMs(bareTrue));
      driven.push(await timeMs(sandboxed));
    }
    bare.sort((a, b) => a - b);
    driven.sort((a, b) => a - b);
    const row = (label: string, s: number[]) =>
      `${label.padEnd(34)} ${quantile(s, 0.5).toFixed(2).padStart(8)} ${quantile(s, 0.95).toFixed(2).padStart(8)}`;
    console.log(
      `sandbox start-to-exit of \`true\`, ${n} runs each (cgroups ${host.cgroups}: ${host.cgroupControllers.join(', ') || 'none'}; seccomp ${host.seccomp ? 'on' : 'off'}; user ${host.user?.name ?? 'current'})`,
    );
    console.log(`${'step'.padEnd(34)} ${'median'.padStart(8)} ${'p95'.padStart(8)}   (ms)`);
    console.log(row('bare spawn(true) [reference]', bare));
    console.log(row('BwrapDriver.run(true)', driven));
    const overheadMedian = quantile(driven, 0.5) - quantile(bare, 0.5);
    const overheadP95 = quantile(driven, 0.95) - quantile(bare, 0.95);
    console.log(
      `overhead: median ${overheadMedian.toFixed(2)} ms, p95 ${overheadP95.toFixed(2)} ms (target <= ${TARGET_OVERHEAD_MS} ms) -> ${
        overheadMedian <= TARGET_OVERHEAD_MS ? 'OK' : 'MISSED'
      }`,
    );
    console.log('dataset materialization cold vs cached: not measured yet (comes with datasets)');
    if (overheadMedian > TARGET_OVERHEAD_MS) process.exitCode = 1;
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
