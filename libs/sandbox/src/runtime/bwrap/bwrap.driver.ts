import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import {
  FileHandle,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  rm,
  rmdir,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { LogCapture } from '../log-capture';
import { MAX_MOUNTS, validateRunSpec, ValidRunSpec } from '../run-spec.validation';
import { RunHooks, RunResult, RunSpec, RunStatus, RuntimeDriver } from '../runtime-driver.port';
import { SandboxRuntimeError } from '../runtime.errors';
import { BwrapPlan, HostLayout, MOUNT_POINTS, Rlimits, WRAPPER_EXIT, wrapperCommand } from './bwrap-command';
import {
  CgroupLimits,
  CgroupManager,
  CgroupStats,
  detectCgroups,
  parseMountInfo,
  RunCgroup,
} from './cgroups';
import { copyOutTree } from './copy-out';
import { detectHostLayout } from './host-layout';
import {
  ensureSandboxUser,
  execTool,
  findTool,
  isAlive,
  SandboxUser,
  unreachableReason,
  untrustedPathReason,
} from './host-tools';
import { buildSeccompFilter } from './seccomp-filter';
import { UmountHelper } from './umount-helper';

const MiB = 1024 * 1024;
/** Host-wide RLIMIT_NPROC of the sandbox user when a pids cgroup bounds each run (runs share the uid). */
const SHARED_NPROC = 8192;
const NOFILE = 4096;
/** How long the outer bubblewrap may take to exit once its sandbox was killed, before it is killed too. */
const KILL_GRACE_MS = 2000;
/** After the wrapper exited, how long its pipes may stay open (they close with the last sandbox process). */
const PIPE_DRAIN_MS = 2000;
const CGROUP_EMPTY_TIMEOUT_MS = 5000;
const STDERR_TAIL_BYTES = 4096;
const DISK_POLL_MS = 500;
const DEFAULT_MOUNT_ROOT = '/run/aihub-sandbox';
/** Limits of a spare cgroup until a run takes it (nothing can join it before). */
const SPARE_LIMITS: CgroupLimits = { memoryBytes: 16 * 1024 * 1024, pids: 1 };
/** Per process, shared by every driver instance: run names (cgroups, staging) never collide. */
let runSeq = 0;

export interface SandboxLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface BwrapDriverOptions {
  /** Unprivileged account the sandboxes run as when the platform runs as root (created when missing). */
  user: string;
  /** Private folder of the driver (per-run /output staging, the seccomp program); created 0700. */
  workDir: string;
  /**
   * Root mode: root-owned folder of fixed, empty mount points (`code`, `output`, `data/<i>`) that each run
   * binds its inputs onto inside its own mount namespace; default `/run/aihub-sandbox`. Shared by every
   * driver on the host (the binds are private to each run).
   */
  mountRoot?: string;
  /** Size of the sandbox's /tmp and of its /dev/shm, each, in MiB. */
  tmpMb: number;
  hostname?: string;
  logger?: SandboxLogger;
}

/** What {@link BwrapDriver.init} found out about the host. */
export interface BwrapHostInfo {
  root: boolean;
  user: SandboxUser | null;
  cgroups: CgroupManager['kind'];
  cgroupControllers: string[];
  seccomp: boolean;
  bwrap: string;
}

interface HostState extends BwrapHostInfo {
  tools: BwrapPlan['tools'] & { umount?: string };
  cgroupManager: CgroupManager;
  seccompFile: string | null;
  stageRoot: string;
  mountRoot: string | null;
  umounter: UmountHelper | null;
  /** The sandbox user can reach the staging folder by path (its parents are searchable by others). */
  stageReachable: boolean;
  layout: HostLayout;
}

type KillReason = 'timeout' | 'cancel' | 'disk';

interface Supervision {
  exitCode: number | null;
  childPid: number | null;
  wrapperCode: number | null;
  reason: KillReason | null;
  stderrTail: string;
}

const signalName = (n: number): string | null =>
  (Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0] as string | undefined) ?? null;

function kill(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

async function directorySize(dir: string, limit: number): Promise<number> {
  let total = 0;
  const stack = [dir];
  let visited = 0;
  while (stack.length && total <= limit && visited < 200_000) {
    const current = stack.pop()!;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      visited++;
      const p = join(current, e.name);
      if (e.isDirectory()) stack.push(p);
      else total += (await lstat(p).catch(() => null))?.blocks ?? 0;
    }
  }
  return total * 512;
}

/**
 * Runs each command in a bubblewrap sandbox on this machine (see docs/sandbox-runtime.md for the whole
 * picture and the measured overhead). As root: an unprivileged system user, per-run cgroups (memory,
 * pids, cpu, cpuacct), a host tmpfs of `diskMb` as /output, rlimits, a seccomp filter, no network, and a
 * wall-clock kill of the whole tree. Not root: the same sandbox as the current user; the /output quota is
 * then enforced by polling (logged at start-up).
 */
export class BwrapDriver implements RuntimeDriver {
  readonly name = 'bwrap';
  private readonly logger: SandboxLogger;
  private ready?: Promise<HostState>;
  private readonly pendingCleanups = new Set<Promise<void>>();
  private spare: Promise<RunCgroup | null> | null = null;

  constructor(private readonly options: BwrapDriverOptions) {
    this.logger = options.logger ?? new Logger('BwrapDriver');
  }

  /** Prepares the host once: tools, sandbox user, cgroups, seccomp program, leftovers of a crashed worker. */
  init(): Promise<BwrapHostInfo> {
    this.ready ??= this.prepareHost().catch((err) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready.then(({ root, user, cgroups, cgroupControllers, seccomp, bwrap }) => ({
      root,
      user,
      cgroups,
      cgroupControllers,
      seccomp,
      bwrap,
    }));
  }

  private async host(): Promise<HostState> {
    await this.init();
    return this.ready!;
  }

  private async prepareHost(): Promise<HostState> {
    const root = process.getuid?.() === 0;
    const bwrap = await findTool('bwrap');
    if (!bwrap)
      throw new SandboxRuntimeError(
        'bubblewrap is not installed (apt-get install -y bubblewrap); `npm start` installs it on Debian',
      );
    const prlimit = await findTool('prlimit');
    if (!prlimit) throw new SandboxRuntimeError('prlimit (util-linux) is not installed');
    const tools: HostState['tools'] = { bwrap, prlimit };
    let user: SandboxUser | null = null;
    if (root) {
      for (const t of ['setpriv', 'mount', 'umount', 'unshare'] as const) {
        const found = await findTool(t);
        if (!found) throw new SandboxRuntimeError(`${t} (util-linux) is not installed`);
        tools[t] = found;
      }
      try {
        const r = await ensureSandboxUser(this.options.user);
        user = r.user;
        if (r.created) this.logger.log(`created the sandbox system user ${user.name} (uid ${user.uid})`);
      } catch (err) {
        throw new SandboxRuntimeError(`sandbox user: ${(err as Error).message}`, { cause: err });
      }
    } else {
      this.logger.warn(
        `not running as root: sandboxes run as the current user (uid ${process.getuid?.()}) instead of ` +
          `"${this.options.user}", and /output is capped by polling its size (every ${DISK_POLL_MS} ms) plus RLIMIT_FSIZE`,
      );
    }

    const { manager, reasons } = await detectCgroups();
    if (manager.kind === 'none')
      this.logger.warn(
        `no usable cgroup hierarchy (${reasons.join('; ')}): memory is limited by RLIMIT_AS and processes by ` +
          'RLIMIT_NPROC (shared by all runs of the user); CPU seconds and peak memory are not measured',
      );

    // created private; an operator may open it to o+x (see stageReachable)
    await mkdir(this.options.workDir, { recursive: true, mode: 0o700 });
    const stageRoot = join(this.options.workDir, 'stage');
    await mkdir(stageRoot, { recursive: true, mode: 0o700 });
    const mountRoot = root ? await this.prepareMountRoot(this.options.mountRoot ?? DEFAULT_MOUNT_ROOT) : null;
    const stageReachable = !(await unreachableReason(stageRoot, user, { listable: false }));

    const filter = buildSeccompFilter();
    let seccompFile: string | null = null;
    if (filter) {
      seccompFile = join(this.options.workDir, 'seccomp.bpf');
      await writeFile(seccompFile, filter, { mode: 0o600 });
    } else {
      this.logger.warn(
        `no seccomp filter for ${process.arch}: sandboxes rely on namespaces and capabilities only`,
      );
    }

    const state: HostState = {
      root,
      user,
      cgroups: manager.kind,
      cgroupControllers: manager.controllers,
      seccomp: !!seccompFile,
      bwrap,
      tools,
      cgroupManager: manager,
      seccompFile,
      stageRoot,
      mountRoot,
      umounter: root ? new UmountHelper(tools.umount!) : null,
      stageReachable,
      layout: await detectHostLayout(),
    };
    await this.sweepLeftovers(state);
    await this.selfTest(state);
    this.logger.log(
      `bubblewrap sandboxes ready: ${user ? `user ${user.name} (uid ${user.uid})` : 'current user'}, cgroups ${
        manager.kind
      }${manager.controllers.length ? ` (${manager.controllers.join(', ')})` : ''}, seccomp ${seccompFile ? 'on' : 'off'}`,
    );
    return state;
  }

  /** Creates (once per host) the fixed mount points and checks that only root can change them. */
  private async prepareMountRoot(mountRoot: string): Promise<string> {
    const points = [
      MOUNT_POINTS.code,
      MOUNT_POINTS.output,
      'data',
      ...Array.from({ length: MAX_MOUNTS }, (_, i) => MOUNT_POINTS.data(i)),
    ];
    await mkdir(mountRoot, { recursive: true, mode: 0o755 });
    for (const p of points) await mkdir(join(mountRoot, p), { recursive: true, mode: 0o755 });
    for (const p of ['', ...points]) {
      const why = await untrustedPathReason(join(mountRoot, p));
      if (why) throw new SandboxRuntimeError(`sandbox mount points under ${mountRoot}: ${why}`);
    }
    return mountRoot;
  }

  /** Run names are `<runId>.<pid>.<seq>`: anything of a dead worker process is stale. */
  private isStale = (name: string): boolean => {
    const parts = name.split('.');
    const pid = Number(parts[parts.length - 2]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
  };

  private async sweepLeftovers(state: HostState): Promise<void> {
    const removed = await state.cgroupManager.sweep(this.isStale);
    const mounts = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''))
      .map((m) => m.mountPoint)
      .filter((p) => dirname(p) === state.stageRoot);
    for (const mountPoint of mounts)
      if (this.isStale(mountPoint.slice(state.stageRoot.length + 1)) && state.tools.umount)
        await execTool(state.tools.umount, ['-l', mountPoint]);
    const stale = (await readdir(state.stageRoot).catch(() => [])).filter(this.isStale);
    for (const name of stale) await rm(join(state.stageRoot, name), { recursive: true, force: true });
    if (removed.length || stale.length)
      this.logger.warn(
        `removed leftovers of interrupted runs: ${[...new Set([...removed, ...stale])].join(', ')}`,
      );
  }

  /** A `true` through the real path, so a host that cannot create the namespaces fails at start-up. */
  private async selfTest(state: HostState): Promise<void> {
    const probe = join(state.stageRoot, `selftest.${process.pid}.${++runSeq}`);
    await mkdir(probe, { recursive: true, mode: 0o755 });
    try {
      const result = await this.execute(state, {
        runId: 'selftest',
        codeDir: probe,
        mounts: [],
        outputDir: join(probe, 'out'),
        command: ['true'],
        env: {},
        limits: { cpus: 1, memoryMb: 64, pids: 16, diskMb: 1, runTimeoutSeconds: 30, maxLogBytes: 4096 },
      });
      if (result.status !== 'succeeded')
        throw new SandboxRuntimeError(
          `the sandbox self-test ended ${result.status}: ${result.notes.join('; ')}`,
        );
    } finally {
      await rm(probe, { recursive: true, force: true });
    }
  }

  async run(spec: RunSpec, hooks: RunHooks = {}): Promise<RunResult> {
    const valid = validateRunSpec(spec);
    if (hooks.signal?.aborted) return this.notStarted('cancelled', 'cancelled before it started');
    const state = await this.host();
    return this.execute(state, valid, hooks);
  }

  private notStarted(status: RunStatus, note: string): RunResult {
    const now = new Date();
    return {
      status,
      exitCode: null,
      signal: null,
      startedAt: now,
      finishedAt: now,
      usage: { cpuSeconds: 0, maxMemoryMb: 0, wallSeconds: 0 },
      logTruncated: false,
      notes: [note],
    };
  }

  private async execute(state: HostState, spec: ValidRunSpec, hooks: RunHooks = {}): Promise<RunResult> {
    const name = `${spec.runId}.${process.pid}.${++runSeq}`;

    const { limits } = spec;
    const tmpBytes = this.options.tmpMb * MiB;
    const diskBytes = limits.diskMb * MiB;
    const handles: FileHandle[] = [];
    const notes: string[] = [];
    const stageDir = join(state.stageRoot, name);
    let cgroup: RunCgroup | null = null;
    let cgroupEmptied = false;
    let failure: unknown = null;

    try {
      // only the directories themselves must be usable by the sandbox user: the wrapper binds them as root
      const inputs = [
        ['codeDir', spec.codeDir],
        ...spec.mounts.map((m) => [`mount ${m.sandboxPath}`, m.hostPath]),
      ];
      for (const [what, path] of inputs) {
        const why = await unreachableReason(path, state.user, { ancestors: false });
        if (why) throw new SandboxRuntimeError(`${what} ${path} cannot be mounted: ${why}`);
      }
      // fast path: when the sandbox user can reach every input by path, bubblewrap binds them directly
      // and the private mount namespace (one unshare and a mount per input) is not needed
      let direct = !state.mountRoot;
      if (!direct && state.stageReachable) {
        direct = true;
        for (const [, path] of inputs)
          if (await unreachableReason(path, state.user)) {
            direct = false;
            break;
          }
      }
      const seccompFh = state.seccompFile ? await open(state.seccompFile, 'r') : null;
      if (seccompFh) handles.push(seccompFh);
      await mkdir(stageDir, { mode: 0o700 });

      const memoryBytes = (limits.memoryMb + limits.diskMb) * MiB + 2 * tmpBytes;
      try {
        cgroup = await this.takeCgroup(state, name, { memoryBytes, pids: limits.pids, cpus: limits.cpus });
      } catch (err) {
        throw new SandboxRuntimeError(`cannot create the run's cgroup: ${(err as Error).message}`, {
          cause: err,
        });
      }
      // per process; the CFS quota keeps a process below cpus × wall clock, so with the cpu controller this
      // never fires before the wall clock: it is the CPU bound of hosts without cgroups. Soft = hard, as the
      // command is its namespace's pid 1, which ignores SIGXCPU: the kernel then sends SIGKILL.
      const cpuLimit = Math.ceil(limits.cpus * limits.runTimeoutSeconds) + 1;
      const rlimits: Rlimits = {
        cpuSoftSeconds: cpuLimit,
        cpuHardSeconds: cpuLimit,
        nproc: cgroup?.enforcesPids ? Math.max(SHARED_NPROC, limits.pids) : limits.pids,
        fsizeBytes: Math.max(diskBytes, tmpBytes),
        nofile: NOFILE,
        asBytes: cgroup?.enforcesMemory ? undefined : Math.max(limits.memoryMb * MiB, 256 * MiB),
      };
      const plan: BwrapPlan = {
        tools: state.tools,
        user: state.user,
        cgroupProcsFiles: cgroup?.procsFiles ?? [],
        codeDir: spec.codeDir,
        outputDir: stageDir,
        outputTmpfs: state.root
          ? { sizeBytes: diskBytes, inodes: Math.min(1_000_000, Math.max(4096, limits.diskMb * 64)) }
          : null,
        mountRoot: direct ? null : state.mountRoot,
        rlimits,
        tmpBytes,
        shmBytes: tmpBytes,
        mounts: spec.mounts,
        seccomp: !!seccompFh,
        env: spec.env,
        command: spec.command,
        host: state.layout,
        hostname: this.options.hostname ?? 'sandbox',
      };
      const { file, args } = wrapperCommand(plan);
      const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', 'ignore', 'pipe', seccompFh?.fd ?? 'ignore'];
      if (hooks.signal?.aborted) return this.notStarted('cancelled', 'cancelled before it started');

      const startedAt = new Date();
      const t0 = process.hrtime.bigint();
      const logs = new LogCapture(limits.maxLogBytes, hooks.onLog);
      const sup = await this.supervise(
        spawn(file, args, {
          cwd: '/',
          detached: true,
          stdio,
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        }),
        spec,
        cgroup,
        logs,
        hooks.signal,
        state.root ? null : stageDir,
      );
      const finishedAt = new Date();
      const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
      for (const fh of handles.splice(0)) await fh.close().catch(() => undefined);

      let stats: CgroupStats | null = null;
      if (cgroup) {
        try {
          await cgroup.empty(CGROUP_EMPTY_TIMEOUT_MS);
          cgroupEmptied = true;
          stats = await cgroup.stats();
        } catch (err) {
          throw new SandboxRuntimeError(
            `processes of run ${spec.runId} survived it: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
      }

      // classify
      let exitCode: number | null = null;
      let signal: string | null = null;
      if (sup.exitCode !== null) {
        const sig = sup.exitCode > 128 ? signalName(sup.exitCode - 128) : null;
        if (sig) signal = sig;
        else exitCode = sup.exitCode;
      } else if (sup.reason) {
        signal = 'SIGKILL';
      }
      const oomKills = stats?.oomKills ?? 0;
      let status: RunStatus;
      if (sup.reason === 'cancel') status = 'cancelled';
      else if (sup.reason === 'timeout') status = 'timed_out';
      else if (oomKills > 0 && exitCode !== 0) status = 'oom';
      else if (
        signal === 'SIGXCPU' ||
        (signal === 'SIGKILL' && stats?.cpuSeconds != null && stats.cpuSeconds >= cpuLimit * 0.95)
      ) {
        status = 'timed_out';
        notes.push(`CPU time limit of ${cpuLimit} s per process reached`);
      } else if (sup.exitCode === null) {
        const lastLine = sup.stderrTail.trim().split('\n').pop() ?? '';
        if (sup.childPid !== null && /^bwrap: execvp /.test(lastLine)) {
          status = 'failed';
          exitCode = 127;
          notes.push(`command not found: ${lastLine.replace(/^bwrap: execvp /, '')}`);
        } else {
          const stage =
            sup.wrapperCode === WRAPPER_EXIT.cgroup
              ? 'joining the cgroup'
              : sup.wrapperCode === WRAPPER_EXIT.mount
                ? 'mounting /output'
                : sup.wrapperCode === WRAPPER_EXIT.bind
                  ? 'binding the inputs'
                  : 'setting up the sandbox';
          throw new SandboxRuntimeError(
            `sandbox of run ${spec.runId} failed while ${stage} (exit ${sup.wrapperCode}): ${sup.stderrTail.trim()}`,
          );
        }
      } else status = exitCode === 0 ? 'succeeded' : 'failed';

      if (sup.reason === 'timeout') notes.push(`wall-clock limit of ${limits.runTimeoutSeconds} s reached`);
      if (sup.reason === 'disk') notes.push(`output disk quota of ${limits.diskMb} MiB exceeded`);
      if (oomKills > 0) notes.push(`memory limit reached: ${oomKills} process(es) killed`);
      if ((stats?.pidsLimitHits ?? 0) > 0)
        notes.push(`process limit of ${limits.pids} reached (${stats!.pidsLimitHits} refused forks)`);
      if (logs.truncated)
        notes.push(`log truncated at ${limits.maxLogBytes} bytes (${logs.droppedBytes} bytes dropped)`);
      if (!stats || stats.cpuSeconds === null) notes.push('CPU time not measured (no cpuacct cgroup)');

      const copied = await this.collectOutput(state, stageDir, spec.outputDir, diskBytes);
      if (copied.full) notes.push(`output disk quota of ${limits.diskMb} MiB reached`);
      if (copied.skipped.length) notes.push(`outputs not copied: ${copied.skipped.join(', ')}`);

      return {
        status,
        exitCode,
        signal,
        startedAt,
        finishedAt,
        usage: {
          cpuSeconds: Math.round((stats?.cpuSeconds ?? 0) * 1000) / 1000,
          maxMemoryMb: Math.round(((stats?.maxMemoryBytes ?? 0) / MiB) * 10) / 10,
          wallSeconds: Math.round(wallSeconds * 1000) / 1000,
        },
        logTruncated: logs.truncated,
        notes,
      };
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      for (const fh of handles) await fh.close().catch(() => undefined);
      const runCgroup = cgroup;
      if (runCgroup && !cgroupEmptied)
        await runCgroup.empty(CGROUP_EMPTY_TIMEOUT_MS).catch((err: Error) => {
          this.logger.error(`run ${name}: cgroup cleanup failed: ${err.message}`);
        });
      // the result does not wait for the /output tmpfs to be unmounted (a process spawn) nor for the
      // cgroups to be removed (slow in the kernel): the run's processes are gone (the cgroups are
      // empty) and its outputs copied by now. drain() waits for these; a crashed worker's leftovers
      // are swept at the next start.
      const cleanup = Promise.all([
        this.removeStage(state, stageDir).catch((err: Error) => {
          this.logger.error(`run ${name}: /output staging cleanup failed: ${err.message}`);
        }),
        runCgroup?.remove().catch((err: Error) => {
          this.logger.error(`run ${name}: cgroup removal failed: ${err.message}`);
        }),
      ]).then(() => undefined);
      this.pendingCleanups.add(cleanup);
      void cleanup.finally(() => this.pendingCleanups.delete(cleanup));
      if (failure) await cleanup;
    }
  }

  /**
   * A cgroup for a run: the spare created after the previous run (creating cgroups, memory ones above
   * all, is the slowest step of a short run), else a new one; then the next spare is prepared in the
   * background. Spares are named `spare.<pid>.<seq>` and swept like run cgroups after a crash.
   */
  private async takeCgroup(state: HostState, name: string, limits: CgroupLimits): Promise<RunCgroup | null> {
    const spare = this.spare;
    this.spare = null;
    let cgroup = spare ? await spare.catch(() => null) : null;
    if (cgroup) await cgroup.setLimits(limits);
    else cgroup = await state.cgroupManager.create(name, limits);
    // another run may have prepared one while this one waited: never replace (leak) it
    if (cgroup && !this.spare) {
      const next = state.cgroupManager
        .create(`spare.${process.pid}.${++runSeq}`, SPARE_LIMITS)
        .catch((err: Error) => {
          this.logger.warn(`could not prepare a spare cgroup: ${err.message}`);
          return null;
        });
      this.spare = next;
    }
    return cgroup;
  }

  /** Waits until the staging of every finished run is unmounted and removed (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.pendingCleanups.size) await Promise.all([...this.pendingCleanups]);
  }

  /** drain(), then ends the unmount helper (the driver restarts it when used again). */
  async close(): Promise<void> {
    await this.drain();
    const spare = await this.spare?.catch(() => null);
    this.spare = null;
    await spare?.remove().catch(() => undefined);
    const state = await this.ready?.catch(() => undefined);
    state?.umounter?.close();
  }

  /** Waits for the sandbox to end, enforcing the wall clock, cancellation and (non-root) the disk quota. */
  private supervise(
    child: ChildProcess,
    spec: ValidRunSpec,
    cgroup: RunCgroup | null,
    logs: LogCapture,
    abort: AbortSignal | undefined,
    pollDir: string | null,
  ): Promise<Supervision> {
    return new Promise<Supervision>((resolve, reject) => {
      const sup: Supervision = {
        exitCode: null,
        childPid: null,
        wrapperCode: null,
        reason: null,
        stderrTail: '',
      };
      const timers: NodeJS.Timeout[] = [];
      let statusText = '';
      let settled = false;

      const killSandbox = (pid1: number) => {
        kill(pid1);
        if (cgroup) void cgroup.killAll(child.pid);
      };
      const killTree = (reason: KillReason) => {
        if (sup.reason || settled) return;
        sup.reason = reason;
        // kill the sandbox's pid 1 first: the kernel then kills its whole pid namespace, and the outer
        // bubblewrap reaps it and exits (killing the outer one first would orphan pid 1 as a zombie).
        // Before bubblewrap has reported pid 1, the kill happens as soon as it does (parseStatus).
        if (sup.childPid) killSandbox(sup.childPid);
        // last resort: the wrapper's whole process group
        const t = setTimeout(() => child.pid && kill(-child.pid), KILL_GRACE_MS);
        t.unref();
        timers.push(t);
      };

      const parseStatus = (chunk: Buffer) => {
        statusText += chunk.toString('utf8');
        let nl: number;
        while ((nl = statusText.indexOf('\n')) >= 0) {
          const line = statusText.slice(0, nl).trim();
          statusText = statusText.slice(nl + 1);
          if (!line) continue;
          try {
            const doc = JSON.parse(line) as Record<string, unknown>;
            if (typeof doc['child-pid'] === 'number') {
              sup.childPid = doc['child-pid'];
              if (sup.reason) killSandbox(sup.childPid);
            }
            if (typeof doc['exit-code'] === 'number') sup.exitCode = doc['exit-code'];
          } catch {
            // not JSON: ignore
          }
        }
      };

      (child.stdio[4] as Readable | null)?.on('data', parseStatus);
      child.stdout?.on('data', (c: Buffer) => logs.push('stdout', c));
      child.stderr?.on('data', (c: Buffer) => {
        logs.push('stderr', c);
        sup.stderrTail = (sup.stderrTail + c.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });

      const timeout = setTimeout(() => killTree('timeout'), spec.limits.runTimeoutSeconds * 1000);
      timers.push(timeout);
      const onAbort = () => killTree('cancel');
      abort?.addEventListener('abort', onAbort, { once: true });
      if (pollDir) {
        const limit = spec.limits.diskMb * MiB;
        let busy = false;
        const poll = setInterval(() => {
          if (busy) return;
          busy = true;
          void directorySize(pollDir, limit)
            .then((size) => size > limit && killTree('disk'))
            .finally(() => (busy = false));
        }, DISK_POLL_MS);
        timers.push(poll);
      }

      const finish = (code: number | null) => {
        if (settled) return;
        settled = true;
        timers.forEach((t) => clearTimeout(t));
        timers.forEach((t) => clearInterval(t));
        abort?.removeEventListener('abort', onAbort);
        if (statusText.trim()) parseStatus(Buffer.from('\n'));
        sup.wrapperCode = code;
        resolve(sup);
      };
      child.once('error', (err) => {
        if (settled) return;
        settled = true;
        timers.forEach((t) => clearTimeout(t));
        abort?.removeEventListener('abort', onAbort);
        reject(new SandboxRuntimeError(`cannot start the sandbox: ${err.message}`, { cause: err }));
      });
      child.once('exit', (code) => {
        // the pipes close when the last process holding them is gone; do not wait forever for that
        const t = setTimeout(() => {
          for (const s of child.stdio) (s as Readable | null)?.destroy();
          finish(code);
        }, PIPE_DRAIN_MS);
        t.unref();
        timers.push(t);
      });
      child.once('close', (code) => finish(code));
    });
  }

  /** Copies the run's /output into `outputDir` (regular files and directories only). */
  private async collectOutput(
    state: HostState,
    stageDir: string,
    outputDir: string,
    maxBytes: number,
  ): Promise<{ skipped: string[]; full: boolean }> {
    let full = false;
    if (state.root) {
      const [inner, outer] = await Promise.all([stat(stageDir), stat(state.stageRoot)]);
      if (inner.dev === outer.dev)
        throw new SandboxRuntimeError(`/output tmpfs of ${stageDir} is not mounted`);
      const fs = await statfs(stageDir);
      full = fs.bavail === 0 || fs.ffree === 0;
    }
    const copied = await copyOutTree(stageDir, outputDir, maxBytes);
    return { skipped: copied.skipped, full };
  }

  private async removeStage(state: HostState, stageDir: string): Promise<void> {
    const st = await stat(stageDir).catch(() => null);
    if (!st) return;
    if (state.root && state.umounter) {
      const parent = await stat(state.stageRoot);
      if (st.dev !== parent.dev) {
        const r = await state.umounter!.unmount(stageDir);
        if (r.code !== 0) throw new Error(`umount ${stageDir}: ${r.stderr.trim() || `exit ${r.code}`}`);
      }
      await rmdir(stageDir);
    } else {
      await rm(stageDir, { recursive: true, force: true });
    }
  }
}
