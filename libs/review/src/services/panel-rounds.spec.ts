import { computeRoundResults } from './panel-rounds.service';

const totals = (xs: number[]) => xs.map((total, i) => ({ expertId: `e${i + 1}`, total }));

describe('computeRoundResults (known answers)', () => {
  const results = computeRoundResults(
    [
      { subjectId: 'A', recusedExpertIds: ['e5'], totals: totals([80, 90, 70, 26]) },
      { subjectId: 'B', recusedExpertIds: [], totals: totals([50, 60, 70, 80, 100]) },
      { subjectId: 'C', recusedExpertIds: [], totals: [] },
      { subjectId: 'D', recusedExpertIds: [], totals: totals([70, 70]) },
    ],
    'trimmed_mean',
  );
  const by = Object.fromEntries(results.map((r) => [r.subjectId, r]));

  it('uses the plain mean below 5 totals and the trimmed mean from 5 on', () => {
    expect(by.A.aggregate).toBe(66.5); // (80 + 90 + 70 + 26) / 4
    expect(by.B.aggregate).toBe(70); // (60 + 70 + 80) / 3
    expect(by.C.aggregate).toBeNull();
  });

  it('flags totals more than 20 points (or 2 SD) from the median', () => {
    // A: median 75, 26 is 49 away; B: median 70, 100 is 30 away, 50 exactly 20 (not more)
    expect(by.A.expertTotals.map((t) => t.outlier)).toEqual([false, false, false, true]);
    expect(by.B.expertTotals.map((t) => t.outlier)).toEqual([false, false, false, false, true]);
  });

  it('ranks 1224 with ties, unscored subjects last without a rank', () => {
    expect([by.B.rank, by.D.rank, by.A.rank, by.C.rank]).toEqual([1, 1, 3, null]);
    expect(by.A.recusedExpertIds).toEqual(['e5']);
  });

  it('keeps 4 decimals', () => {
    const [r] = computeRoundResults(
      [{ subjectId: 'X', recusedExpertIds: [], totals: totals([100, 60, 60]) }],
      'mean',
    );
    expect(r.aggregate).toBe(73.3333);
  });
});
