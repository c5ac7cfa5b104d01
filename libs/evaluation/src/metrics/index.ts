import { accuracy, macroF1, microF1, precision, recall, weightedF1 } from './classification';
import { mapIou } from './detection';
import type { AnyMetricDefinition, MetricAccumulator, MetricKind, MetricName } from './metric-types';
import { METRIC_NAMES } from './metric-types';
import { logLoss, rocAuc } from './probability';
import { hitsAtK, mrr } from './ranking';
import { mae, mape, r2, rmse } from './regression';
import { spanF1 } from './spans';
import { bleu, cer, rougeL, wer } from './text';

export * from './metric-types';
export * from './metric.errors';
export {
  averagedScores,
  ConfusionCounts,
  type Average,
  type LabelParams,
  type PrecisionRecallParams,
} from './classification';
export { binaryAuc, LOG_LOSS_EPS, type ProbabilityParams } from './probability';
export { MAPE_EPS } from './regression';
export { firstRelevantRank, type HitsAtKParams } from './ranking';
export { boxIou, COCO_IOU_THRESHOLDS, COCO_RECALL_THRESHOLDS, type MapIouParams } from './detection';
export { bleuFromStatistics, rougeLF1, BLEU_MAX_ORDER, type BleuParams, type BleuStatistics } from './text';
export {
  charTokens,
  editDistance,
  isSacrebleuChineseChar,
  lcsLength,
  sacrebleuTokens,
  wordTokens,
  type BleuTokenizer,
} from './text-tokenize';
export { sortLabels, compareCodePoints } from './numeric';

/** Every metric of API.md, by name. */
export const METRICS = {
  accuracy,
  macro_f1: macroF1,
  micro_f1: microF1,
  weighted_f1: weightedF1,
  precision,
  recall,
  roc_auc: rocAuc,
  log_loss: logLoss,
  rmse,
  mae,
  mape,
  r2,
  map_iou: mapIou,
  span_f1: spanF1,
  bleu,
  rouge_l: rougeL,
  wer,
  cer,
  mrr,
  hits_at_k: hitsAtK,
} as const satisfies Record<MetricName, AnyMetricDefinition>;

export function isMetricName(value: unknown): value is MetricName {
  return typeof value === 'string' && (METRIC_NAMES as readonly string[]).includes(value);
}

/** The definition of `name`, typed as the union (narrow it with `def.kind`). */
export function getMetric(name: MetricName): AnyMetricDefinition {
  return METRICS[name];
}

/** Metrics that take files of `kind`. */
export function metricsOfKind(kind: MetricKind): MetricName[] {
  return METRIC_NAMES.filter((name) => METRICS[name].kind === kind);
}

/** A fresh accumulator for `name` of kind `K` (params validated); throws if the metric is of another kind. */
export function createAccumulator<K extends MetricKind>(
  name: MetricName,
  kind: K,
  params?: unknown,
): MetricAccumulator<K> {
  const def = METRICS[name] as AnyMetricDefinition;
  if (def.kind !== kind) throw new TypeError(`${name} takes ${def.kind} rows, not ${kind}`);
  return def.createAccumulator(params) as MetricAccumulator<K>;
}
