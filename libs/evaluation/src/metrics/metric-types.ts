/**
 * The metric contract. Names are fixed by API.md ("Evaluation"); every metric is a small streaming
 * accumulator over rows that the caller has already parsed and aligned by id.
 */
export const METRIC_NAMES = [
  'accuracy',
  'macro_f1',
  'micro_f1',
  'weighted_f1',
  'precision',
  'recall',
  'roc_auc',
  'log_loss',
  'rmse',
  'mae',
  'mape',
  'r2',
  'map_iou',
  'span_f1',
  'bleu',
  'rouge_l',
  'wer',
  'cer',
  'mrr',
  'hits_at_k',
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

/** Whether a higher or a lower score is better (leaderboards sort by this). */
export type MetricDirection = 'higher' | 'lower';

/**
 * The kind of target a metric takes, which fixes the file format and the row types:
 * - `label`: CSV `id,target`, one class label per row (truth and predictions).
 * - `probability`: CSV; truth holds labels, predictions the probability of the positive class (column
 *   `target`) or one column per class named by the class.
 * - `numeric`: CSV `id,target` with numbers on both sides.
 * - `ranking`: CSV `id,target`; truth holds the relevant candidate(s), predictions a ranked list, `|`-separated.
 * - `detection`: COCO-style JSON (ground truth `{images, annotations, categories}`, predictions `[{image_id,
 *   category_id, bbox, score}]`); rows are the boxes of one image.
 * - `spans`: JSON lines `{id, spans: [{start, end, type}]}`.
 * - `text`: CSV `id,text`.
 */
export type MetricKind = 'label' | 'probability' | 'numeric' | 'ranking' | 'detection' | 'spans' | 'text';

export const METRIC_KINDS: readonly MetricKind[] = [
  'label',
  'probability',
  'numeric',
  'ranking',
  'detection',
  'spans',
  'text',
];

/** A box `[x, y, width, height]` in pixels (COCO convention: x, y is the top-left corner). */
export type BoundingBox = readonly [number, number, number, number];

export interface GroundTruthBox {
  /** COCO `category_id`, as a string. */
  readonly category: string;
  readonly bbox: BoundingBox;
  /** COCO `iscrowd`: the box neither counts as a miss nor turns a matching detection into a false positive. */
  readonly iscrowd?: boolean;
}

export interface DetectionBox {
  readonly category: string;
  readonly bbox: BoundingBox;
  readonly score: number;
}

/** A named-entity span: `[start, end)` character offsets and a type. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

/** What `add()` takes as the ground-truth side of one row, per kind. */
export interface TruthRowByKind {
  label: string;
  probability: string;
  numeric: number;
  /** The relevant candidates (usually one). */
  ranking: readonly string[];
  /** All ground-truth boxes of one image. */
  detection: readonly GroundTruthBox[];
  spans: readonly Span[];
  text: string;
}

/** What `add()` takes as the prediction side of one row, per kind. */
export interface PredictionRowByKind {
  label: string;
  /** Probability (or score) of the positive class, or one value per class in the order of `params.classes`. */
  probability: number | ArrayLike<number>;
  numeric: number;
  /** Candidates, best first. */
  ranking: readonly string[];
  /** All detections of one image (any order). */
  detection: readonly DetectionBox[];
  spans: readonly Span[];
  text: string;
}

export interface MetricAccumulator<K extends MetricKind = MetricKind> {
  /** Adds one aligned row (for `detection`: one image). */
  add(truth: TruthRowByKind[K], prediction: PredictionRowByKind[K]): void;
  /** Rows (images for `detection`) added so far. */
  readonly count: number;
  /** The score over the rows added so far. Throws `MetricUndefinedError` when it is not defined. */
  result(): number;
}

export interface MetricDefinition<K extends MetricKind = MetricKind, P = unknown> {
  readonly name: MetricName;
  readonly kind: K;
  readonly direction: MetricDirection;
  /** One line for people (docs, API errors). */
  readonly description: string;
  /** The range of the score. */
  readonly range: readonly [number, number];
  /**
   * For `probability` metrics: the values a prediction may hold (checked by the file readers, with line numbers).
   */
  readonly predictionRange?: readonly [number, number];
  /** Validates and normalizes `metricParams` (throws `MetricParamsError` listing every problem). */
  parseParams(raw?: unknown): P;
  /** A fresh accumulator; `params` are validated with `parseParams`. */
  createAccumulator(params?: unknown): MetricAccumulator<K>;
}

/** Every metric definition, discriminated by `kind` so `if (def.kind === 'label')` narrows the row types. */
export type AnyMetricDefinition = { [K in MetricKind]: MetricDefinition<K> }[MetricKind];
