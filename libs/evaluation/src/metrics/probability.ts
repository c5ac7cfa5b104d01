/**
 * Probability metrics: `roc_auc` and `log_loss`, with scikit-learn 1.2 semantics.
 *
 * A prediction is either one number (the probability, or any score for roc_auc, of the positive class) or one value
 * per class in the order of `params.classes` (the probability columns of the predictions file).
 */
import { defineMetric } from './define-metric';
import { MetricInputError, MetricParamsError, MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator, PredictionRowByKind } from './metric-types';
import { CompensatedSum, GrowableFloat64, GrowableInt32, LabelIndex, sortLabels } from './numeric';
import { labelListParam, labelParam, readParams } from './params';

export interface ProbabilityParams {
  /** The class the single probability column refers to; default: the last label in sorted order (scikit-learn). */
  positiveLabel?: string;
  /** Class labels in the order of the per-class probability vector (set from the predictions header). */
  classes?: string[];
}

function parseProbabilityParams(metric: 'roc_auc' | 'log_loss') {
  return (raw?: unknown): ProbabilityParams => {
    const p = readParams(metric, raw, { positiveLabel: labelParam, classes: labelListParam });
    const out: ProbabilityParams = {};
    if (p.positiveLabel !== undefined) out.positiveLabel = p.positiveLabel;
    if (p.classes !== undefined) {
      if (p.classes.length < 2) {
        throw new MetricParamsError(metric, [
          { field: 'metricParams.classes', message: 'metricParams.classes needs at least two classes' },
        ]);
      }
      out.classes = p.classes;
    }
    return out;
  };
}

function quoteList(labels: readonly string[]): string {
  return labels.map((l) => `'${l}'`).join(', ');
}

/** Picks the positive class of a binary problem: `positiveLabel`, else the greater of the two labels. */
function positiveOf(metric: string, labels: readonly string[], positiveLabel: string | undefined): string {
  const sorted = sortLabels(labels);
  if (sorted.length > 2) {
    throw new MetricUndefinedError(
      metric,
      `the predictions hold one probability column but the truth has ${sorted.length} classes (${quoteList(sorted)}); give one probability column per class`,
    );
  }
  if (positiveLabel !== undefined) {
    if (sorted.length === 2 && !sorted.includes(positiveLabel)) {
      throw new MetricUndefinedError(
        metric,
        `the positive label '${positiveLabel}' does not occur in the truth (labels: ${quoteList(sorted)})`,
      );
    }
    return positiveLabel;
  }
  if (sorted.length < 2) {
    throw new MetricUndefinedError(
      metric,
      `only one class (${quoteList(sorted)}) is present in the truth; set metricParams.positiveLabel or score more rows`,
    );
  }
  return sorted[1];
}

/**
 * Area under the ROC curve from the scores of the positive and the negative rows (Mann-Whitney U: a tie between a
 * positive and a negative counts one half), equal to scikit-learn's trapezoidal `roc_auc_score`.
 */
export function binaryAuc(positives: Float64Array, negatives: Float64Array): number {
  positives.sort();
  negatives.sort();
  let below = 0; // negatives strictly below the current positive score
  let notAbove = 0; // negatives <= the current positive score
  let sum = 0;
  for (let i = 0; i < positives.length; i++) {
    const s = positives[i];
    while (below < negatives.length && negatives[below] < s) below++;
    if (notAbove < below) notAbove = below;
    while (notAbove < negatives.length && negatives[notAbove] <= s) notAbove++;
    sum += below + (notAbove - below) / 2;
  }
  return sum / (positives.length * negatives.length);
}

/** Rows are stored compactly (class index + score(s) in typed arrays): the curve needs every score. */
class ScoreStore {
  readonly truthLabels = new LabelIndex();
  readonly truth = new GrowableInt32();
  readonly scores = new GrowableFloat64();
  width = 0; // 0 until the first row: 1 for a single score, else the number of classes
}

function checkVector(
  metric: string,
  prediction: ArrayLike<number>,
  classes: readonly string[] | undefined,
): number {
  if (!classes) {
    throw new MetricInputError(
      metric,
      'a probability vector needs metricParams.classes (the class of each column)',
    );
  }
  if (prediction.length !== classes.length) {
    throw new MetricInputError(
      metric,
      `a probability vector has ${prediction.length} values but there are ${classes.length} classes`,
    );
  }
  return classes.length;
}

function checkFinite(metric: string, value: number): void {
  if (!Number.isFinite(value))
    throw new MetricInputError(metric, `a score is ${value}; scores must be finite`);
}

function rocAucAccumulator(params: ProbabilityParams): MetricAccumulator<'probability'> {
  const store = new ScoreStore();
  const classIndex = new Map((params.classes ?? []).map((c, i) => [c, i]));
  const add = (truth: string, prediction: PredictionRowByKind['probability']) => {
    const width = typeof prediction === 'number' ? 1 : checkVector('roc_auc', prediction, params.classes);
    if (store.width === 0) store.width = width;
    else if (store.width !== width)
      throw new MetricInputError('roc_auc', 'rows mix single scores and score vectors');
    if (typeof prediction === 'number') {
      checkFinite('roc_auc', prediction);
      store.truth.push(store.truthLabels.intern(truth));
      store.scores.push(prediction + 0); // + 0 turns -0 into 0
      return;
    }
    const c = classIndex.get(truth);
    if (c === undefined) {
      throw new MetricInputError(
        'roc_auc',
        `the true label '${truth}' is not one of the classes ${quoteList(params.classes ?? [])}`,
      );
    }
    store.truth.push(c);
    for (let j = 0; j < width; j++) {
      checkFinite('roc_auc', prediction[j]);
      store.scores.push(prediction[j] + 0);
    }
  };

  /** AUC of "class `cls` vs the rest" using score column `column`; undefined if one side is empty. */
  const oneVsRest = (cls: number, column: number): number | undefined => {
    const truth = store.truth.view();
    const scores = store.scores.view();
    const width = store.width;
    let nPos = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === cls) nPos++;
    const nNeg = truth.length - nPos;
    if (nPos === 0 || nNeg === 0) return undefined;
    const pos = new Float64Array(nPos);
    const neg = new Float64Array(nNeg);
    let p = 0;
    let q = 0;
    for (let i = 0; i < truth.length; i++) {
      const s = scores[i * width + column];
      if (truth[i] === cls) pos[p++] = s;
      else neg[q++] = s;
    }
    return binaryAuc(pos, neg);
  };

  const result = (): number => {
    if (store.truth.length === 0) throw new MetricUndefinedError('roc_auc', 'there are no rows to score');
    if (store.width === 1) {
      const positive = positiveOf('roc_auc', store.truthLabels.labels, params.positiveLabel);
      const cls = store.truthLabels.get(positive);
      const auc = cls === undefined ? undefined : oneVsRest(cls, 0);
      if (auc === undefined) {
        throw new MetricUndefinedError(
          'roc_auc',
          'only one class is present in the truth; ROC AUC needs both classes',
        );
      }
      return auc;
    }
    const classes = params.classes as string[];
    if (classes.length === 2) {
      const positive = params.positiveLabel ?? sortLabels(classes)[1];
      const cls = classes.indexOf(positive);
      if (cls < 0) {
        throw new MetricUndefinedError(
          'roc_auc',
          `the positive label '${positive}' is not one of the classes ${quoteList(classes)}`,
        );
      }
      const auc = oneVsRest(cls, cls);
      if (auc === undefined) {
        throw new MetricUndefinedError(
          'roc_auc',
          'only one class is present in the truth; ROC AUC needs both classes',
        );
      }
      return auc;
    }
    // one-vs-rest, macro average over the classes that have both positive and negative rows
    let sum = 0;
    let defined = 0;
    for (let c = 0; c < classes.length; c++) {
      const auc = oneVsRest(c, c);
      if (auc !== undefined) {
        sum += auc;
        defined++;
      }
    }
    if (defined === 0) {
      throw new MetricUndefinedError(
        'roc_auc',
        'only one class is present in the truth; ROC AUC needs at least two',
      );
    }
    return sum / defined;
  };

  return {
    add,
    get count() {
      return store.truth.length;
    },
    result,
  };
}

/** scikit-learn's clipping bound: machine epsilon of float64. */
export const LOG_LOSS_EPS = 2.220446049250313e-16;

const clip = (p: number) => Math.min(Math.max(p, LOG_LOSS_EPS), 1 - LOG_LOSS_EPS);

function logLossAccumulator(params: ProbabilityParams): MetricAccumulator<'probability'> {
  // single-column mode: per true label, the loss if that label were the positive class and if it were the negative
  const perLabel = new Map<string, { positive: CompensatedSum; negative: CompensatedSum }>();
  const vectorLoss = new CompensatedSum();
  const classIndex = new Map((params.classes ?? []).map((c, i) => [c, i]));
  let width = 0;
  let n = 0;

  const add = (truth: string, prediction: PredictionRowByKind['probability']) => {
    const w = typeof prediction === 'number' ? 1 : checkVector('log_loss', prediction, params.classes);
    if (width === 0) width = w;
    else if (width !== w)
      throw new MetricInputError('log_loss', 'rows mix single probabilities and probability vectors');
    if (typeof prediction === 'number') {
      if (!(prediction >= 0 && prediction <= 1)) {
        throw new MetricInputError(
          'log_loss',
          `a probability is ${prediction}; probabilities must be in [0, 1]`,
        );
      }
      // as scikit-learn: clip, make the pair [1 - p, p], renormalize by its sum, take -log of the true class
      const p = clip(prediction);
      const q = 1 - p;
      const s = q + p;
      let sums = perLabel.get(truth);
      if (!sums)
        perLabel.set(truth, (sums = { positive: new CompensatedSum(), negative: new CompensatedSum() }));
      sums.positive.add(-Math.log(p / s));
      sums.negative.add(-Math.log(q / s));
      n++;
      return;
    }
    const t = classIndex.get(truth);
    if (t === undefined) {
      throw new MetricInputError(
        'log_loss',
        `the true label '${truth}' is not one of the classes ${quoteList(params.classes ?? [])}`,
      );
    }
    let s = 0;
    for (let j = 0; j < w; j++) {
      const v = prediction[j];
      if (!(v >= 0 && v <= 1)) {
        throw new MetricInputError('log_loss', `a probability is ${v}; probabilities must be in [0, 1]`);
      }
      s += clip(v);
    }
    vectorLoss.add(-Math.log(clip(prediction[t]) / s));
    n++;
  };

  const result = (): number => {
    if (n === 0) throw new MetricUndefinedError('log_loss', 'there are no rows to score');
    if (width > 1) return vectorLoss.value / n;
    const labels = [...perLabel.keys()];
    if (labels.length < 2 && params.positiveLabel === undefined) {
      throw new MetricUndefinedError(
        'log_loss',
        `the truth contains only one label (${quoteList(labels)}); set metricParams.positiveLabel to say which class the probabilities are for`,
      );
    }
    const positive = positiveOf('log_loss', labels, params.positiveLabel);
    const total = new CompensatedSum();
    for (const [label, sums] of perLabel)
      total.add(label === positive ? sums.positive.value : sums.negative.value);
    return total.value / n;
  };

  return {
    add,
    get count() {
      return n;
    },
    result,
  };
}

export const rocAuc = defineMetric({
  name: 'roc_auc',
  kind: 'probability',
  direction: 'higher',
  description:
    'Area under the ROC curve: binary from the positive-class score; with one column per class, one-vs-rest macro average.',
  range: [0, 1],
  parseParams: parseProbabilityParams('roc_auc'),
  accumulator: rocAucAccumulator,
});

export const logLoss = defineMetric({
  name: 'log_loss',
  kind: 'probability',
  direction: 'lower',
  description:
    'Mean negative natural log of the probability given to the true class (clipped to [eps, 1 - eps]).',
  range: [0, Infinity],
  predictionRange: [0, 1],
  parseParams: parseProbabilityParams('log_loss'),
  accumulator: logLossAccumulator,
});
