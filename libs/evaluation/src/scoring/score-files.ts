/**
 * The whole pure scoring path: ground truth + predictions (streams of lines) → validated, aligned by id → one
 * metric value per partition. The scoring worker and `POST /evaluation/score` both call `scoreFiles`; storage, the
 * secret public/private split and persistence stay with them.
 *
 * Memory: the ground truth is held in memory keyed by id (labels interned); predictions stream through and are
 * folded into the metric accumulators as they arrive.
 */
import { ValidationFailedError } from '@aihub/core/errors/domain-error';
import { isMetricName, METRICS } from '../metrics';
import type {
  MetricAccumulator,
  MetricDirection,
  MetricKind,
  MetricName,
  PredictionRowByKind,
  Span,
} from '../metrics/metric-types';
import { loadCocoTruth, readCocoPredictions, type TextSource } from './coco';
import { readSpanRecords } from './json-lines';
import type { LineSource } from './lines';
import { IssueCollector, type IssueExample } from './scoring.errors';
import { loadTabularTruth, readTabularPredictions, type PredictionLayout, type TabularKind } from './tabular';

/** Where a row is scored: one partition name or several (e.g. `['public', 'all']`). */
export type Partitioner = (id: string) => string | readonly string[];

export interface ScoreFilesInput {
  metric: string;
  metricParams?: unknown;
  /** CSV: the id column; spans: the id key of each JSON line. Default `id`. */
  idColumn?: string;
  /** CSV kinds: the target column (probability kind: the positive-class column, or absent for per-class columns). */
  targetColumn?: string;
  truth: LineSource;
  predictions: LineSource;
  /** Default: every row in partition `all`. */
  partition?: Partitioner;
  /** Examples kept per problem in errors (default 5). */
  maxExamples?: number;
}

export interface ScoreFilesResult {
  metric: MetricName;
  direction: MetricDirection;
  /** Score per partition. */
  scores: Record<string, number>;
  /** Rows (images for map_iou) scored per partition. */
  rows: Record<string, number>;
}

const ALL: readonly string[] = ['all'];

/** One metric accumulator per partition name (public, private, all …), created on first use. */
export class Partitions<K extends MetricKind> {
  private readonly accumulators = new Map<string, MetricAccumulator<K>>();

  constructor(
    private readonly create: () => MetricAccumulator<K>,
    private readonly partition: Partitioner | undefined,
  ) {}

  add(
    id: string,
    truth: Parameters<MetricAccumulator<K>['add']>[0],
    prediction: Parameters<MetricAccumulator<K>['add']>[1],
  ) {
    const p = this.partition ? this.partition(id) : ALL;
    for (const name of typeof p === 'string' ? [p] : p) {
      let acc = this.accumulators.get(name);
      if (!acc) this.accumulators.set(name, (acc = this.create()));
      acc.add(truth, prediction);
    }
  }

  results(metric: MetricName): ScoreFilesResult {
    const def = METRICS[metric];
    const scores: Record<string, number> = {};
    const rows: Record<string, number> = {};
    for (const [name, acc] of [...this.accumulators].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      scores[name] = acc.result();
      rows[name] = acc.count;
    }
    return { metric, direction: def.direction, scores, rows };
  }
}

function missingIds(ids: readonly string[], seen: Uint8Array, issues: IssueCollector): void {
  let count = 0;
  const examples: IssueExample[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (seen[i]) continue;
    count++;
    if (examples.length < issues.maxExamples) examples.push({ id: ids[i] });
  }
  issues.addMany('MISSING_IDS', count, examples);
}

export function requireInput(field: string, value: string | undefined, message: string): string {
  if (value === undefined || value === '') throw new ValidationFailedError([{ field, message }]);
  return value;
}

async function scoreTabular(
  kind: TabularKind,
  metric: MetricName,
  params: Record<string, unknown>,
  input: ScoreFilesInput,
) {
  const def = METRICS[metric];
  const spec = {
    idColumn: input.idColumn || 'id',
    targetColumn: requireInput('targetColumn', input.targetColumn, `targetColumn is required for ${metric}`),
  };
  const classes = Array.isArray(params.classes) ? (params.classes as string[]) : undefined;
  const truth = await loadTabularTruth(kind, input.truth, spec, { classes, maxExamples: input.maxExamples });
  const issues = new IssueCollector('predictions', input.maxExamples);
  let accumulatorParams: Record<string, unknown> = params;
  const onLayout = (layout: PredictionLayout) => (accumulatorParams = paramsForLayout(kind, params, layout));
  const rows = readTabularPredictions(
    truth,
    input.predictions,
    spec,
    issues,
    {
      classes: kind === 'label' || kind === 'probability' ? classes : undefined,
      range: def.predictionRange,
      maxExamples: input.maxExamples,
    },
    onLayout,
  );
  const seen = new Uint8Array(truth.ids.length);
  const firstLine = new Int32Array(truth.ids.length);
  let partitions: Partitions<TabularKind> | undefined;
  let cursor = 0;
  for await (const batch of rows) {
    partitions ??= new Partitions(
      () => def.createAccumulator(accumulatorParams) as MetricAccumulator<TabularKind>,
      input.partition,
    );
    for (const row of batch) {
      // predictions usually follow the order of the truth: check the next id before hashing
      const i = truth.ids[cursor] === row.id ? cursor : truth.index.get(row.id);
      if (i !== undefined) cursor = i + 1;
      if (i === undefined) {
        issues.add('UNKNOWN_IDS', { line: row.line, id: row.id });
        continue;
      }
      if (seen[i]) {
        issues.add('DUPLICATE_IDS', { line: row.line, id: row.id, firstLine: firstLine[i] });
        continue;
      }
      seen[i] = 1;
      firstLine[i] = row.line;
      if (row.value !== undefined && !issues.hasIssues) {
        partitions.add(row.id, truth.values[i], row.value as PredictionRowByKind[TabularKind]);
      }
    }
  }
  missingIds(truth.ids, seen, issues);
  if (!partitions && !issues.hasIssues)
    issues.fail('EMPTY_FILE', { detail: 'no data rows after the header' });
  issues.throwIfAny();
  return (partitions as Partitions<TabularKind>).results(metric);
}

async function scoreSpans(metric: MetricName, params: unknown, input: ScoreFilesInput) {
  const idKey = input.idColumn || 'id';
  const truthIssues = new IssueCollector('truth', input.maxExamples);
  const truthIndex = new Map<string, number>();
  const truthIds: string[] = [];
  const truthSpans: Span[][] = [];
  const truthLines: number[] = [];
  for await (const record of readSpanRecords(input.truth, truthIssues, idKey)) {
    const existing = truthIndex.get(record.id);
    if (existing !== undefined) {
      truthIssues.add('DUPLICATE_IDS', { line: record.line, id: record.id, firstLine: truthLines[existing] });
      continue;
    }
    truthIndex.set(record.id, truthIds.length);
    truthIds.push(record.id);
    truthSpans.push(record.spans);
    truthLines.push(record.line);
  }
  truthIssues.throwIfAny();

  const issues = new IssueCollector('predictions', input.maxExamples);
  const partitions = new Partitions(() => METRICS.span_f1.createAccumulator(params), input.partition);
  const seen = new Uint8Array(truthIds.length);
  const firstLine = new Int32Array(truthIds.length);
  for await (const record of readSpanRecords(input.predictions, issues, idKey)) {
    const i = truthIndex.get(record.id);
    if (i === undefined) {
      issues.add('UNKNOWN_IDS', { line: record.line, id: record.id });
      continue;
    }
    if (seen[i]) {
      issues.add('DUPLICATE_IDS', { line: record.line, id: record.id, firstLine: firstLine[i] });
      continue;
    }
    seen[i] = 1;
    firstLine[i] = record.line;
    if (!issues.hasIssues) partitions.add(record.id, truthSpans[i], record.spans);
  }
  missingIds(truthIds, seen, issues);
  issues.throwIfAny();
  return partitions.results(metric);
}

async function scoreDetection(metric: MetricName, params: unknown, input: ScoreFilesInput) {
  const options = { lines: true, maxExamples: input.maxExamples };
  const truth = await loadCocoTruth(input.truth as TextSource, options);
  const issues = new IssueCollector('predictions', input.maxExamples);
  const predictions = await readCocoPredictions(truth, input.predictions as TextSource, issues, options);
  issues.throwIfAny();
  const partitions = new Partitions(() => METRICS.map_iou.createAccumulator(params), input.partition);
  for (const image of truth.imageIds) {
    partitions.add(image, truth.boxes.get(image) ?? [], predictions.get(image) ?? []);
  }
  return partitions.results(metric);
}

/**
 * Validates both files and scores them. Throws `ValidationFailedError` (unknown metric, bad metricParams, missing
 * targetColumn), `ScoringFileError` (GROUND_TRUTH_INVALID / PREDICTIONS_INVALID with every problem, counts and first
 * line numbers) or `MetricUndefinedError` (e.g. one class only for roc_auc).
 */
/**
 * The accumulator's parameters once the predictions' layout is known: probability metrics take the classes
 * from per-class prediction columns (and drop configured ones otherwise); other kinds keep theirs.
 */
export function paramsForLayout(
  kind: string,
  params: Record<string, unknown>,
  layout: PredictionLayout,
): Record<string, unknown> {
  if (kind !== 'probability') return params;
  const { classes: _ignored, ...rest } = params;
  return layout.mode === 'per-class' ? { ...rest, classes: layout.classes } : rest;
}

export async function scoreFiles(input: ScoreFilesInput): Promise<ScoreFilesResult> {
  if (!isMetricName(input.metric)) {
    throw new ValidationFailedError([
      {
        field: 'metric',
        message: `unknown metric '${input.metric}'; use one of ${Object.keys(METRICS).join(', ')}`,
      },
    ]);
  }
  const metric = input.metric;
  const def = METRICS[metric];
  const params = def.parseParams(input.metricParams) as Record<string, unknown>;
  switch (def.kind) {
    case 'detection':
      return scoreDetection(metric, params, input);
    case 'spans':
      return scoreSpans(metric, params, input);
    default:
      return scoreTabular(def.kind, metric, params, input);
  }
}
