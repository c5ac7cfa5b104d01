import { METRICS } from './index';
import { MetricParamsError, MetricUndefinedError } from './metric.errors';

type LabelMetric = 'accuracy' | 'macro_f1' | 'micro_f1' | 'weighted_f1' | 'precision' | 'recall';

function score(metric: LabelMetric, truth: string[], prediction: string[], params?: unknown): number {
  const acc = METRICS[metric].createAccumulator(params);
  truth.forEach((t, i) => acc.add(t, prediction[i]));
  expect(acc.count).toBe(truth.length);
  return acc.result();
}

describe('label metrics', () => {
  // truth a a a b b c, prediction a a b b c c
  // a: tp 2, predicted 2, support 3 -> P 1, R 2/3, F1 0.8
  // b: tp 1, predicted 2, support 2 -> P 1/2, R 1/2, F1 1/2
  // c: tp 1, predicted 2, support 1 -> P 1/2, R 1, F1 2/3
  const truth = ['a', 'a', 'a', 'b', 'b', 'c'];
  const prediction = ['a', 'a', 'b', 'b', 'c', 'c'];

  it('computes a hand-checked 3-class example', () => {
    expect(score('accuracy', truth, prediction)).toBeCloseTo(4 / 6, 15);
    expect(score('macro_f1', truth, prediction)).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3, 15);
    expect(score('micro_f1', truth, prediction)).toBeCloseTo(4 / 6, 15);
    expect(score('weighted_f1', truth, prediction)).toBeCloseTo((0.8 * 3 + 0.5 * 2 + (2 / 3) * 1) / 6, 15);
    expect(score('precision', truth, prediction, { average: 'macro' })).toBeCloseTo((1 + 0.5 + 0.5) / 3, 15);
    expect(score('recall', truth, prediction, { average: 'macro' })).toBeCloseTo((2 / 3 + 0.5 + 1) / 3, 15);
    expect(score('precision', truth, prediction, { average: 'weighted' })).toBeCloseTo((3 + 1 + 0.5) / 6, 15);
    expect(score('recall', truth, prediction, { average: 'micro' })).toBeCloseTo(4 / 6, 15);
  });

  it('counts a label that only the predictions use in the macro average (as scikit-learn)', () => {
    // x: predicted once, never true -> F1 0; a: tp 1, predicted 1, support 2 -> F1 2/3
    expect(score('macro_f1', ['a', 'a'], ['a', 'x'])).toBeCloseTo((2 / 3 + 0) / 2, 15);
    expect(score('weighted_f1', ['a', 'a'], ['a', 'x'])).toBeCloseTo(2 / 3, 15);
  });

  it('scores perfect predictions 1 and all-wrong predictions 0', () => {
    const t = ['x', 'y', 'z', 'x'];
    for (const m of ['accuracy', 'macro_f1', 'micro_f1', 'weighted_f1'] as const) {
      expect(score(m, t, t)).toBe(1);
      expect(score(m, t, ['y', 'z', 'x', 'z'])).toBe(0);
    }
  });

  it('handles a single class', () => {
    expect(score('macro_f1', ['only', 'only'], ['only', 'only'])).toBe(1);
    expect(score('accuracy', ['only'], ['only'])).toBe(1);
    // binary precision for a positive label that never occurs: 0 (zero division), as scikit-learn
    expect(score('precision', ['0', '0'], ['0', '0'])).toBe(0);
  });

  it('uses the positive label for binary precision and recall', () => {
    // positive '1': tp 1, predicted 2, support 3
    const t = ['1', '1', '1', '0'];
    const p = ['1', '0', '0', '1'];
    expect(score('precision', t, p)).toBe(0.5);
    expect(score('recall', t, p)).toBeCloseTo(1 / 3, 15);
    // positive '0': tp 0, predicted 2, support 1
    expect(score('recall', t, p, { positiveLabel: '0' })).toBe(0);
    expect(score('precision', ['0', '0', '1'], ['0', '1', '1'], { positiveLabel: 0 })).toBe(1); // JSON number = label
  });

  it('refuses binary averaging on multiclass labels and a positive label that does not occur', () => {
    expect(() => score('precision', truth, prediction)).toThrow(MetricUndefinedError);
    expect(() => score('precision', truth, prediction)).toThrow(/multiclass.*macro, micro or weighted/);
    expect(() => score('recall', ['yes', 'no'], ['yes', 'yes'])).toThrow(/positive label '1' does not occur/);
  });

  it('is undefined without rows', () => {
    for (const m of ['accuracy', 'macro_f1', 'precision'] as const) {
      expect(() => METRICS[m].createAccumulator().result()).toThrow(MetricUndefinedError);
    }
  });

  it('validates params', () => {
    expect(METRICS.precision.parseParams(undefined)).toEqual({ average: 'binary', positiveLabel: '1' });
    expect(METRICS.accuracy.parseParams({ classes: ['a', 'b'] })).toEqual({ classes: ['a', 'b'] });
    expect(() => METRICS.precision.parseParams({ average: 'samples' })).toThrow(MetricParamsError);
    expect(() => METRICS.accuracy.parseParams({ k: 1 })).toThrow(/unknown parameter 'k'/);
    expect(() => METRICS.accuracy.parseParams({ classes: ['a', 'a'] })).toThrow(/more than once/);
    expect(() => METRICS.macro_f1.parseParams([1])).toThrow(/must be a JSON object/);
    try {
      METRICS.recall.parseParams({ average: 1, positiveLabel: '', extra: true });
      throw new Error('not thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(MetricParamsError);
      const e = error as MetricParamsError;
      expect(e.code).toBe('VALIDATION_FAILED');
      expect((e.extra.errors as { field: string }[]).map((x) => x.field).sort()).toEqual([
        'metricParams.average',
        'metricParams.extra',
        'metricParams.positiveLabel',
      ]);
    }
  });
});
