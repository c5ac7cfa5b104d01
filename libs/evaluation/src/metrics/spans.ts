/**
 * span_f1: micro F1 of named-entity spans. A predicted span counts when a true span of the same document has
 * exactly the same start, end and type; spans are sets per document (a repeated span counts once).
 */
import { defineMetric } from './define-metric';
import { MetricInputError, MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator, Span } from './metric-types';
import { readParams } from './params';

function spanKeys(spans: readonly Span[]): Set<string> {
  const keys = new Set<string>();
  for (const s of spans) {
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end) || typeof s.type !== 'string') {
      throw new MetricInputError('span_f1', 'a span needs integer start and end and a string type');
    }
    keys.add(`${s.start}\u0000${s.end}\u0000${s.type}`);
  }
  return keys;
}

export const spanF1 = defineMetric({
  name: 'span_f1',
  kind: 'spans',
  direction: 'higher',
  description: 'Micro F1 over entity spans matched exactly on start, end and type.',
  range: [0, 1],
  parseParams: (raw?: unknown): Record<string, never> => {
    readParams('span_f1', raw, {});
    return {};
  },
  accumulator: (): MetricAccumulator<'spans'> => {
    let truePositives = 0;
    let truthSpans = 0;
    let predictedSpans = 0;
    let n = 0;
    return {
      add(truth, prediction) {
        const t = spanKeys(truth);
        const p = spanKeys(prediction);
        for (const key of p) if (t.has(key)) truePositives++;
        truthSpans += t.size;
        predictedSpans += p.size;
        n++;
      },
      get count() {
        return n;
      },
      result() {
        if (n === 0) throw new MetricUndefinedError('span_f1', 'there are no rows to score');
        // 2PR / (P + R) = 2 tp / (|truth| + |predicted|); 0 when there is nothing on either side (as seqeval)
        const denominator = truthSpans + predictedSpans;
        return denominator === 0 ? 0 : (2 * truePositives) / denominator;
      },
    };
  },
});
