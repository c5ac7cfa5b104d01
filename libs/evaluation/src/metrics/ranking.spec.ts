import { firstRelevantRank, METRICS } from './index';
import { MetricParamsError, MetricUndefinedError } from './metric.errors';

function score(
  metric: 'mrr' | 'hits_at_k',
  truth: string[][],
  prediction: string[][],
  params?: unknown,
): number {
  const acc = METRICS[metric].createAccumulator(params);
  truth.forEach((t, i) => acc.add(t, prediction[i]));
  return acc.result();
}

describe('ranking metrics', () => {
  // ranks 1, 3, none, 2
  const truth = [['北京'], ['c'], ['z'], ['x', 'y']];
  const prediction = [
    ['北京', '上海'],
    ['a', 'b', 'c'],
    ['a', 'b'],
    ['q', 'y', 'x'],
  ];

  it('finds the first relevant candidate', () => {
    expect(truth.map((t, i) => firstRelevantRank(t, prediction[i]))).toEqual([1, 3, 0, 2]);
  });

  it('mrr averages reciprocal ranks, 0 for a miss', () => {
    expect(score('mrr', truth, prediction)).toBeCloseTo((1 + 1 / 3 + 0 + 1 / 2) / 4, 15);
    expect(score('mrr', [['a']], [['a']])).toBe(1);
    expect(score('mrr', [['a']], [[]])).toBe(0);
  });

  it('hits_at_k counts ranks within k', () => {
    expect(score('hits_at_k', truth, prediction, { k: 1 })).toBe(0.25);
    expect(score('hits_at_k', truth, prediction, { k: 2 })).toBe(0.5);
    expect(score('hits_at_k', truth, prediction, { k: 3 })).toBe(0.75);
    expect(score('hits_at_k', truth, prediction, { k: 100 })).toBe(0.75);
  });

  it('hits_at_k needs an integer k >= 1', () => {
    expect(() => METRICS.hits_at_k.parseParams({})).toThrow(MetricParamsError);
    expect(() => METRICS.hits_at_k.parseParams({})).toThrow(/metricParams.k is required/);
    expect(() => METRICS.hits_at_k.parseParams({ k: 0 })).toThrow(/integer >= 1/);
    expect(() => METRICS.hits_at_k.parseParams({ k: 2.5 })).toThrow(/integer >= 1/);
    expect(() => METRICS.hits_at_k.createAccumulator()).toThrow(MetricParamsError);
    expect(METRICS.hits_at_k.parseParams({ k: 10 })).toEqual({ k: 10 });
    expect(() => METRICS.mrr.parseParams({ k: 10 })).toThrow(/takes no parameters/);
  });

  it('is undefined without rows', () => {
    expect(() => METRICS.mrr.createAccumulator().result()).toThrow(MetricUndefinedError);
    expect(() => METRICS.hits_at_k.createAccumulator({ k: 1 }).result()).toThrow(MetricUndefinedError);
  });
});
