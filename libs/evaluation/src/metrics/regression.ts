/**
 * Regression metrics (scikit-learn semantics): rmse, mae, mape, r2. O(1) memory: compensated running sums, and
 * Welford's update for the variance of the truth in r2.
 */
import { defineMetric } from './define-metric';
import { MetricInputError, MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator } from './metric-types';
import { CompensatedSum } from './numeric';
import { readParams } from './params';

/** scikit-learn's floor for |y| in mape (float64 machine epsilon). */
export const MAPE_EPS = 2.220446049250313e-16;

function noParams(metric: 'rmse' | 'mae' | 'mape' | 'r2') {
  return (raw?: unknown): Record<string, never> => {
    readParams(metric, raw, {});
    return {};
  };
}

function meanAccumulator(
  metric: 'rmse' | 'mae' | 'mape',
  term: (truth: number, prediction: number) => number,
  finish: (mean: number) => number = (m) => m,
): MetricAccumulator<'numeric'> {
  const sum = new CompensatedSum();
  let n = 0;
  return {
    add(truth, prediction) {
      if (!Number.isFinite(truth) || !Number.isFinite(prediction)) {
        throw new MetricInputError(metric, 'values must be finite numbers');
      }
      sum.add(term(truth, prediction));
      n++;
    },
    get count() {
      return n;
    },
    result() {
      if (n === 0) throw new MetricUndefinedError(metric, 'there are no rows to score');
      return finish(sum.value / n);
    },
  };
}

export const rmse = defineMetric({
  name: 'rmse',
  kind: 'numeric',
  direction: 'lower',
  description: 'Root mean squared error: sqrt(mean((y - ŷ)²)).',
  range: [0, Infinity],
  parseParams: noParams('rmse'),
  accumulator: () =>
    meanAccumulator(
      'rmse',
      (y, p) => (y - p) ** 2,
      (m) => Math.sqrt(m),
    ),
});

export const mae = defineMetric({
  name: 'mae',
  kind: 'numeric',
  direction: 'lower',
  description: 'Mean absolute error: mean(|y - ŷ|).',
  range: [0, Infinity],
  parseParams: noParams('mae'),
  accumulator: () => meanAccumulator('mae', (y, p) => Math.abs(y - p)),
});

export const mape = defineMetric({
  name: 'mape',
  kind: 'numeric',
  direction: 'lower',
  description: 'Mean absolute percentage error as a fraction: mean(|y - ŷ| / max(|y|, eps)) (0.1 = 10 %).',
  range: [0, Infinity],
  parseParams: noParams('mape'),
  accumulator: () => meanAccumulator('mape', (y, p) => Math.abs(y - p) / Math.max(Math.abs(y), MAPE_EPS)),
});

export const r2 = defineMetric({
  name: 'r2',
  kind: 'numeric',
  direction: 'higher',
  description: 'Coefficient of determination: 1 - Σ(y - ŷ)² / Σ(y - mean(y))².',
  range: [-Infinity, 1],
  parseParams: noParams('r2'),
  accumulator: (): MetricAccumulator<'numeric'> => {
    const residual = new CompensatedSum();
    let n = 0;
    let mean = 0;
    let m2 = 0; // Σ(y - mean)², Welford
    return {
      add(truth, prediction) {
        if (!Number.isFinite(truth) || !Number.isFinite(prediction)) {
          throw new MetricInputError('r2', 'values must be finite numbers');
        }
        residual.add((truth - prediction) ** 2);
        n++;
        const delta = truth - mean;
        mean += delta / n;
        m2 += delta * (truth - mean);
      },
      get count() {
        return n;
      },
      result() {
        if (n < 2) throw new MetricUndefinedError('r2', `it needs at least two rows (got ${n})`);
        const numerator = residual.value;
        // scikit-learn (force_finite): a constant truth scores 1 if predicted exactly, else 0
        if (m2 === 0) return numerator === 0 ? 1 : 0;
        return 1 - numerator / m2;
      },
    };
  },
});
