/**
 * The sandbox runtime port: runs a company's code next to granted data with no network, read-only
 * inputs, a writable size-capped `/output` and resource limits. Callers (the runs and evaluation jobs)
 * inject {@link RUNTIME_DRIVER}; the adapter is chosen by `SANDBOX_DRIVER` (see docs/sandbox-runtime.md).
 *
 * Inside every run:
 * - `/code`: `codeDir`, read-only, the working directory;
 * - `/data/<name>/…`: each of `mounts`, read-only;
 * - `/output`: writable, capped at `limits.diskMb`; its regular files and directories end up in
 *   `outputDir` once the run is over (nothing else is copied: no symlinks, devices, FIFOs, sockets);
 * - `/tmp`: small private tmpfs; no network interface but a down loopback;
 * - environment: `PATH`, `HOME=/tmp`, `LANG=C.UTF-8` and `env`, nothing else.
 */
export const RUNTIME_DRIVER = Symbol('RUNTIME_DRIVER');

export type LogStream = 'stdout' | 'stderr';

export interface RunMount {
  /** Host directory (a materialized dataset view); mounted read-only. */
  hostPath: string;
  /** Absolute path under `/data`, e.g. `/data/ds1`. */
  sandboxPath: string;
}

export interface RunLimits {
  /** CPU share in cores (fractions allowed), enforced as a CFS quota where the cpu controller exists. */
  cpus: number;
  /** Memory of the run's processes in MiB (the RAM-backed file quotas come on top, see the docs). */
  memoryMb: number;
  /** Largest number of processes/threads alive at once (default 256). */
  pids?: number;
  /** Size of `/output` in MiB (hard cap: writes past it fail with ENOSPC). */
  diskMb: number;
  /** Wall-clock budget; the whole process tree is killed when it is over (status `timed_out`). */
  runTimeoutSeconds: number;
  /** stdout + stderr bytes delivered to `onLog`; the rest is dropped and `logTruncated` set. */
  maxLogBytes: number;
}

export interface RunSpec {
  /** Caller's id of the run (letters, digits, `-`, `_`, `.`; at most 64). */
  runId: string;
  /** Host directory with the extracted bundle; must be readable by others (mode o+rx). */
  codeDir: string;
  mounts: RunMount[];
  /** Host directory that receives the contents of `/output` after the run (created when missing). */
  outputDir: string;
  /** argv, resolved through PATH inside the sandbox (e.g. `['python3', 'main.py']`). */
  command: string[];
  /** Extra environment variables: an explicit allow-list, nothing is inherited. */
  env?: Record<string, string>;
  limits: RunLimits;
}

export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'oom';

export interface RunUsage {
  /** CPU time of every process of the run (user + system). */
  cpuSeconds: number;
  /** Peak memory of the run's cgroup in MiB (processes plus its RAM-backed /tmp and /output). */
  maxMemoryMb: number;
  /** Start to exit of the sandbox. */
  wallSeconds: number;
}

export interface RunResult {
  status: RunStatus;
  /** Exit code of the command; null when it was killed by a signal or never started. */
  exitCode: number | null;
  /** Name of the signal that ended the command (e.g. `SIGKILL`), or null. */
  signal: string | null;
  startedAt: Date;
  finishedAt: Date;
  usage: RunUsage;
  logTruncated: boolean;
  /** Human-readable reasons the runtime noticed (limits reached, skipped outputs…), for the run record. */
  notes: string[];
}

export interface RunHooks {
  /** Chunks of the command's output in arrival order, at most `limits.maxLogBytes` in total. */
  onLog?(stream: LogStream, chunk: Buffer): void;
  /** Aborting kills the whole process tree; the run then ends `cancelled`. */
  signal?: AbortSignal;
}

export interface RuntimeDriver {
  /** `bwrap` or `kubernetes`. */
  readonly name: string;
  /**
   * Runs the command to completion and cleans up (nothing of the run is left running). Resolves with
   * the outcome, including the command's own failures; rejects only when the spec is invalid
   * ({@link InvalidRunSpecError}) or the sandbox itself could not be set up ({@link SandboxRuntimeError}).
   */
  run(spec: RunSpec, hooks?: RunHooks): Promise<RunResult>;
  /** Ends background work (pending cleanups, prepared resources) at shutdown; runs may not be in flight. */
  close?(): Promise<void>;
}

/** Default of {@link RunLimits.pids}. */
export const DEFAULT_PIDS_LIMIT = 256;
