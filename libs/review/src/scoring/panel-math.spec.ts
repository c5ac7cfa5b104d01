import {
  aggregate,
  combineRanking,
  expertTotal,
  median,
  normalizeMetric,
  outlierFlags,
  rankValues,
  standardDeviation,
  validateRubric,
  validateScores,
} from './panel-math';

const rubric = [
  { criterion: '技术方案', weight: 0.5, maxScore: 10 },
  { criterion: '数据安全', weight: 0.3, maxScore: 5 },
  { criterion: '落地可行性', weight: 0.2, maxScore: 20 },
];

describe('rubric and scores', () => {
  it('accepts a rubric whose weights sum to 1 (within float error)', () => {
    expect(validateRubric(rubric)).toEqual([]);
    expect(
      validateRubric([0.1, 0.2, 0.7].map((w, i) => ({ criterion: `c${i}`, weight: w, maxScore: 10 }))),
    ).toEqual([]);
  });

  it('names each rubric problem', () => {
    const problems = validateRubric([
      { criterion: 'a', weight: 0.5, maxScore: 10 },
      { criterion: 'a', weight: 0.6, maxScore: 0 },
    ]);
    expect(problems.map((p) => p.field)).toEqual(['rubric.1.criterion', 'rubric.1.maxScore', 'rubric']);
    expect(validateRubric([])[0].field).toBe('rubric');
  });

  it('validates scores against the rubric', () => {
    expect(validateScores(rubric, { 技术方案: 10, 数据安全: 0, 落地可行性: 20 })).toEqual([]);
    const p = validateScores(rubric, { 技术方案: 11, 落地可行性: -1, 创新: 3 });
    expect(p.map((x) => x.field)).toEqual([
      'scores.技术方案',
      'scores.数据安全',
      'scores.落地可行性',
      'scores.创新',
    ]);
  });

  it('computes Σ weight × score / maxScore × 100', () => {
    // 0.5×8/10 + 0.3×4/5 + 0.2×15/20 = 0.4 + 0.24 + 0.15 = 0.79
    expect(expertTotal(rubric, { 技术方案: 8, 数据安全: 4, 落地可行性: 15 })).toBeCloseTo(79, 10);
    expect(expertTotal(rubric, { 技术方案: 10, 数据安全: 5, 落地可行性: 20 })).toBeCloseTo(100, 10);
    expect(expertTotal(rubric, { 技术方案: 0, 数据安全: 0, 落地可行性: 0 })).toBe(0);
  });
});

describe('aggregation', () => {
  it('means and trimmed means', () => {
    expect(aggregate([70, 80, 90], 'mean')).toBe(80);
    // fewer than 5 totals: trimmed_mean is the plain mean
    expect(aggregate([10, 80, 90, 100], 'trimmed_mean')).toBe(70);
    // 5 totals: drop 10 and 100 → mean(80, 85, 90) = 85
    expect(aggregate([100, 80, 10, 90, 85], 'trimmed_mean')).toBe(85);
    // only one of several equal extremes is dropped
    expect(aggregate([60, 60, 70, 80, 80, 80], 'trimmed_mean')).toBe(72.5);
    expect(aggregate([], 'mean')).toBeNull();
  });

  it('median and population standard deviation', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(standardDeviation([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
  });

  it('flags totals more than 20 points from the median', () => {
    // median 80; 55 is 25 away
    expect(outlierFlags([80, 82, 78, 55, 81])).toEqual([false, false, false, true, false]);
    // exactly 20 away is not an outlier (and stays within 2 sd here)
    expect(outlierFlags([60, 80, 80, 80, 100])).toEqual([false, false, false, false, false]);
  });

  it('flags totals more than 2 standard deviations from the median', () => {
    // median 80, sd ≈ 3.8; 90 is 10 away (< 20 points) but > 2 sd
    const totals = [80, 80, 80, 80, 80, 80, 90];
    const sd = standardDeviation(totals);
    expect(2 * sd).toBeLessThan(10);
    expect(outlierFlags(totals)).toEqual([false, false, false, false, false, false, true]);
    expect(outlierFlags([70])).toEqual([false]);
    expect(outlierFlags([75, 75, 75])).toEqual([false, false, false]);
  });
});

describe('ranking', () => {
  it('gives ties the same rank and skips the next (1224)', () => {
    expect(rankValues([90, 95, 90, 80])).toEqual([2, 1, 2, 4]);
    expect(rankValues([0.3, 0.1, 0.2], 'lower')).toEqual([3, 1, 2]);
    expect(rankValues([null, 50, 50])).toEqual([null, 1, 1]);
    expect(rankValues([1 / 3, 0.1 + 0.2 + 1 / 3 - 0.3])).toEqual([1, 1]);
  });

  it('normalizes metrics to 0–100, best = 100', () => {
    expect(normalizeMetric([0.5, 0.75, 1], 'higher')).toEqual([0, 50, 100]);
    expect(normalizeMetric([2, 4, 6], 'lower')).toEqual([100, 50, 0]);
    expect(normalizeMetric([0.8, 0.8], 'higher')).toEqual([100, 100]);
    expect(normalizeMetric([null, 1], 'higher')).toEqual([null, 100]);
  });

  it('combines metric and expert scores with the publication weights', () => {
    const result = combineRanking(
      [
        { subjectId: 'A', metric: 0.9, expert: 70 },
        { subjectId: 'B', metric: 0.8, expert: 90 },
        { subjectId: 'C', metric: 0.7, expert: 80 },
        { subjectId: 'D', metric: null, expert: 95 },
      ],
      { metric: 0.6, expert: 0.4 },
      'higher',
    );
    // normalized metric: A 100, B 50, C 0; finals: A 60+28=88, B 30+36=66, C 0+32=32; D has no metric
    const round = (x: number | null) => (x === null ? null : Number(x.toFixed(9)));
    expect(result.map((r) => [r.subjectId, round(r.normalizedMetric), round(r.final), r.rank])).toEqual([
      ['A', 100, 88, 1],
      ['B', 50, 66, 2],
      ['C', 0, 32, 3],
      ['D', null, null, null],
    ]);
  });

  it('accepts weights that do not sum to 1 by normalizing them, and refuses nonsense', () => {
    const r = combineRanking([{ subjectId: 'A', metric: 1, expert: 50 }], { metric: 1, expert: 1 }, 'higher');
    expect(r[0].final).toBe(75);
    expect(() => combineRanking([], { metric: 0, expert: 0 }, 'higher')).toThrow(/weights/);
  });
});
