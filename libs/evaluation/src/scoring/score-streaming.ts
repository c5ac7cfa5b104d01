/**
 * The bounded-memory scoring path for tabular files: the ground truth and the predictions are read side by side
 * and joined by id as they stream (a merge join in file order), so memory stays flat in the file size when the
 * predictions follow the truth's row order — which they do when a model writes one prediction per test row — or
 * stray from it by at most `window` rows. Anything else (rows further apart, duplicate or unknown ids, which need
 * every id to be told apart) answers `null`, and the caller joins by id instead: `scoreTabularSpilled` on disk
 * for large truths, the in-memory `scoreFiles` (whose error report is the reference) for small ones.
 */
import { isMetricName, METRICS } from '../metrics';
import type {
  MetricAccumulator,
  MetricName,
  PredictionRowByKind,
  TruthRowByKind,
} from '../metrics/metric-types';
import { LabelIndex, sortLabels } from '../metrics/numeric';
import type { LineSource } from './lines';
import { IssueCollector } from './scoring.errors';
import { paramsForLayout, type Partitioner, type ScoreFilesResult } from './score-files';
import {
  readTabularPredictions,
  readTabularTruth,
  type PredictionRow,
  type TabularKind,
  type TruthRow,
  type TruthTable,
} from './tabular';

export interface StreamingScoreInput {
  metric: string;
  metricParams?: unknown;
  idColumn?: string;
  targetColumn?: string;
  truth: LineSource;
  predictions: LineSource;
  partition?: Partitioner;
  /** label and probability metrics: every label of the truth (known from its upload) */
  truthLabels?: readonly string[];
  /** rows the two files may be out of step before giving up (default 100 000) */
  window?: number;
}

/** Kinds whose rows the streaming join handles (the CSV kinds); the JSON kinds always go in memory. */
const STREAMABLE: ReadonlySet<string> = new Set(['label', 'probability', 'numeric', 'ranking', 'text']);

export function canStream(metric: string, truthLabels: readonly string[] | undefined): boolean {
  if (!isMetricName(metric)) return false;
  const kind = METRICS[metric].kind;
  if (!STREAMABLE.has(kind)) return false;
  return kind === 'numeric' || kind === 'ranking' || kind === 'text' || truthLabels !== undefined;
}

/** The merge join; `null` when the files are too far out of step or an id problem needs the exact report. */
export async function scoreTabularStreaming(input: StreamingScoreInput): Promise<ScoreFilesResult | null> {
  if (!canStream(input.metric, input.truthLabels) || !input.targetColumn) return null;
  const metric = input.metric as MetricName;
  const def = METRICS[metric];
  const kind = def.kind as TabularKind;
  const params = def.parseParams(input.metricParams) as Record<string, unknown>;
  const window = input.window ?? 100_000;
  const spec = { idColumn: input.idColumn || 'id', targetColumn: input.targetColumn };
  const paramClasses = Array.isArray(params.classes) ? (params.classes as string[]) : undefined;
  const labelKinds = kind === 'label' || kind === 'probability';
  const classes = labelKinds ? (paramClasses ?? sortLabels([...(input.truthLabels ?? [])])) : undefined;

  const truthIssues = new IssueCollector('truth');
  const issues = new IssueCollector('predictions');
  const labels = new LabelIndex();
  for (const l of input.truthLabels ?? []) labels.intern(l);
  // the prediction reader needs the kind and the labels of the truth only
  const truthShape = { kind, labels, index: new Map(), ids: [], values: [] } as TruthTable<TabularKind>;
  let accumulatorParams: Record<string, unknown> = params;
  const truthRows = readTabularTruth(kind, input.truth, spec, truthIssues, { classes: paramClasses })[
    Symbol.asyncIterator
  ]();
  const predictionRows = readTabularPredictions(
    truthShape,
    input.predictions,
    spec,
    issues,
    { classes, range: def.predictionRange },
    (layout) => (accumulatorParams = paramsForLayout(kind, params, layout)),
  );

  const accumulators = new Map<string, MetricAccumulator<TabularKind>>();
  const add = (id: string, truth: unknown, prediction: unknown) => {
    const p = input.partition ? input.partition(id) : 'all';
    for (const name of typeof p === 'string' ? [p] : p) {
      let acc = accumulators.get(name);
      if (!acc)
        accumulators.set(
          name,
          (acc = def.createAccumulator(accumulatorParams) as MetricAccumulator<TabularKind>),
        );
      acc.add(truth as TruthRowByKind[TabularKind], prediction as PredictionRowByKind[TabularKind]);
    }
  };

  // rows read ahead on one side and not matched yet (bounded by `window`)
  const aheadTruth = new Map<string, TruthRow<unknown>>();
  const aheadPred = new Map<string, PredictionRow<unknown>>();
  let truthBatch: TruthRow<unknown>[] = [];
  let truthPos = 0;
  let truthDone = false;
  const nextTruth = async (): Promise<TruthRow<unknown> | undefined> => {
    while (truthPos >= truthBatch.length) {
      if (truthDone) return undefined;
      const r = await truthRows.next();
      if (r.done) {
        truthDone = true;
        return undefined;
      }
      truthBatch = r.value;
      truthPos = 0;
    }
    return truthBatch[truthPos++];
  };
  const match = (t: TruthRow<unknown>, p: PredictionRow<unknown>) => {
    if (p.value !== undefined && !issues.hasIssues && !truthIssues.hasIssues) add(p.id, t.value, p.value);
  };

  let any = false;
  for await (const batch of predictionRows) {
    for (const p of batch) {
      any = true;
      // in step (the usual case): the next truth row already read has this id. No lookup, no await. Nothing
      // is waiting on either side then (predictions wait only once the truth is exhausted), so this is what
      // the general path below would do too.
      if (aheadTruth.size === 0 && truthPos < truthBatch.length && truthBatch[truthPos].id === p.id) {
        match(truthBatch[truthPos++], p);
        continue;
      }
      const waiting = aheadTruth.get(p.id);
      if (waiting) {
        aheadTruth.delete(p.id);
        match(waiting, p);
        continue;
      }
      if (aheadPred.has(p.id)) return null; // a duplicate: the exact path reports it with its first line
      // read the truth forward until this id comes (usually the very next row)
      let found = false;
      while (!found) {
        const t = await nextTruth();
        if (!t) break;
        if (t.id === p.id) {
          match(t, p);
          found = true;
        } else {
          const early = aheadPred.get(t.id);
          if (early) {
            aheadPred.delete(t.id);
            match(t, early);
          } else {
            if (aheadTruth.has(t.id)) return null; // duplicate truth id: exact path
            aheadTruth.set(t.id, t);
            if (aheadTruth.size > window) return null;
          }
        }
      }
      if (!found) {
        aheadPred.set(p.id, p);
        if (aheadPred.size > window) return null;
      }
    }
  }
  // the rest of the truth: each row must have been predicted
  for (let t = await nextTruth(); t; t = await nextTruth()) {
    const early = aheadPred.get(t.id);
    if (!early) return null; // a missing id (or a duplicate): exact path
    aheadPred.delete(t.id);
    match(t, early);
  }
  if (aheadTruth.size || aheadPred.size || !any) return null;
  truthIssues.throwIfAny();
  issues.throwIfAny();
  const scores: Record<string, number> = {};
  const rows: Record<string, number> = {};
  for (const [name, acc] of [...accumulators].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    scores[name] = acc.result();
    rows[name] = acc.count;
  }
  return { metric, direction: def.direction, scores, rows };
}
