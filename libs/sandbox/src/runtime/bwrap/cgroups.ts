import { constants, readFileSync, writeFileSync } from 'node:fs';
import { access, chown, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Per-run control groups: one child cgroup `aihub/<name>` per run in every hierarchy the run needs.
 * cgroup v1 (this machine kind): memory, pids, cpu and cpuacct hierarchies; cgroup v2: one unified
 * directory with memory, pids and cpu enabled. The sandbox wrapper joins the run by writing its own pid
 * to every `cgroup.procs` of {@link RunCgroup.procsFiles} before it executes bubblewrap, so every
 * process of the run is born inside.
 */

export type CgroupKind = 'v1' | 'v2' | 'none';

export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
  /** CPU share in cores; omitted = no CPU quota. */
  cpus?: number;
}

export interface CgroupStats {
  cpuSeconds: number | null;
  maxMemoryBytes: number | null;
  oomKills: number;
  pidsLimitHits: number;
}

export interface RunCgroup {
  readonly name: string;
  /** Files the wrapper writes `$$` into. */
  readonly procsFiles: string[];
  readonly enforcesMemory: boolean;
  readonly enforcesPids: boolean;
  stats(): Promise<CgroupStats>;
  pids(): Promise<number[]>;
  /** SIGKILL every process in the run (except `keep`), through cgroup.kill where the kernel has it. */
  killAll(keep?: number): Promise<void>;
  /** Sets (or changes, before anything joined) the limits. */
  setLimits(limits: CgroupLimits): Promise<void>;
  /** Waits for the run to be empty, killing stragglers; throws when processes survive `timeoutMs`. */
  empty(timeoutMs: number): Promise<void>;
  /** Removes the (empty) directories. */
  remove(): Promise<void>;
  /** empty() then remove(). */
  destroy(timeoutMs: number): Promise<void>;
}

/** Who may move itself into a run cgroup (cgroup v1): its `cgroup.procs` files are given to this owner. */
export interface CgroupJoiner {
  uid: number;
  gid: number;
}

export interface CgroupManager {
  readonly kind: CgroupKind;
  readonly controllers: string[];
  /**
   * Whether an unprivileged process can join a run cgroup by writing its own pid to a `cgroup.procs` it
   * owns (v1). cgroup v2's delegation rules also want write access to the common ancestor: root only.
   */
  readonly selfJoin: boolean;
  create(name: string, limits: CgroupLimits, joiner?: CgroupJoiner): Promise<RunCgroup | null>;
  /** Removes leftover run cgroups for which `isStale(name)` holds (after a crash). */
  sweep(isStale: (name: string) => boolean): Promise<string[]>;
}

const PARENT = 'aihub';
const V1_CONTROLLERS = ['memory', 'pids', 'cpu', 'cpuacct'] as const;
const CFS_PERIOD_US = 100_000;

interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

const unescapeMountPath = (p: string) =>
  p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 3) continue;
    entries.push({
      mountPoint: unescapeMountPath(left[4]),
      fsType: right[0],
      superOptions: right[2].split(','),
    });
  }
  return entries;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Control files are read and written synchronously: they are kernel pseudo-files (microseconds), and on
 * a run's path the thread pool is often busy with the previous run's cgroup removal, which the kernel
 * makes slow; queueing behind it cost several milliseconds per run.
 */
const readText = async (file: string): Promise<string> => readFileSync(file, 'utf8');
const writeText = async (file: string, text: string): Promise<void> => writeFileSync(file, text);

async function readNumber(file: string): Promise<number | null> {
  try {
    const n = Number((await readText(file)).trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** `key value` lines (memory.events, pids.events, memory.oom_control, cpu.stat). */
async function readKeyed(file: string, key: string): Promise<number | null> {
  try {
    const text = await readText(file);
    const m = new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function readPids(file: string): Promise<number[]> {
  try {
    return (await readText(file))
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

const exists = (p: string) =>
  access(p, constants.F_OK).then(
    () => true,
    () => false,
  );

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function removeDir(dir: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // EBUSY: tasks that just exited are still being detached from the cgroup
      if (code !== 'EBUSY' || Date.now() > deadline) throw err;
      await sleep(2);
    }
  }
}

abstract class BaseRunCgroup implements RunCgroup {
  abstract readonly procsFiles: string[];
  abstract readonly enforcesMemory: boolean;
  abstract readonly enforcesPids: boolean;
  protected abstract readonly dirs: string[];
  constructor(readonly name: string) {}
  abstract stats(): Promise<CgroupStats>;

  async pids(): Promise<number[]> {
    const all = await Promise.all(this.procsFiles.map(readPids));
    return [...new Set(all.flat())];
  }

  async killAll(keep?: number): Promise<void> {
    for (const pid of await this.pids()) if (pid !== keep) killPid(pid);
  }

  abstract setLimits(limits: CgroupLimits): Promise<void>;

  async empty(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await this.pids();
      if (left.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`cgroup ${this.name} still has processes ${left.join(', ')} after ${timeoutMs} ms`);
      left.forEach(killPid);
      await sleep(5);
    }
  }

  async remove(): Promise<void> {
    const deadline = Date.now() + 5000;
    await Promise.all(this.dirs.map((dir) => removeDir(dir, deadline)));
  }

  async destroy(timeoutMs: number): Promise<void> {
    await this.empty(timeoutMs);
    await this.remove();
  }
}

class V1RunCgroup extends BaseRunCgroup {
  readonly procsFiles: string[];
  readonly enforcesMemory: boolean;
  readonly enforcesPids: boolean;
  protected readonly dirs: string[];

  constructor(
    name: string,
    private readonly dirOf: Partial<Record<(typeof V1_CONTROLLERS)[number], string>>,
  ) {
    super(name);
    this.dirs = [...new Set(Object.values(dirOf))];
    this.procsFiles = this.dirs.map((d) => join(d, 'cgroup.procs'));
    this.enforcesMemory = !!dirOf.memory;
    this.enforcesPids = !!dirOf.pids;
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    const { memory, pids, cpu } = this.dirOf;
    // memsw (only with swap accounting) must stay >= the limit: raise it first, then set it equal
    const memsw = () =>
      writeText(join(memory!, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes)).catch(
        () => undefined,
      );
    await Promise.all([
      memory &&
        memsw()
          .then(() => writeText(join(memory, 'memory.limit_in_bytes'), String(limits.memoryBytes)))
          .then(memsw),
      pids && writeText(join(pids, 'pids.max'), String(limits.pids)),
      cpu &&
        writeText(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US)).then(() =>
          writeText(
            join(cpu, 'cpu.cfs_quota_us'),
            limits.cpus ? String(Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US))) : '-1',
          ),
        ),
    ]);
  }

  async stats(): Promise<CgroupStats> {
    const { memory, pids, cpuacct } = this.dirOf;
    const [cpuNs, maxMem, oom, pidsMax] = await Promise.all([
      cpuacct ? readNumber(join(cpuacct, 'cpuacct.usage')) : null,
      memory ? readNumber(join(memory, 'memory.max_usage_in_bytes')) : null,
      memory ? readKeyed(join(memory, 'memory.oom_control'), 'oom_kill') : null,
      pids ? readKeyed(join(pids, 'pids.events'), 'max') : null,
    ]);
    return {
      cpuSeconds: cpuNs === null ? null : cpuNs / 1e9,
      maxMemoryBytes: maxMem,
      oomKills: oom ?? 0,
      pidsLimitHits: pidsMax ?? 0,
    };
  }
}

class V2RunCgroup extends BaseRunCgroup {
  readonly procsFiles: string[];
  readonly enforcesMemory: boolean;
  readonly enforcesPids: boolean;
  protected readonly dirs: string[];

  constructor(
    name: string,
    private readonly dir: string,
    private readonly controllers: string[],
  ) {
    super(name);
    this.dirs = [dir];
    this.procsFiles = [join(dir, 'cgroup.procs')];
    this.enforcesMemory = controllers.includes('memory');
    this.enforcesPids = controllers.includes('pids');
  }

  async setLimits(limits: CgroupLimits): Promise<void> {
    const has = (c: string) => this.controllers.includes(c);
    await Promise.all([
      has('memory') &&
        writeText(join(this.dir, 'memory.max'), String(limits.memoryBytes)).then(() =>
          writeText(join(this.dir, 'memory.swap.max'), '0').catch(() => undefined),
        ),
      has('pids') && writeText(join(this.dir, 'pids.max'), String(limits.pids)),
      has('cpu') &&
        writeText(
          join(this.dir, 'cpu.max'),
          limits.cpus ? `${Math.max(1000, Math.round(limits.cpus * CFS_PERIOD_US))} ${CFS_PERIOD_US}` : 'max',
        ),
    ]);
  }

  async stats(): Promise<CgroupStats> {
    const [usageUsec, peak, oom, pidsMax] = await Promise.all([
      readKeyed(join(this.dir, 'cpu.stat'), 'usage_usec'),
      readNumber(join(this.dir, 'memory.peak')),
      readKeyed(join(this.dir, 'memory.events'), 'oom_kill'),
      readKeyed(join(this.dir, 'pids.events'), 'max'),
    ]);
    return {
      cpuSeconds: usageUsec === null ? null : usageUsec / 1e6,
      maxMemoryBytes: peak,
      oomKills: oom ?? 0,
      pidsLimitHits: pidsMax ?? 0,
    };
  }

  override async killAll(keep?: number): Promise<void> {
    if (keep === undefined && (await exists(join(this.dir, 'cgroup.kill')))) {
      await writeFile(join(this.dir, 'cgroup.kill'), '1').catch(() => undefined);
      return;
    }
    await super.killAll(keep);
  }
}

class V1Manager implements CgroupManager {
  readonly kind = 'v1';
  readonly selfJoin = true;
  readonly controllers: string[];

  constructor(private readonly roots: Partial<Record<(typeof V1_CONTROLLERS)[number], string>>) {
    this.controllers = Object.keys(roots);
  }

  async create(name: string, limits: CgroupLimits, joiner?: CgroupJoiner): Promise<RunCgroup> {
    const dirOf: Partial<Record<(typeof V1_CONTROLLERS)[number], string>> = {};
    for (const [controller, root] of Object.entries(this.roots) as [keyof typeof this.roots, string][])
      dirOf[controller] = join(root, PARENT, name);
    const dirs = [...new Set(Object.values(dirOf))];
    // one hierarchy per controller: created in parallel (this is on a run's path when no spare is ready)
    const made = await Promise.allSettled(dirs.map((dir) => mkdir(dir)));
    const cgroup = new V1RunCgroup(name, dirOf);
    try {
      const failed = made.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      await cgroup.setLimits(limits);
      if (joiner) for (const file of cgroup.procsFiles) await chown(file, joiner.uid, joiner.gid);
    } catch (err) {
      await Promise.all(
        dirs.filter((_, i) => made[i].status === 'fulfilled').map((dir) => rmdir(dir).catch(() => undefined)),
      );
      throw err;
    }
    return cgroup;
  }

  async sweep(isStale: (name: string) => boolean): Promise<string[]> {
    const removed = new Set<string>();
    for (const root of new Set(Object.values(this.roots))) {
      const parent = join(root, PARENT);
      const names = await readdir(parent, { withFileTypes: true }).catch(() => []);
      for (const entry of names) {
        if (!entry.isDirectory() || !isStale(entry.name)) continue;
        const dir = join(parent, entry.name);
        const procs = join(dir, 'cgroup.procs');
        (await readPids(procs)).forEach(killPid);
        await removeDir(dir, Date.now() + 2000).catch(() => undefined);
        removed.add(entry.name);
      }
    }
    return [...removed];
  }
}

class V2Manager implements CgroupManager {
  readonly kind = 'v2';
  readonly selfJoin = false;

  constructor(
    private readonly parent: string,
    readonly controllers: string[],
  ) {}

  async create(name: string, limits: CgroupLimits): Promise<RunCgroup> {
    const dir = join(this.parent, name);
    await mkdir(dir);
    const cgroup = new V2RunCgroup(name, dir, this.controllers);
    try {
      await cgroup.setLimits(limits);
    } catch (err) {
      await rmdir(dir).catch(() => undefined);
      throw err;
    }
    return cgroup;
  }

  async sweep(isStale: (name: string) => boolean): Promise<string[]> {
    const removed: string[] = [];
    const names = await readdir(this.parent, { withFileTypes: true }).catch(() => []);
    for (const entry of names) {
      if (!entry.isDirectory() || !isStale(entry.name)) continue;
      const dir = join(this.parent, entry.name);
      await writeFile(join(dir, 'cgroup.kill'), '1').catch(async () =>
        (await readPids(join(dir, 'cgroup.procs'))).forEach(killPid),
      );
      await removeDir(dir, Date.now() + 2000).catch(() => undefined);
      removed.push(entry.name);
    }
    return removed;
  }
}

class NoCgroups implements CgroupManager {
  readonly kind = 'none';
  readonly selfJoin = true;
  readonly controllers: string[] = [];
  async create(): Promise<null> {
    return null;
  }
  async sweep(): Promise<string[]> {
    return [];
  }
}

async function usableDir(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds writable cgroup hierarchies: v1 memory (+ pids, cpu, cpuacct) when mounted, else a v2 unified
 * hierarchy with the memory controller, else none (the driver then falls back to rlimits). `reasons`
 * collects why a kind was not usable, for the start-up log.
 */
export async function detectCgroups(
  mountInfo?: string,
): Promise<{ manager: CgroupManager; reasons: string[] }> {
  const reasons: string[] = [];
  const text = mountInfo ?? (await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  const mounts = parseMountInfo(text);

  const v1Roots: Partial<Record<(typeof V1_CONTROLLERS)[number], string>> = {};
  for (const m of mounts) {
    if (m.fsType !== 'cgroup') continue;
    for (const c of V1_CONTROLLERS) if (m.superOptions.includes(c) && !v1Roots[c]) v1Roots[c] = m.mountPoint;
  }
  if (v1Roots.memory) {
    const usable: typeof v1Roots = {};
    for (const [c, root] of Object.entries(v1Roots) as [keyof typeof v1Roots, string][]) {
      if (await usableDir(join(root, PARENT))) usable[c] = root;
      else reasons.push(`cgroup v1 ${c} at ${root} is not writable`);
    }
    if (usable.memory) return { manager: new V1Manager(usable), reasons };
  } else {
    reasons.push('no cgroup v1 memory hierarchy');
  }

  const v2 = mounts.find((m) => m.fsType === 'cgroup2');
  if (v2) {
    const available = (await readFile(join(v2.mountPoint, 'cgroup.controllers'), 'utf8').catch(() => ''))
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const wanted = ['memory', 'pids', 'cpu'].filter((c) => available.includes(c));
    const parent = join(v2.mountPoint, PARENT);
    if (!wanted.includes('memory')) {
      reasons.push(`cgroup v2 at ${v2.mountPoint} has no memory controller`);
    } else if (!(await usableDir(parent))) {
      reasons.push(`cgroup v2 at ${v2.mountPoint} is not writable`);
    } else {
      const enable = wanted.map((c) => `+${c}`).join(' ');
      await writeFile(join(v2.mountPoint, 'cgroup.subtree_control'), enable).catch(() => undefined);
      await writeFile(join(parent, 'cgroup.subtree_control'), enable).catch(() => undefined);
      const enabled = (await readFile(join(parent, 'cgroup.subtree_control'), 'utf8').catch(() => ''))
        .trim()
        .split(/\s+/);
      const controllers = wanted.filter((c) => enabled.includes(c));
      if (controllers.includes('memory')) return { manager: new V2Manager(parent, controllers), reasons };
      reasons.push(`could not enable the memory controller under ${parent}`);
    }
  } else {
    reasons.push('no cgroup v2 hierarchy');
  }
  return { manager: new NoCgroups(), reasons };
}
