/**
 * Label metrics (scikit-learn semantics, checked against Debian's python3-sklearn 1.2): accuracy, F1 (macro, micro,
 * weighted), precision and recall. Memory is O(#classes): only confusion counts are kept.
 */
import { defineMetric } from './define-metric';
import { MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator, MetricName } from './metric-types';
import { LabelIndex, sortLabels } from './numeric';
import { labelListParam, labelParam, oneOf, readParams } from './params';

/** Per-class counts: true positives, truth support, predicted count. */
export class ConfusionCounts {
  readonly labels = new LabelIndex();
  private readonly tp: number[] = [];
  private readonly truthCount: number[] = [];
  private readonly predictedCount: number[] = [];
  n = 0;
  correct = 0;

  add(truth: string, prediction: string): void {
    const t = this.index(truth);
    const p = this.index(prediction);
    this.truthCount[t]++;
    this.predictedCount[p]++;
    if (t === p) {
      this.tp[t]++;
      this.correct++;
    }
    this.n++;
  }

  private index(label: string): number {
    const i = this.labels.intern(label);
    if (i === this.tp.length) {
      this.tp.push(0);
      this.truthCount.push(0);
      this.predictedCount.push(0);
    }
    return i;
  }

  /** Counts of one label (zeros for a label never seen). */
  of(label: string): { tp: number; support: number; predicted: number } {
    const i = this.labels.get(label);
    if (i === undefined) return { tp: 0, support: 0, predicted: 0 };
    return { tp: this.tp[i], support: this.truthCount[i], predicted: this.predictedCount[i] };
  }
}

export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

interface Prf {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** scikit-learn's `precision_recall_fscore_support` for one set of counts; 0 where a ratio is 0/0. */
function prf(tp: number, predicted: number, support: number): Prf {
  const precision = predicted === 0 ? 0 : tp / predicted;
  const recall = support === 0 ? 0 : tp / support;
  const denominator = precision + recall;
  const f1 = denominator === 0 ? 0 : (2 * precision * recall) / denominator;
  return { precision, recall, f1, support };
}

/**
 * Averaged precision, recall and F1 as scikit-learn computes them; labels are those present in the truth or the
 * predictions (`unique_labels`), in sorted order.
 */
export function averagedScores(
  metric: MetricName,
  counts: ConfusionCounts,
  average: Average,
  positiveLabel = '1',
): Prf {
  if (counts.n === 0) throw new MetricUndefinedError(metric, 'there are no rows to score');
  const labels = sortLabels(counts.labels.labels);
  if (average === 'micro') {
    return prf(counts.correct, counts.n, counts.n);
  }
  if (average === 'binary') {
    if (labels.length > 2) {
      throw new MetricUndefinedError(
        metric,
        `the labels are multiclass (${labels.length} classes) but average is 'binary'; set metricParams.average to macro, micro or weighted`,
      );
    }
    if (!labels.includes(positiveLabel) && labels.length === 2) {
      throw new MetricUndefinedError(
        metric,
        `the positive label '${positiveLabel}' does not occur; the labels are ${labels.map((l) => `'${l}'`).join(', ')} (set metricParams.positiveLabel)`,
      );
    }
    const c = counts.of(positiveLabel);
    return prf(c.tp, c.predicted, c.support);
  }
  const perLabel = labels.map((label) => {
    const c = counts.of(label);
    return prf(c.tp, c.predicted, c.support);
  });
  const weights = perLabel.map((s) => (average === 'weighted' ? s.support : 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  if (totalWeight === 0) return { precision: 0, recall: 0, f1: 0, support: 0 };
  const mean = (key: 'precision' | 'recall' | 'f1') =>
    perLabel.reduce((sum, s, i) => sum + s[key] * weights[i], 0) / totalWeight;
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), support: counts.n };
}

/** `classes` is accepted by every label metric: it only tells the file readers which labels are valid. */
const classesParam = { classes: labelListParam };

export interface LabelParams {
  classes?: string[];
}

export interface PrecisionRecallParams extends LabelParams {
  average: Average;
  positiveLabel: string;
}

function parseLabelParams(metric: MetricName) {
  return (raw?: unknown): LabelParams => {
    const { classes } = readParams(metric, raw, classesParam);
    return classes ? { classes } : {};
  };
}

function parsePrecisionRecallParams(metric: MetricName) {
  return (raw?: unknown): PrecisionRecallParams => {
    const p = readParams(metric, raw, {
      ...classesParam,
      average: oneOf<Average>('binary', 'macro', 'micro', 'weighted'),
      positiveLabel: labelParam,
    });
    return {
      ...(p.classes ? { classes: p.classes } : {}),
      average: p.average ?? 'binary',
      positiveLabel: p.positiveLabel ?? '1',
    };
  };
}

function labelAccumulator(score: (counts: ConfusionCounts) => number): MetricAccumulator<'label'> {
  const counts = new ConfusionCounts();
  return {
    add: (truth, prediction) => counts.add(truth, prediction),
    get count() {
      return counts.n;
    },
    result: () => score(counts),
  };
}

export const accuracy = defineMetric({
  name: 'accuracy',
  kind: 'label',
  direction: 'higher',
  description: 'Share of rows whose predicted label equals the true label.',
  range: [0, 1],
  parseParams: parseLabelParams('accuracy'),
  accumulator: () =>
    labelAccumulator((c) => {
      if (c.n === 0) throw new MetricUndefinedError('accuracy', 'there are no rows to score');
      return c.correct / c.n;
    }),
});

function f1Metric(name: 'macro_f1' | 'micro_f1' | 'weighted_f1', average: Average, description: string) {
  return defineMetric({
    name,
    kind: 'label',
    direction: 'higher',
    description,
    range: [0, 1],
    parseParams: parseLabelParams(name),
    accumulator: () => labelAccumulator((c) => averagedScores(name, c, average).f1),
  });
}

export const macroF1 = f1Metric(
  'macro_f1',
  'macro',
  'Unweighted mean over classes of the per-class F1 (classes present in the truth or the predictions).',
);
export const microF1 = f1Metric(
  'micro_f1',
  'micro',
  'F1 of the pooled counts; equals accuracy for single-label rows.',
);
export const weightedF1 = f1Metric(
  'weighted_f1',
  'weighted',
  'Mean over classes of the per-class F1 weighted by the number of true rows of each class.',
);

function precisionRecallMetric(name: 'precision' | 'recall') {
  return defineMetric({
    name,
    kind: 'label',
    direction: 'higher',
    description:
      name === 'precision'
        ? 'Share of predicted positives that are right (binary for `positiveLabel`, or averaged).'
        : 'Share of true positives that were found (binary for `positiveLabel`, or averaged).',
    range: [0, 1],
    parseParams: parsePrecisionRecallParams(name),
    accumulator: (params: PrecisionRecallParams) =>
      labelAccumulator((c) => averagedScores(name, c, params.average, params.positiveLabel)[name]),
  });
}

export const precision = precisionRecallMetric('precision');
export const recall = precisionRecallMetric('recall');
