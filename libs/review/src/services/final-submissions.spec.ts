import { pickFinalSubmission, ScoredSubmission } from './final-submissions';

const sub = (
  id: string,
  pub: number | null,
  priv: number | null,
  final = false,
  t = 0,
): ScoredSubmission => ({
  id,
  organizationId: 'o',
  publicScore: pub,
  privateScore: priv,
  selectedFinal: final,
  createdAt: new Date(1_700_000_000_000 + t),
});

describe('pickFinalSubmission', () => {
  it('takes the best private score among the selected finals', () => {
    const s = [sub('a', 0.9, 0.7, true, 1), sub('b', 0.8, 0.75, true, 2), sub('c', 0.99, 0.99, false, 3)];
    expect(pickFinalSubmission(s, 'higher')?.id).toBe('b');
  });
  it('takes the latest scored submission when none is selected', () => {
    const s = [sub('a', 0.9, 0.95, false, 1), sub('b', 0.8, 0.7, false, 2)];
    expect(pickFinalSubmission(s, 'higher')?.id).toBe('b');
  });
  it('respects lower-is-better metrics and keeps the earlier one on a tie', () => {
    const s = [sub('late', 1, 2, true, 10), sub('early', 1, 2, true, 1), sub('worse', 1, 3, true, 5)];
    expect(pickFinalSubmission(s, 'lower')?.id).toBe('early');
  });
  it('answers null without submissions', () => {
    expect(pickFinalSubmission([], 'higher')).toBeNull();
  });
});
