/**
 * Which submission stands for an awardee in the result stage (pure; the same rule as the evaluation
 * lib's final results): the submissions it selected as final (at most 2), or else its latest scored
 * one; among those, the one with the best private score. Only scored submissions count.
 */
export interface ScoredSubmission {
  id: string;
  organizationId: string;
  publicScore: number | null;
  privateScore: number | null;
  selectedFinal: boolean;
  createdAt: Date;
}

export function pickFinalSubmission(
  submissions: ScoredSubmission[],
  direction: 'higher' | 'lower',
): ScoredSubmission | null {
  if (!submissions.length) return null;
  const byTime = [...submissions].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
  );
  const selected = byTime.filter((s) => s.selectedFinal);
  const finals = selected.length ? selected : [byTime[byTime.length - 1]];
  let best: ScoredSubmission | null = null;
  for (const s of finals) {
    if (s.privateScore === null) continue;
    // strict improvement only: the earlier submission keeps a tie
    if (
      !best ||
      (direction === 'higher' ? s.privateScore > best.privateScore! : s.privateScore < best.privateScore!)
    )
      best = s;
  }
  return best ?? finals[finals.length - 1];
}
