/**
 * Ranking / knowledge-graph metrics: mrr and hits_at_k. Each row is one query: the truth lists the relevant
 * candidate(s), the prediction the candidates best first. The rank is the 1-based position of the first relevant
 * candidate in the prediction; a query whose relevant candidates are all absent has no rank (reciprocal rank 0, a miss).
 */
import { defineMetric } from './define-metric';
import { MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator } from './metric-types';
import { CompensatedSum } from './numeric';
import { integerParam, readParams, required } from './params';

/** 1-based rank of the first relevant candidate, or 0 when none is listed. */
export function firstRelevantRank(relevant: readonly string[], ranking: readonly string[]): number {
  if (relevant.length === 1) {
    const i = ranking.indexOf(relevant[0]);
    return i + 1;
  }
  const set = new Set(relevant);
  for (let i = 0; i < ranking.length; i++) if (set.has(ranking[i])) return i + 1;
  return 0;
}

export const mrr = defineMetric({
  name: 'mrr',
  kind: 'ranking',
  direction: 'higher',
  description: 'Mean reciprocal rank of the first relevant candidate (0 for a query where it is missing).',
  range: [0, 1],
  parseParams: (raw?: unknown): Record<string, never> => {
    readParams('mrr', raw, {});
    return {};
  },
  accumulator: (): MetricAccumulator<'ranking'> => {
    const sum = new CompensatedSum();
    let n = 0;
    return {
      add(truth, prediction) {
        const rank = firstRelevantRank(truth, prediction);
        if (rank > 0) sum.add(1 / rank);
        n++;
      },
      get count() {
        return n;
      },
      result() {
        if (n === 0) throw new MetricUndefinedError('mrr', 'there are no rows to score');
        return sum.value / n;
      },
    };
  },
});

export interface HitsAtKParams {
  k: number;
}

export const hitsAtK = defineMetric({
  name: 'hits_at_k',
  kind: 'ranking',
  direction: 'higher',
  description: 'Share of queries whose first relevant candidate is within the top k of the ranking.',
  range: [0, 1],
  parseParams: (raw?: unknown): HitsAtKParams =>
    readParams('hits_at_k', raw, { k: required(integerParam(1), 'the cut-off, e.g. {"k": 10}') }),
  accumulator: ({ k }: HitsAtKParams): MetricAccumulator<'ranking'> => {
    let hits = 0;
    let n = 0;
    return {
      add(truth, prediction) {
        const rank = firstRelevantRank(truth, prediction);
        if (rank > 0 && rank <= k) hits++;
        n++;
      },
      get count() {
        return n;
      },
      result() {
        if (n === 0) throw new MetricUndefinedError('hits_at_k', 'there are no rows to score');
        return hits / n;
      },
    };
  },
});
