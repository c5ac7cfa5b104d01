import { ChildProcess, spawn, StdioOptions } from 'node:child_process';
import {
  chmod,
  chown,
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
import { validateRunSpec, ValidRunSpec } from '../run-spec.validation';
import { RunHooks, RunResult, RunSpec, RunStatus, RuntimeDriver } from '../runtime-driver.port';
import { SandboxRuntimeError } from '../runtime.errors';
import { BwrapPlan, HostLayout, Rlimits, ShellLimits, WRAPPER_EXIT, wrapperCommand } from './bwrap-command';
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
  probeShellLimits,
  SandboxUser,
  unreachableReason,
  untrustedPathReason,
} from './host-tools';
import { buildSeccompFilter } from './seccomp-filter';
import { MountHelper } from './mount-helper';

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
/** Per process, shared by every driver instance: run names (cgroups, staging) never collide. */
let runSeq = 0;
/**
 * Root mode: each run folder gets a group id of its own, `RUN_GID_BASE + slot`, and is searchable by that
 * group only; the run's processes have that group (and no other), so while it lasts, a run's inputs are
 * reachable by path from that run alone, not from another sandbox. Numeric only, no /etc/group entry.
 */
const RUN_GID_BASE = 1_700_000_000;
const RUN_SLOTS = 65_536;

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
   * Root mode: root-owned folder (0711) of the per-run folders `<slot>/{code,output,data/<i>}` where the
   * driver binds a run's inputs and mounts its /output tmpfs; default `/run/aihub-sandbox`. Shared by every
   * driver on the host (slots are taken with an exclusive mkdir).
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
  tools: BwrapPlan['tools'] & { umount?: string; mount?: string };
  cgroupManager: CgroupManager;
  seccompFile: string | null;
  /** Not root: where each run's /output is staged. */
  stageRoot: string;
  /** Root: where the per-run folders are. */
  mountRoot: string | null;
  mounter: MountHelper | null;
  /**
   * Root with cgroup v1: the wrapper is started as the sandbox user (run cgroups' procs files are given to
   * it) and sets the limits with `ulimit` as this host's sh spells them; null: root wrapper, prlimit, setpriv.
   */
  shellLimits: ShellLimits | null;
  layout: HostLayout;
}

/**
 * Root mode: a run's folder `<mountRoot>/<slot>` (root, group `gid`, 0710) with its /output tmpfs mounted
 * at `output` (size and inodes as `tmpfsOptions`) and, once the run starts, its inputs bound at `code` and
 * `data/<i>`. Prepared ahead of time (a spare), so a run pays only for its binds.
 */
interface RunFolder {
  path: string;
  gid: number;
  tmpfsOptions: string;
  mounted: string[];
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
  /** the limits the spare cgroup was created with (those of the run before: usually the same quota) */
  private spareLimits = '';
  private spareFolder: Promise<RunFolder | null> | null = null;
  private nextSlot = Math.floor(Math.random() * RUN_SLOTS);

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
      for (const t of ['setpriv', 'mount', 'umount'] as const) {
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

    await mkdir(this.options.workDir, { recursive: true, mode: 0o700 });
    const stageRoot = join(this.options.workDir, 'stage');
    await mkdir(stageRoot, { recursive: true, mode: 0o700 });
    const mountRoot = root ? await this.prepareMountRoot(this.options.mountRoot ?? DEFAULT_MOUNT_ROOT) : null;

    const shellLimits = root && user && manager.selfJoin ? await probeShellLimits() : null;

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
      mounter: root
        ? new MountHelper({ mount: tools.mount!, umount: tools.umount!, perl: await findTool('perl') })
        : null,
      shellLimits,
      layout: await detectHostLayout(),
    };
    await this.sweepLeftovers(state);
    await this.selfTest(state);
    this.logger.log(
      `bubblewrap sandboxes ready: ${user ? `user ${user.name} (uid ${user.uid})` : 'current user'}, cgroups ${
        manager.kind
      }${manager.controllers.length ? ` (${manager.controllers.join(', ')})` : ''}, seccomp ${seccompFile ? 'on' : 'off'}${
        state.mounter ? `, mounts by ${state.mounter.kind === 'perl' ? 'system call' : 'util-linux'}` : ''
      }${root ? `, limits by ${shellLimits ? 'the wrapper shell (started as the sandbox user)' : 'prlimit + setpriv'}` : ''}`,
    );
    return state;
  }

  /** Creates (once per host) the root of the run folders and checks that only root can change it. */
  private async prepareMountRoot(mountRoot: string): Promise<string> {
    await mkdir(mountRoot, { recursive: true, mode: 0o711 });
    const why = await untrustedPathReason(mountRoot);
    if (why) throw new SandboxRuntimeError(`sandbox run folders under ${mountRoot}: ${why}`);
    const st = await stat(mountRoot);
    // searchable, never listable, by the sandbox user: run folders are reached by name only
    if ((st.mode & 0o777) !== 0o711) await chmod(mountRoot, 0o711);
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
    const folders = state.mountRoot ? await this.sweepRunFolders(state, state.mountRoot) : [];
    if (removed.length || stale.length || folders.length)
      this.logger.warn(
        `removed leftovers of interrupted runs: ${[...new Set([...removed, ...stale, ...folders])].join(', ')}`,
      );
  }

  /**
   * Run folders whose owner process is gone: everything mounted below them is unmounted (lazily), then
   * the folders are removed with rmdir only, so a bind that would not go away never loses its source.
   */
  private async sweepRunFolders(state: HostState, mountRoot: string): Promise<string[]> {
    const swept: string[] = [];
    const mountInfo = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
    for (const slot of await readdir(mountRoot).catch(() => [] as string[])) {
      const path = join(mountRoot, slot);
      if (!/^\d+$/.test(slot)) {
        // the fixed, empty mount points of earlier versions (code, output, data/<i>)
        await rmdirTree(path, 2);
        continue;
      }
      const owner = Number(await readFile(join(path, OWNER_FILE), 'utf8').catch(() => ''));
      if (owner === process.pid || (owner > 0 && isAlive(owner))) continue;
      const below = mountInfo
        .map((m) => m.mountPoint)
        .filter((p) => p.startsWith(`${path}/`))
        .sort((a, b) => b.length - a.length);
      const folder: RunFolder = { path, gid: 0, tmpfsOptions: '', mounted: below };
      await this.releaseFolder(state, folder).catch((err: Error) =>
        this.logger.error(`leftover run folder ${path}: ${err.message}`),
      );
      swept.push(slot);
    }
    return swept;
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
    let stageDir = join(state.stageRoot, name);
    let folder: RunFolder | null = null;
    let cgroup: RunCgroup | null = null;
    let cgroupEmptied = false;
    let failure: unknown = null;

    try {
      // only the directories themselves must be usable by the sandbox user: the driver binds them as root
      const inputs = [
        ['codeDir', spec.codeDir],
        ...spec.mounts.map((m) => [`mount ${m.sandboxPath}`, m.hostPath]),
      ];
      // root mode: the run has a group of its own, so a directory readable only by the sandbox user's group
      // would not be readable in the run
      const reader = state.mountRoot && state.user ? { ...state.user, gid: -1 } : state.user;
      for (const [what, path] of inputs) {
        const why = await unreachableReason(path, reader);
        if (why) throw new SandboxRuntimeError(`${what} ${path} cannot be mounted: ${why}`);
      }
      const seccompFh = state.seccompFile ? await open(state.seccompFile, 'r') : null;
      if (seccompFh) handles.push(seccompFh);
      const inodes = Math.min(1_000_000, Math.max(4096, limits.diskMb * 64));
      if (state.mountRoot) {
        folder = await this.takeFolder(state, `size=${diskBytes},nr_inodes=${inodes}`);
        await this.bindInputs(state, folder, spec);
        stageDir = join(folder.path, 'output');
      } else {
        await mkdir(stageDir, { mode: 0o700 });
      }

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
        user: folder && state.user ? { ...state.user, gid: folder.gid } : state.user,
        cgroupProcsFiles: cgroup?.procsFiles ?? [],
        shellLimits: state.shellLimits,
        codeDir: folder ? join(folder.path, 'code') : spec.codeDir,
        outputDir: stageDir,
        rlimits,
        tmpBytes,
        shmBytes: tmpBytes,
        mounts: folder
          ? spec.mounts.map((m, i) => ({
              hostPath: join(folder!.path, 'data', String(i)),
              sandboxPath: m.sandboxPath,
            }))
          : spec.mounts,
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
      // started as the sandbox user already when the shell sets the limits (no root process in the run)
      const asUser = state.shellLimits && plan.user ? { uid: plan.user.uid, gid: plan.user.gid } : {};
      const sup = await this.supervise(
        spawn(file, args, {
          cwd: '/',
          detached: true,
          stdio,
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
          ...asUser,
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
              : sup.wrapperCode === WRAPPER_EXIT.limits
                ? 'setting the limits'
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

      const copied = await this.collectOutput(stageDir, folder?.path ?? null, spec.outputDir, diskBytes);
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
      const runFolder = folder;
      const cleanup = Promise.all([
        (runFolder
          ? this.releaseFolder(state, runFolder)
          : rm(stageDir, { recursive: true, force: true })
        ).catch((err: Error) => {
          this.logger.error(`run ${name}: run folder cleanup failed: ${err.message}`);
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
    const spareLimits = this.spareLimits;
    this.spare = null;
    const wanted = JSON.stringify(limits);
    let cgroup = spare ? await spare.catch(() => null) : null;
    const joiner = state.shellLimits && state.user ? { uid: state.user.uid, gid: state.user.gid } : undefined;
    if (cgroup && spareLimits !== wanted) await cgroup.setLimits(limits);
    else if (!cgroup) cgroup = await state.cgroupManager.create(name, limits, joiner);
    // another run may have prepared one while this one waited: never replace (leak) it
    if (cgroup && !this.spare) {
      this.spareLimits = wanted;
      this.spare = state.cgroupManager
        .create(`spare.${process.pid}.${++runSeq}`, limits, joiner)
        .catch((err: Error) => {
          this.logger.warn(`could not prepare a spare cgroup: ${err.message}`);
          return null;
        });
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
    const folder = await this.spareFolder?.catch(() => null);
    this.spareFolder = null;
    if (state && folder) await this.releaseFolder(state, folder).catch(() => undefined);
    state?.mounter?.close();
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
    stageDir: string,
    folderPath: string | null,
    outputDir: string,
    maxBytes: number,
  ): Promise<{ skipped: string[]; full: boolean }> {
    let full = false;
    if (folderPath) {
      const [inner, outer] = await Promise.all([stat(stageDir), stat(folderPath)]);
      if (inner.dev === outer.dev)
        throw new SandboxRuntimeError(`/output tmpfs of ${stageDir} is not mounted`);
      const fs = await statfs(stageDir);
      full = fs.bavail === 0 || fs.ffree === 0;
    }
    const copied = await copyOutTree(stageDir, outputDir, maxBytes);
    return { skipped: copied.skipped, full };
  }

  /**
   * A run folder with its /output tmpfs of `tmpfsOptions`: the spare prepared after the previous run when
   * there is one (remounted if its size differs), else a new one; then the next spare is prepared in the
   * background.
   */
  private async takeFolder(state: HostState, tmpfsOptions: string): Promise<RunFolder> {
    const spare = this.spareFolder;
    this.spareFolder = null;
    let folder = spare ? await spare.catch(() => null) : null;
    if (folder && folder.tmpfsOptions !== tmpfsOptions) {
      const code = await state.mounter!.request({
        op: 'remount-tmpfs',
        options: tmpfsOptions,
        target: join(folder.path, 'output'),
      });
      if (code === 0) folder.tmpfsOptions = tmpfsOptions;
      else {
        void this.releaseFolder(state, folder).catch(() => undefined);
        folder = null;
      }
    }
    folder ??= await this.createFolder(state, tmpfsOptions);
    if (!this.spareFolder)
      this.spareFolder = this.createFolder(state, tmpfsOptions).catch((err: Error) => {
        this.logger.warn(`could not prepare a spare run folder: ${err.message}`);
        return null;
      });
    return folder;
  }

  /** Takes a free slot (exclusive mkdir), makes its mount points and mounts the /output tmpfs. */
  private async createFolder(state: HostState, tmpfsOptions: string): Promise<RunFolder> {
    const root = state.mountRoot!;
    const user = state.user!;
    for (let tries = 0; tries < RUN_SLOTS; tries++) {
      const slot = this.nextSlot;
      this.nextSlot = (this.nextSlot + 1) % RUN_SLOTS;
      const path = join(root, String(slot));
      try {
        await mkdir(path, { mode: 0o700 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      }
      const folder: RunFolder = { path, gid: RUN_GID_BASE + slot, tmpfsOptions, mounted: [] };
      try {
        await writeFile(join(path, OWNER_FILE), String(process.pid), { mode: 0o600 });
        for (const dir of ['code', 'output', 'data']) await mkdir(join(path, dir), { mode: 0o755 });
        const output = join(path, 'output');
        const code = await state.mounter!.request({
          op: 'tmpfs',
          options: `${tmpfsOptions},mode=0700,uid=${user.uid},gid=${folder.gid}`,
          target: output,
        });
        if (code !== 0) throw new Error(`mounting the /output tmpfs on ${output} failed (error ${code})`);
        folder.mounted.push(output);
        // only the run's own group may enter; nobody but root may change anything here
        await chown(path, 0, folder.gid);
        await chmod(path, 0o710);
        return folder;
      } catch (err) {
        await this.releaseFolder(state, folder).catch(() => undefined);
        throw err;
      }
    }
    throw new SandboxRuntimeError(`no free run folder under ${root}`);
  }

  /** Binds the bundle at `code` and each granted view at `data/<i>` of the run folder. */
  private async bindInputs(state: HostState, folder: RunFolder, spec: ValidRunSpec): Promise<void> {
    const binds = [
      { source: spec.codeDir, target: join(folder.path, 'code') },
      ...spec.mounts.map((m, i) => ({ source: m.hostPath, target: join(folder.path, 'data', String(i)) })),
    ];
    for (const [i, b] of binds.entries()) {
      if (i > 0) await mkdir(b.target, { mode: 0o755 });
      const code = await state.mounter!.request({ op: 'bind', ...b });
      if (code !== 0)
        throw new SandboxRuntimeError(`binding ${b.source} for the sandbox failed (error ${code})`);
      folder.mounted.unshift(b.target);
    }
  }

  /** Unmounts what is mounted in a run folder (innermost first), then removes it with rmdir only. */
  private async releaseFolder(state: HostState, folder: RunFolder): Promise<void> {
    for (const target of [...folder.mounted]) {
      const code = await state.mounter!.request({ op: 'umount', target });
      if (code !== 0) throw new Error(`umount ${target} failed (error ${code})`);
      folder.mounted.splice(folder.mounted.indexOf(target), 1);
    }
    const data = join(folder.path, 'data');
    for (const d of await readdir(data).catch(() => [] as string[])) await rmdir(join(data, d));
    for (const dir of ['data', 'code', 'output']) await rmdir(join(folder.path, dir)).catch(ignoreMissing);
    await rm(join(folder.path, OWNER_FILE), { force: true });
    await rmdir(folder.path).catch(ignoreMissing);
  }
}

const OWNER_FILE = '.owner';

/** Removes empty directories up to `depth` levels deep with rmdir (never a file, never a mount's content). */
async function rmdirTree(path: string, depth: number): Promise<void> {
  if (depth > 1)
    for (const d of await readdir(path).catch(() => [] as string[]))
      await rmdirTree(join(path, d), depth - 1);
  await rmdir(path).catch(() => undefined);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
