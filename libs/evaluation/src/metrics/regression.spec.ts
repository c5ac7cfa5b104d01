import { MAPE_EPS, METRICS } from './index';
import { MetricInputError, MetricUndefinedError } from './metric.errors';

function score(metric: 'rmse' | 'mae' | 'mape' | 'r2', truth: number[], prediction: number[]): number {
  const acc = METRICS[metric].createAccumulator();
  truth.forEach((t, i) => acc.add(t, prediction[i]));
  return acc.result();
}

describe('regression metrics', () => {
  // errors: 1, -2, 0, 3 over truth 2, 4, 6, 8 (mean 5, Σ(y - mean)² = 9 + 1 + 1 + 9 = 20)
  const truth = [2, 4, 6, 8];
  const prediction = [1, 6, 6, 5];

  it('compute a hand-checked example', () => {
    expect(score('rmse', truth, prediction)).toBeCloseTo(Math.sqrt((1 + 4 + 0 + 9) / 4), 15);
    expect(score('mae', truth, prediction)).toBe(1.5);
    expect(score('mape', truth, prediction)).toBeCloseTo((1 / 2 + 2 / 4 + 0 + 3 / 8) / 4, 15);
    expect(score('r2', truth, prediction)).toBeCloseTo(1 - 14 / 20, 15);
  });

  it('are perfect on exact predictions', () => {
    expect(score('rmse', truth, truth)).toBe(0);
    expect(score('mae', truth, truth)).toBe(0);
    expect(score('mape', truth, truth)).toBe(0);
    expect(score('r2', truth, truth)).toBe(1);
  });

  it('r2 is 0 for predicting the mean, negative for worse, and follows scikit-learn on a constant truth', () => {
    expect(score('r2', truth, [5, 5, 5, 5])).toBe(0);
    expect(score('r2', [1, 2], [2, 1])).toBe(-3);
    expect(score('r2', [3, 3, 3], [3, 3, 3])).toBe(1);
    expect(score('r2', [3, 3, 3], [3, 3, 4])).toBe(0);
  });

  it('mape divides by max(|y|, eps) like scikit-learn (a zero truth gives a huge value, not Infinity)', () => {
    expect(score('mape', [0], [1])).toBe(1 / MAPE_EPS);
    expect(score('mape', [-4], [-2])).toBe(0.5);
  });

  it('stay accurate over many rows (compensated sums)', () => {
    const acc = METRICS.mae.createAccumulator();
    for (let i = 0; i < 1_000_000; i++) acc.add(1e8 + 0.1, 1e8);
    expect(acc.result()).toBeCloseTo(0.1, 7);
  });

  it('are undefined without rows (r2: fewer than two) and reject non-finite values', () => {
    expect(() => METRICS.rmse.createAccumulator().result()).toThrow(MetricUndefinedError);
    expect(() => score('r2', [1], [1])).toThrow(/at least two rows/);
    expect(() => score('mae', [1], [NaN])).toThrow(MetricInputError);
    expect(() => score('r2', [Infinity], [1])).toThrow(MetricInputError);
  });
});
