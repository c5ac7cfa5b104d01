/**
 * The arithmetic of expert panels (API.md "Expert review"), pure and exact enough to test with known
 * answers. Scores are per criterion; totals are on a 0–100 scale.
 */

export interface RubricCriterion {
  criterion: string;
  /** weights of a rubric sum to 1 */
  weight: number;
  maxScore: number;
}

export type Aggregation = 'mean' | 'trimmed_mean';

export interface RubricProblem {
  field: string;
  message: string;
}

const WEIGHT_TOLERANCE = 1e-9;

/** Problems with a rubric, as field errors (empty when valid). */
export function validateRubric(rubric: RubricCriterion[]): RubricProblem[] {
  const problems: RubricProblem[] = [];
  if (rubric.length === 0) problems.push({ field: 'rubric', message: 'rubric needs at least one criterion' });
  const seen = new Set<string>();
  rubric.forEach((c, i) => {
    if (!c.criterion?.trim())
      problems.push({ field: `rubric.${i}.criterion`, message: 'criterion must not be empty' });
    if (seen.has(c.criterion))
      problems.push({ field: `rubric.${i}.criterion`, message: `criterion "${c.criterion}" appears twice` });
    seen.add(c.criterion);
    if (!(c.weight > 0 && c.weight <= 1))
      problems.push({ field: `rubric.${i}.weight`, message: 'weight must be in (0, 1]' });
    if (!(c.maxScore > 0) || !Number.isFinite(c.maxScore))
      problems.push({ field: `rubric.${i}.maxScore`, message: 'maxScore must be a positive number' });
  });
  const sum = rubric.reduce((s, c) => s + c.weight, 0);
  if (rubric.length && Math.abs(sum - 1) > WEIGHT_TOLERANCE) {
    problems.push({ field: 'rubric', message: `weights must sum to 1 (they sum to ${sum})` });
  }
  return problems;
}

/** Problems with one expert's scores against the rubric (every criterion, 0 ≤ score ≤ maxScore). */
export function validateScores(rubric: RubricCriterion[], scores: Record<string, number>): RubricProblem[] {
  const problems: RubricProblem[] = [];
  const known = new Set(rubric.map((c) => c.criterion));
  for (const c of rubric) {
    const s = scores[c.criterion];
    if (s === undefined) problems.push({ field: `scores.${c.criterion}`, message: 'score is missing' });
    else if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > c.maxScore) {
      problems.push({ field: `scores.${c.criterion}`, message: `score must be between 0 and ${c.maxScore}` });
    }
  }
  for (const k of Object.keys(scores)) {
    if (!known.has(k)) problems.push({ field: `scores.${k}`, message: 'not a criterion of this rubric' });
  }
  return problems;
}

/** An expert's total: Σ weight × score / maxScore × 100. */
export function expertTotal(rubric: RubricCriterion[], scores: Record<string, number>): number {
  return rubric.reduce((sum, c) => sum + (c.weight * scores[c.criterion]) / c.maxScore, 0) * 100;
}

export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Population standard deviation (the panel is the whole population of its scores). */
export function standardDeviation(xs: number[]): number {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/** Mean of totals; with `trimmed_mean` and at least 5 totals, one highest and one lowest are dropped first. */
export function aggregate(totals: number[], aggregation: Aggregation): number | null {
  if (totals.length === 0) return null;
  if (aggregation === 'trimmed_mean' && totals.length >= 5) {
    const sorted = [...totals].sort((a, b) => a - b);
    return mean(sorted.slice(1, -1));
  }
  return mean(totals);
}

export const OUTLIER_POINTS = 20;
export const OUTLIER_DEVIATIONS = 2;

/**
 * An expert's total is an outlier when it is more than 20 points, or more than 2 standard deviations,
 * from the median of the subject's totals.
 */
export function outlierFlags(totals: number[]): boolean[] {
  if (totals.length < 2) return totals.map(() => false);
  const med = median(totals);
  const sd = standardDeviation(totals);
  return totals.map((t) => {
    const distance = Math.abs(t - med);
    return distance > OUTLIER_POINTS || (sd > 0 && distance > OUTLIER_DEVIATIONS * sd);
  });
}

/**
 * Competition ranking ("1224"): equal values share a rank, the next rank skips. Higher is better unless
 * `direction` says otherwise; null values rank last (they have no score). Values within 1e-9 are equal.
 */
export function rankValues(
  values: (number | null)[],
  direction: 'higher' | 'lower' = 'higher',
): (number | null)[] {
  const order = values
    .map((v, i) => ({ v, i }))
    .filter((x): x is { v: number; i: number } => x.v !== null)
    .sort((a, b) => (direction === 'higher' ? b.v - a.v : a.v - b.v));
  const ranks: (number | null)[] = values.map(() => null);
  order.forEach((x, pos) => {
    const prev = order[pos - 1];
    ranks[x.i] = prev && Math.abs(prev.v - x.v) <= 1e-9 ? ranks[prev.i] : pos + 1;
  });
  return ranks;
}

/**
 * Min–max normalization of a metric to 0–100 where 100 is best (lower-is-better metrics are inverted).
 * When every value is equal, all get 100: nobody is worse than anybody.
 */
export function normalizeMetric(values: (number | null)[], direction: 'higher' | 'lower'): (number | null)[] {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length === 0) return values.map(() => null);
  const lo = Math.min(...present);
  const hi = Math.max(...present);
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return null;
    if (hi === lo) return 100;
    const scaled = ((v - lo) / (hi - lo)) * 100;
    return direction === 'higher' ? scaled : 100 - scaled;
  });
}

export interface CombinedInput {
  subjectId: string;
  /** private metric score of the subject's final submission (null if none) */
  metric: number | null;
  /** expert aggregate on 0–100 (null if not scored) */
  expert: number | null;
}

export interface CombinedResult extends CombinedInput {
  normalizedMetric: number | null;
  final: number | null;
  rank: number | null;
}

/**
 * The published ranking: final = w_metric × normalized metric + w_expert × expert aggregate, with the
 * weights given at publication (normalized to sum 1). A subject missing either part has no final score
 * and ranks last.
 */
export function combineRanking(
  inputs: CombinedInput[],
  weights: { metric: number; expert: number },
  direction: 'higher' | 'lower',
): CombinedResult[] {
  const sum = weights.metric + weights.expert;
  if (!(weights.metric >= 0 && weights.expert >= 0 && sum > 0))
    throw new Error('weights must be non-negative and not both zero');
  const wm = weights.metric / sum;
  const we = weights.expert / sum;
  const normalized = normalizeMetric(
    inputs.map((i) => i.metric),
    direction,
  );
  const finals = inputs.map((input, k) => {
    const m = normalized[k];
    if ((wm > 0 && m === null) || (we > 0 && input.expert === null)) return null;
    return wm * (m ?? 0) + we * (input.expert ?? 0);
  });
  const ranks = rankValues(finals, 'higher');
  return inputs.map((input, k) => ({
    ...input,
    normalizedMetric: normalized[k],
    final: finals[k],
    rank: ranks[k],
  }));
}
