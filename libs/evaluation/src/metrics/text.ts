/**
 * Text metrics: bleu (corpus BLEU-4, sacreBLEU semantics), rouge_l (mean per-row LCS F-measure), wer and cer
 * (corpus-level: total edits / total reference length). Tokenization: ./text-tokenize.ts and docs/metrics.md.
 */
import { defineMetric } from './define-metric';
import { MetricUndefinedError } from './metric.errors';
import type { MetricAccumulator } from './metric-types';
import { CompensatedSum } from './numeric';
import { booleanParam, oneOf, readParams } from './params';
import {
  type BleuTokenizer,
  charTokens,
  editDistance,
  lcsLength,
  sacrebleuTokens,
  wordTokens,
} from './text-tokenize';

export const BLEU_MAX_ORDER = 4;

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '); // tokens never contain whitespace
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** sacreBLEU's `my_log`: log(0) is a large negative number instead of -Infinity. */
const sacreLog = (x: number) => (x === 0 ? -9999999999 : Math.log(x));

/** BLEU statistics summed over the corpus. */
export interface BleuStatistics {
  hypothesisLength: number;
  referenceLength: number;
  correct: number[];
  total: number[];
}

/**
 * sacreBLEU's `BLEU.compute_bleu` with its corpus defaults (max order 4, smoothing `exp`, no effective order),
 * computed on fractions instead of percentages so the score is in [0, 1] (identical text scores exactly 1; sacreBLEU's
 * percentages differ from 100 × this by rounding only, e.g. 100.00000000000004 for identical text).
 */
export function bleuFromStatistics(stats: BleuStatistics): number {
  const { hypothesisLength: sys, referenceLength: ref, correct, total } = stats;
  const bp = sys < ref ? (sys > 0 ? Math.exp(1 - ref / sys) : 0) : 1;
  if (!correct.some((c) => c > 0)) return 0;
  const precisions = new Array<number>(BLEU_MAX_ORDER).fill(0);
  let smooth = 1;
  for (let n = 1; n <= BLEU_MAX_ORDER; n++) {
    if (total[n - 1] === 0) break;
    if (correct[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 1 / (smooth * total[n - 1]);
    } else {
      precisions[n - 1] = correct[n - 1] / total[n - 1];
    }
  }
  let logSum = 0;
  for (const p of precisions) logSum += sacreLog(p);
  return bp * Math.exp(logSum / BLEU_MAX_ORDER);
}

export interface BleuParams {
  tokenize: BleuTokenizer;
  lowercase: boolean;
}

export const bleu = defineMetric({
  name: 'bleu',
  kind: 'text',
  direction: 'higher',
  description:
    'Corpus BLEU-4 with brevity penalty and exp smoothing, as sacreBLEU computes it (tokenizer `zh` by default), in [0, 1].',
  range: [0, 1],
  parseParams: (raw?: unknown): BleuParams => {
    const p = readParams('bleu', raw, {
      tokenize: oneOf<BleuTokenizer>('zh', '13a', 'none'),
      lowercase: booleanParam,
    });
    return { tokenize: p.tokenize ?? 'zh', lowercase: p.lowercase ?? false };
  },
  accumulator: (params: BleuParams): MetricAccumulator<'text'> => {
    const stats: BleuStatistics = {
      hypothesisLength: 0,
      referenceLength: 0,
      correct: new Array<number>(BLEU_MAX_ORDER).fill(0),
      total: new Array<number>(BLEU_MAX_ORDER).fill(0),
    };
    let rows = 0;
    const tokens = (s: string) => sacrebleuTokens(params.lowercase ? s.toLowerCase() : s, params.tokenize);
    return {
      add(truth, prediction) {
        const reference = tokens(truth);
        const hypothesis = tokens(prediction);
        stats.hypothesisLength += hypothesis.length;
        stats.referenceLength += reference.length;
        for (let n = 1; n <= BLEU_MAX_ORDER; n++) {
          const hyp = ngramCounts(hypothesis, n);
          const ref = ngramCounts(reference, n);
          let correct = 0;
          for (const [gram, count] of hyp) correct += Math.min(count, ref.get(gram) ?? 0);
          stats.correct[n - 1] += correct;
          stats.total[n - 1] += Math.max(0, hypothesis.length - n + 1);
        }
        rows++;
      },
      get count() {
        return rows;
      },
      result() {
        if (rows === 0) throw new MetricUndefinedError('bleu', 'there are no rows to score');
        return bleuFromStatistics(stats);
      },
    };
  },
});

function noParams(metric: 'rouge_l' | 'wer' | 'cer') {
  return (raw?: unknown): Record<string, never> => {
    readParams(metric, raw, {});
    return {};
  };
}

/** ROUGE-L F-measure (beta = 1) of one pair; 0 when either side has no tokens (as rouge-score). */
export function rougeLF1(reference: readonly string[], hypothesis: readonly string[]): number {
  if (reference.length === 0 || hypothesis.length === 0) return 0;
  const lcs = lcsLength(reference, hypothesis);
  if (lcs === 0) return 0;
  const precision = lcs / hypothesis.length;
  const recall = lcs / reference.length;
  return (2 * precision * recall) / (precision + recall);
}

export const rougeL = defineMetric({
  name: 'rouge_l',
  kind: 'text',
  direction: 'higher',
  description:
    'Mean over rows of the ROUGE-L F-measure (longest common subsequence), per character for Chinese.',
  range: [0, 1],
  parseParams: noParams('rouge_l'),
  accumulator: (): MetricAccumulator<'text'> => {
    const sum = new CompensatedSum();
    let n = 0;
    return {
      add(truth, prediction) {
        sum.add(rougeLF1(wordTokens(truth), wordTokens(prediction)));
        n++;
      },
      get count() {
        return n;
      },
      result() {
        if (n === 0) throw new MetricUndefinedError('rouge_l', 'there are no rows to score');
        return sum.value / n;
      },
    };
  },
});

function errorRate(metric: 'wer' | 'cer', tokenize: (text: string) => string[]): MetricAccumulator<'text'> {
  let edits = 0;
  let referenceLength = 0;
  let n = 0;
  return {
    add(truth, prediction) {
      const reference = tokenize(truth);
      edits += editDistance(reference, tokenize(prediction));
      referenceLength += reference.length;
      n++;
    },
    get count() {
      return n;
    },
    result() {
      if (n === 0) throw new MetricUndefinedError(metric, 'there are no rows to score');
      if (referenceLength === 0) {
        if (edits === 0) return 0;
        throw new MetricUndefinedError(
          metric,
          'every reference is empty, so the error rate has no denominator',
        );
      }
      return edits / referenceLength;
    },
  };
}

export const wer = defineMetric({
  name: 'wer',
  kind: 'text',
  direction: 'lower',
  description: 'Word error rate: total word edits / total reference words (Chinese: per character).',
  range: [0, Infinity],
  parseParams: noParams('wer'),
  accumulator: () => errorRate('wer', wordTokens),
});

export const cer = defineMetric({
  name: 'cer',
  kind: 'text',
  direction: 'lower',
  description:
    'Character error rate: total character edits / total reference characters (whitespace ignored).',
  range: [0, Infinity],
  parseParams: noParams('cer'),
  accumulator: () => errorRate('cer', charTokens),
});
