/**
 * The bounded-memory scoring path for tabular files in ANY row order: a grace hash join on disk.
 *
 * 1. The truth streams once through its reader (same checks as `scoreFiles`) and each row `{line, id, value}`
 *    goes to one of K spill files by a hash of its id.
 * 2. The predictions stream once the same way (the truth's labels are known by then, as in `scoreFiles`).
 * 3. Partition by partition, the truth rows are indexed by id in memory and the prediction rows of the same
 *    partition are joined against them with the logic of `scoreFiles`, folding matched rows into the usual
 *    accumulators. A partition that turns out larger than the budget is split again (a deeper hash) first.
 *
 * Every row of one id lands in the same partition in file order, so duplicates are found with their first
 * line; the examples of each problem are the first ones by line over all partitions, so the error report is
 * the one `scoreFiles` gives (spill-path tests compare the two on the same bad files). Memory: one partition's
 * truth plus fixed write/read buffers, whatever the file size. The spill files live in a private folder under
 * `tempDir`, removed when scoring ends (also on errors).
 *
 * Rows reach the accumulators partition by partition instead of in the predictions' order: counting metrics
 * (classification, hits_at_k, wer/cer, bleu) and roc_auc (sorts every score) give identical results; the
 * compensated sums (rmse, mae, mape, log_loss, mrr, rouge_l) and r2's running variance can differ in the last
 * bits (tests hold them to 1e-12 relative).
 */
import { mkdir, mkdtemp, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isMetricName, METRICS } from '../metrics';
import type { MetricAccumulator, MetricName, PredictionRowByKind } from '../metrics/metric-types';
import { LabelIndex } from '../metrics/numeric';
import { IssueCollector, type IssueExample } from './scoring.errors';
import {
  paramsForLayout,
  Partitions,
  requireInput,
  scoreFiles,
  type ScoreFilesInput,
  type ScoreFilesResult,
} from './score-files';
import {
  readTabularPredictions,
  readTabularTruth,
  type PredictionLayout,
  type TabularKind,
  type TruthTable,
} from './tabular';

export interface SpillScoreInput extends ScoreFilesInput {
  /** Scratch folder (created if missing); the spill files go to a private folder inside it. */
  tempDir: string;
  /** Truth rows held in memory at once (one partition); default 200 000. */
  partitionRows?: number;
  /** Spill bytes of truth per partition (long text rows); default 64 MiB. */
  partitionBytes?: number;
  /** Truth rows and bytes when known (the spec keeps them from the upload): chooses the first fan-out. */
  expectedRows?: number;
  expectedBytes?: number;
  /** Called for each partition as it is joined (its depth of split and its truth size): tests, logs. */
  onJoin?: (partition: { depth: number; truthRows: number; truthBytes: number }) => void;
}

const TABULAR: ReadonlySet<string> = new Set(['label', 'probability', 'numeric', 'ranking', 'text']);

/** Whether `scoreTabularSpilled` joins this metric on disk (the CSV kinds); the JSON kinds stay in memory. */
export function canSpill(metric: string): boolean {
  return isMetricName(metric) && TABULAR.has(METRICS[metric].kind);
}

/**
 * The worker joins truths up to this many rows in memory when the merge join gives up (one partition of the disk
 * join holds as much); larger ones, or of unknown size, go through the disk join. Also the default budget.
 */
export const IN_MEMORY_MAX_ROWS = 200_000;
const DEFAULT_PARTITION_ROWS = IN_MEMORY_MAX_ROWS;
const DEFAULT_PARTITION_BYTES = 64 * 1024 * 1024;
/** Fan-out when the size is unknown (oversized partitions are split again). */
const DEFAULT_FANOUT = 16;
const MAX_FANOUT = 256;
const FILL = 0.8;
/** Splits beyond this depth would not help (one id repeated): the partition is joined as it is. */
const MAX_DEPTH = 4;
const WRITE_CHUNK = 64 * 1024;
const READ_CHUNK = 1024 * 1024;

/** FNV-1a over the UTF-16 units, then murmur3's finalizer; `seed` gives each split depth its own hash. */
export function spillBucket(id: string, seed: number, buckets: number): number {
  let h = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % buckets;
}

export interface SpillRecord {
  line: number;
  id: string;
  /** undefined: a prediction row whose value was invalid (already reported; its id still counts as present) */
  value: unknown;
}

// value tags of the record format: [u32 length][u32 line][u32 id bytes][id][u8 tag][payload]
const T_NONE = 0;
const T_NUMBER = 1;
const T_STRING = 2;
const T_VECTOR = 3;
const T_LIST = 4;
const T_LABEL = 5;

/**
 * Encodes and decodes rows. With `labels`, string values are interned labels written as their index (label and
 * probability kinds: a few distinct values), so a decoded partition shares one string per label.
 */
class RowCodec {
  constructor(private readonly labels?: LabelIndex) {}

  /** An upper bound of the encoded size. */
  size(r: SpillRecord): number {
    const v = r.value;
    let n = 13 + r.id.length * 3;
    if (typeof v === 'number') n += 8;
    else if (typeof v === 'string') n += this.labels ? 4 : 4 + v.length * 3;
    else if (v instanceof Float64Array) n += 4 + v.length * 8;
    else if (Array.isArray(v)) for (const s of v as string[]) n += 4 + s.length * 3;
    return n + 4;
  }

  write(buf: Buffer, start: number, r: SpillRecord): number {
    let o = start + 4;
    buf.writeUInt32LE(r.line, o);
    const idLen = buf.write(r.id, o + 8, 'utf8');
    buf.writeUInt32LE(idLen, o + 4);
    o += 8 + idLen;
    const v = r.value;
    if (v === undefined) buf[o++] = T_NONE;
    else if (typeof v === 'number') {
      buf[o++] = T_NUMBER;
      o = buf.writeDoubleLE(v, o);
    } else if (typeof v === 'string') {
      if (this.labels) {
        buf[o++] = T_LABEL;
        o = buf.writeUInt32LE(this.labels.intern(v), o);
      } else {
        buf[o++] = T_STRING;
        o = this.string(buf, o, v);
      }
    } else if (v instanceof Float64Array) {
      buf[o++] = T_VECTOR;
      o = buf.writeUInt32LE(v.length, o);
      for (let j = 0; j < v.length; j++) o = buf.writeDoubleLE(v[j], o);
    } else if (Array.isArray(v)) {
      buf[o++] = T_LIST;
      o = buf.writeUInt32LE(v.length, o);
      for (const s of v as string[]) o = this.string(buf, o, s);
    } else {
      throw new Error(`cannot spill a value of type ${typeof v}`);
    }
    buf.writeUInt32LE(o - start - 4, start);
    return o;
  }

  private string(buf: Buffer, o: number, s: string): number {
    const n = buf.write(s, o + 4, 'utf8');
    buf.writeUInt32LE(n, o);
    return o + 4 + n;
  }

  /** Decodes the record whose body starts at `o` (after its length) into `visit`; copies everything out of `buf`. */
  read(buf: Buffer, o: number, visit: Visit): void {
    const line = buf.readUInt32LE(o);
    const idLen = buf.readUInt32LE(o + 4);
    o += 8;
    const id = buf.toString('utf8', o, o + idLen);
    o += idLen;
    const tag = buf[o++];
    let value: unknown;
    switch (tag) {
      case T_NONE:
        value = undefined;
        break;
      case T_NUMBER:
        value = buf.readDoubleLE(o);
        break;
      case T_STRING:
        value = buf.toString('utf8', o + 4, o + 4 + buf.readUInt32LE(o));
        break;
      case T_LABEL:
        value = (this.labels as LabelIndex).labels[buf.readUInt32LE(o)];
        break;
      case T_VECTOR: {
        const n = buf.readUInt32LE(o);
        const vector = new Float64Array(n);
        for (let j = 0; j < n; j++) vector[j] = buf.readDoubleLE(o + 4 + j * 8);
        value = vector;
        break;
      }
      case T_LIST: {
        const n = buf.readUInt32LE(o);
        const list: string[] = new Array(n);
        o += 4;
        for (let j = 0; j < n; j++) {
          const len = buf.readUInt32LE(o);
          list[j] = buf.toString('utf8', o + 4, o + 4 + len);
          o += 4 + len;
        }
        value = list;
        break;
      }
      default:
        throw new Error(`corrupt spill file: value tag ${tag}`);
    }
    visit(line, id, value);
  }
}

/** Takes one decoded row (arguments rather than an object: no allocation per row on the join's hot path). */
type Visit = (line: number, id: string, value: unknown) => void;

/**
 * Write chunks are reused once written: a fresh 64 KiB buffer per chunk is external memory that V8 frees only
 * when a garbage collection finds the small wrapper, and the heap is too quiet for that to come soon (tens of MB).
 */
class ChunkPool {
  private readonly free: Buffer[] = [];

  take(min: number): Buffer {
    if (min <= WRITE_CHUNK && this.free.length) return this.free.pop() as Buffer;
    return Buffer.allocUnsafe(Math.max(WRITE_CHUNK, min));
  }

  give(chunk: Buffer): void {
    if (chunk.length === WRITE_CHUNK && this.free.length < 1024) this.free.push(chunk);
  }
}

/** One spill file being written: rows are encoded into chunks that `flush()` appends to the file. */
class SpillFile {
  rows = 0;
  bytes = 0;
  private chunk: Buffer | undefined;
  private pos = 0;
  /** chunks filled and not written yet, with their used length */
  private readonly full: [Buffer, number][] = [];
  private handle: FileHandle | undefined;

  constructor(
    readonly path: string,
    private readonly pool: ChunkPool,
  ) {}

  add(codec: RowCodec, r: SpillRecord): void {
    const max = codec.size(r);
    if (!this.chunk || this.pos + max > this.chunk.length) {
      if (this.chunk) this.full.push([this.chunk, this.pos]);
      this.chunk = this.pool.take(max);
      this.pos = 0;
    }
    const end = codec.write(this.chunk, this.pos, r);
    this.bytes += end - this.pos;
    this.pos = end;
    this.rows++;
  }

  /** Writes the full chunks (all of it with `all`). */
  async flush(all = false): Promise<void> {
    if (all && this.chunk) {
      if (this.pos) this.full.push([this.chunk, this.pos]);
      else this.pool.give(this.chunk);
      this.chunk = undefined;
      this.pos = 0;
    }
    if (!this.full.length) return;
    this.handle ??= await open(this.path, 'w');
    const chunks = this.full.splice(0);
    await this.handle.writev(chunks.map(([chunk, length]) => chunk.subarray(0, length)));
    for (const [chunk] of chunks) this.pool.give(chunk);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close();
  }
}

/** Spill files of one split: `add` routes a row by its id's bucket. */
class SpillSet {
  readonly files: SpillFile[];

  constructor(
    dir: string,
    name: string,
    readonly seed: number,
    fanout: number,
    private readonly codec: RowCodec,
    private readonly opened: Set<SpillSet>,
    pool: ChunkPool,
  ) {
    this.files = Array.from({ length: fanout }, (_, i) => new SpillFile(join(dir, `${name}-${i}`), pool));
    opened.add(this);
  }

  add(r: SpillRecord): void {
    this.files[spillBucket(r.id, this.seed, this.files.length)].add(this.codec, r);
  }

  async flush(): Promise<void> {
    for (const f of this.files) await f.flush();
  }

  async finish(): Promise<void> {
    try {
      for (const f of this.files) await f.flush(true);
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.opened.delete(this);
    for (const f of this.files) await f.close();
  }
}

interface ReadBuffer {
  buf: Buffer;
}

/**
 * Reads a spill file back, row by row into `visit` (a missing file is an empty partition); `afterChunk` runs after
 * the rows of each chunk read (to write what they produced).
 */
async function readSpill(
  reading: ReadBuffer,
  path: string,
  codec: RowCodec,
  visit: Visit,
  afterChunk?: () => Promise<void>,
): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    let buf = reading.buf;
    let end = 0;
    for (;;) {
      if (end >= 4 && 4 + buf.readUInt32LE(0) > buf.length) {
        // one record larger than the buffer (a very long text row)
        const bigger = Buffer.allocUnsafe(4 + buf.readUInt32LE(0));
        buf.copy(bigger, 0, 0, end);
        buf = reading.buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, end, buf.length - end, null);
      if (bytesRead === 0) {
        if (end) throw new Error(`corrupt spill file ${path}: ${end} trailing bytes`);
        return;
      }
      end += bytesRead;
      let o = 0;
      while (o + 4 <= end) {
        const len = buf.readUInt32LE(o);
        if (o + 4 + len > end) break;
        codec.read(buf, o + 4, visit);
        o += 4 + len;
      }
      buf.copy(buf, 0, o, end);
      end -= o;
      await afterChunk?.();
    }
  } finally {
    await handle.close();
  }
}

/** A problem's count and its first examples by line, gathered over partitions. */
class FirstExamples {
  count = 0;
  private examples: { key: number; example: IssueExample }[] = [];
  private inPartition = 0;

  constructor(private readonly max: number) {}

  /** Examples within one partition come in line order: only its first `max` can be among the first overall. */
  note(key: number, example: IssueExample): void {
    this.count++;
    if (this.inPartition++ < this.max) this.examples.push({ key, example });
  }

  endPartition(): void {
    this.inPartition = 0;
    if (this.examples.length > this.max) {
      this.examples.sort((a, b) => a.key - b.key);
      this.examples.length = this.max;
    }
  }

  list(): IssueExample[] {
    this.endPartition();
    return this.examples.sort((a, b) => a.key - b.key).map((e) => e.example);
  }
}

async function scoreSpilled(
  kind: TabularKind,
  metric: MetricName,
  params: Record<string, unknown>,
  input: SpillScoreInput,
  dir: string,
  opened: Set<SpillSet>,
): Promise<ScoreFilesResult> {
  const def = METRICS[metric];
  const spec = {
    idColumn: input.idColumn || 'id',
    targetColumn: requireInput('targetColumn', input.targetColumn, `targetColumn is required for ${metric}`),
  };
  const classes = Array.isArray(params.classes) ? (params.classes as string[]) : undefined;
  const maxExamples = input.maxExamples ?? 5;
  const budgetRows = Math.max(1, input.partitionRows ?? DEFAULT_PARTITION_ROWS);
  const budgetBytes = Math.max(1, input.partitionBytes ?? DEFAULT_PARTITION_BYTES);
  // partitions filled to 80 % of the budget on average, so that hashing's spread rarely needs a split
  const fanoutFor = (rows: number, bytes: number) =>
    Math.min(MAX_FANOUT, Math.max(1, Math.ceil(Math.max(rows / budgetRows, bytes / budgetBytes) / FILL)));
  const fanout =
    input.expectedRows !== undefined || input.expectedBytes !== undefined
      ? fanoutFor(input.expectedRows ?? 0, input.expectedBytes ?? 0)
      : DEFAULT_FANOUT;
  const labelKinds = kind === 'label' || kind === 'probability';
  const truthLabels = new LabelIndex();
  const truthCodec = new RowCodec(labelKinds ? truthLabels : undefined);
  const predCodec = new RowCodec(kind === 'label' ? new LabelIndex() : undefined);
  let names = 0;
  const pool = new ChunkPool();
  const spillSet = (side: 't' | 'p', seed: number, n: number) =>
    new SpillSet(dir, `${side}${names++}`, seed, n, side === 't' ? truthCodec : predCodec, opened, pool);
  // one read buffer for the whole join (files are read one after the other)
  const reading: ReadBuffer = { buf: Buffer.allocUnsafe(READ_CHUNK) };

  // 1. the truth, checked by its reader and spread over the partitions
  const truthIssues = new IssueCollector('truth', maxExamples);
  const truthSpill = spillSet('t', 0, fanout);
  for await (const rows of readTabularTruth(kind, input.truth, spec, truthIssues, {
    classes,
    labels: truthLabels,
  })) {
    for (const row of rows) truthSpill.add(row);
    await truthSpill.flush();
  }
  await truthSpill.finish();
  const truthRows = truthSpill.files.reduce((n, f) => n + f.rows, 0);

  interface Part {
    truth: SpillFile;
    predictions?: SpillFile;
    depth: number;
  }
  const truthDuplicates = new FirstExamples(maxExamples);
  const unknown = new FirstExamples(maxExamples);
  const duplicates = new FirstExamples(maxExamples);
  const missing = new FirstExamples(maxExamples);
  const issues = new IssueCollector('predictions', maxExamples);
  let partitions: Partitions<TabularKind> | undefined;
  let accumulatorParams: Record<string, unknown> = params;

  /** Splits a partition that is over the budget (both sides, with the next depth's hash). */
  const split = async (part: Part): Promise<Part[]> => {
    const n = Math.max(2, fanoutFor(part.truth.rows, part.truth.bytes));
    const seed = part.depth + 1;
    const respill = async (side: 't' | 'p', path: string): Promise<SpillSet> => {
      const set = spillSet(side, seed, n);
      await readSpill(
        reading,
        path,
        side === 't' ? truthCodec : predCodec,
        (line, id, value) => set.add({ line, id, value }),
        () => set.flush(),
      );
      await set.finish();
      await rm(path, { force: true });
      return set;
    };
    const t = await respill('t', part.truth.path);
    const p = part.predictions ? await respill('p', part.predictions.path) : undefined;
    return t.files.map((truth, i) => ({ truth, predictions: p?.files[i], depth: seed }));
  };

  /** Joins one partition like `scoreFiles` does (truth duplicates only, without predictions). */
  const join1 = async (part: Part): Promise<void> => {
    if (
      (part.truth.rows > budgetRows || part.truth.bytes > budgetBytes) &&
      part.depth < MAX_DEPTH &&
      part.truth.rows > 1
    ) {
      for (const sub of await split(part)) await join1(sub);
      return;
    }
    input.onJoin?.({ depth: part.depth, truthRows: part.truth.rows, truthBytes: part.truth.bytes });
    const index = new Map<string, number>();
    const ids: string[] = [];
    const lines: number[] = [];
    const values: unknown[] = [];
    await readSpill(reading, part.truth.path, truthCodec, (line, id, value) => {
      const existing = index.get(id);
      if (existing !== undefined) {
        truthDuplicates.note(line, { line, id, firstLine: lines[existing] });
        return;
      }
      index.set(id, ids.length);
      ids.push(id);
      lines.push(line);
      values.push(value);
    });
    truthDuplicates.endPartition();
    await rm(part.truth.path, { force: true });
    // a duplicated truth id fails the truth: the predictions are not looked at (as in scoreFiles)
    if (!part.predictions || truthDuplicates.count) return;
    const seen = new Uint8Array(ids.length);
    const firstLine = new Int32Array(ids.length);
    const score = !issues.hasIssues;
    await readSpill(reading, part.predictions.path, predCodec, (line, id, value) => {
      const i = index.get(id);
      if (i === undefined) {
        unknown.note(line, { line, id });
        return;
      }
      if (seen[i]) {
        duplicates.note(line, { line, id, firstLine: firstLine[i] });
        return;
      }
      seen[i] = 1;
      firstLine[i] = line;
      if (value !== undefined && score && !unknown.count && !duplicates.count) {
        partitions!.add(id, values[i] as never, value as PredictionRowByKind[TabularKind]);
      }
    });
    await rm(part.predictions.path, { force: true });
    for (let i = 0; i < ids.length; i++) if (!seen[i]) missing.note(lines[i], { id: ids[i] });
    unknown.endPartition();
    duplicates.endPartition();
    missing.endPartition();
  };

  const throwTruthDuplicates = () => {
    if (truthDuplicates.count)
      truthIssues.addMany('DUPLICATE_IDS', truthDuplicates.count, truthDuplicates.list());
    truthIssues.throwIfAny();
  };
  if (truthIssues.hasIssues) {
    // scoreFiles reports the duplicates beside the other truth problems
    for (const truth of truthSpill.files) await join1({ truth, depth: 0 });
    throwTruthDuplicates();
  }
  if (!truthRows) truthIssues.fail('EMPTY_FILE', { detail: 'no data rows after the header' });

  // 2. the predictions, checked by their reader against the truth's labels, spread the same way
  const predSpill = spillSet('p', 0, fanout);
  let anyRows = false;
  try {
    // the reader needs the kind and the labels of the truth only
    const truthShape = {
      kind,
      labels: truthLabels,
      index: new Map(),
      ids: [],
      values: [],
    } as TruthTable<TabularKind>;
    const onLayout = (layout: PredictionLayout) =>
      (accumulatorParams = paramsForLayout(kind, params, layout));
    const reader = readTabularPredictions(
      truthShape,
      input.predictions,
      spec,
      issues,
      {
        classes: labelKinds ? classes : undefined,
        range: def.predictionRange,
        maxExamples: input.maxExamples,
      },
      onLayout,
    );
    for await (const rows of reader) {
      anyRows = true;
      for (const row of rows) predSpill.add(row);
      await predSpill.flush();
    }
    await predSpill.finish();
  } catch (err) {
    // scoreFiles had read the whole truth before: its duplicates come first
    await predSpill.close();
    for (const truth of truthSpill.files) await join1({ truth, depth: 0 });
    throwTruthDuplicates();
    throw err;
  }

  // 3. the join, partition by partition
  if (anyRows)
    partitions = new Partitions(
      () => def.createAccumulator(accumulatorParams) as MetricAccumulator<TabularKind>,
      input.partition,
    );
  for (let i = 0; i < fanout; i++) {
    await join1({ truth: truthSpill.files[i], predictions: predSpill.files[i], depth: 0 });
  }
  throwTruthDuplicates();
  issues.addMany('UNKNOWN_IDS', unknown.count, unknown.list());
  issues.addMany('DUPLICATE_IDS', duplicates.count, duplicates.list());
  issues.addMany('MISSING_IDS', missing.count, missing.list());
  if (!partitions && !issues.hasIssues)
    issues.fail('EMPTY_FILE', { detail: 'no data rows after the header' });
  issues.throwIfAny();
  return (partitions as Partitions<TabularKind>).results(metric);
}

const SPILL_PREFIX = 'scoring-';
/** No scoring job runs this long: an older spill folder is a crashed worker's (workers may share DATA_DIR). */
export const STALE_SPILL_MS = 24 * 3600 * 1000;

/** Removes spill folders left by a worker killed mid-scoring (best effort). */
async function removeStale(tempDir: string): Promise<void> {
  const cutoff = Date.now() - STALE_SPILL_MS;
  for (const name of await readdir(tempDir).catch(() => [] as string[])) {
    if (!name.startsWith(SPILL_PREFIX)) continue;
    const path = join(tempDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < cutoff)
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * `scoreFiles` with memory bounded by `partitionRows` truth rows for the CSV kinds, whatever the row order (the
 * other kinds go to `scoreFiles`). Same results, same errors; reads each input once.
 */
export async function scoreTabularSpilled(input: SpillScoreInput): Promise<ScoreFilesResult> {
  if (!canSpill(input.metric)) return scoreFiles(input);
  const metric = input.metric as MetricName;
  const def = METRICS[metric];
  const params = def.parseParams(input.metricParams) as Record<string, unknown>;
  requireInput('targetColumn', input.targetColumn, `targetColumn is required for ${metric}`);
  await mkdir(input.tempDir, { recursive: true });
  await removeStale(input.tempDir);
  const dir = await mkdtemp(join(input.tempDir, SPILL_PREFIX));
  const opened = new Set<SpillSet>();
  try {
    return await scoreSpilled(def.kind as TabularKind, metric, params, input, dir, opened);
  } finally {
    for (const set of [...opened]) await set.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
