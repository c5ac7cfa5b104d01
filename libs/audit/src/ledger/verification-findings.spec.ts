import { EntryVerdict, Findings, LedgerFacts, reportInLedgerOrder } from './verification-findings';

const GOOD = Buffer.alloc(32, 1);
const BAD = Buffer.alloc(32, 2);

function report(facts: Partial<LedgerFacts> & { size: number }): Findings {
  const findings = new Findings();
  reportInLedgerOrder(
    { gaps: [], verdicts: [], nodeMismatches: [], trusted: [], rootAt: () => GOOD, ...facts },
    findings,
  );
  return findings;
}

const shifted = (index: number): EntryVerdict => ({
  index,
  kind: 'mismatch',
  asPrevious: true,
  asNext: false,
});

describe('reportInLedgerOrder', () => {
  it('reports nothing for a consistent ledger', () => {
    const f = report({
      size: 100,
      trusted: [{ treeSize: 50, rootHash: GOOD }],
      verdicts: [{ index: 3, kind: 'match' }],
    });
    expect(f.failed).toBe(false);
    expect(f.problems).toEqual([]);
  });

  it('reports a run of shifted entries once, at the inserted entry; a missing entry does not end the run', () => {
    const f = report({ size: 20, verdicts: [shifted(5), shifted(6), shifted(8)], gaps: [7] });
    expect(f.firstBadIndex).toBe(4);
    expect(f.problems.map((p) => [p.kind, p.index])).toEqual([
      ['entry_inserted', 4],
      ['missing_entry', 7],
    ]);
  });

  it('starts a new run after an entry that matched', () => {
    const f = report({ size: 20, verdicts: [shifted(5), shifted(9)] });
    expect(f.problems.map((p) => [p.kind, p.index])).toEqual([
      ['entry_inserted', 4],
      ['entry_inserted', 8],
    ]);
  });

  it('drops a mismatching subtree that an exact finding inside it explains, and reports one that none does', () => {
    const f = report({
      size: 64,
      verdicts: [{ index: 9, kind: 'mismatch', asPrevious: false, asNext: false }],
      nodeMismatches: [
        { level: 3, index: 1, missing: false }, // leaves [8, 16): explained by entry 9
        { level: 2, index: 10, missing: true }, // leaves [40, 44): not explained
      ],
    });
    expect(f.firstBadIndex).toBe(9);
    expect(f.problems.map((p) => [p.kind, p.index])).toEqual([
      ['leaf_mismatch', 9],
      ['node_mismatch', 40],
    ]);
    expect(f.problems[1].detail).toMatch(/\[40, 44\) is missing/);
  });

  it('bounds a rewritten range by the last matching and the first mismatching signed root', () => {
    const f = report({
      size: 41,
      trusted: [
        { treeSize: 21, rootHash: GOOD },
        { treeSize: 41, rootHash: BAD },
      ],
      rootAt: (s) => (s === 21 ? GOOD : Buffer.alloc(32, 3)),
    });
    expect(f.firstBadIndex).toBe(21);
    expect(f.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint_root_mismatch', index: 21, treeSize: 41 }),
    ]);
  });

  it('reports a checkpoint longer than the ledger at the first missing entry', () => {
    const f = report({ size: 38, trusted: [{ treeSize: 41, rootHash: GOOD }] });
    expect(f.firstBadIndex).toBe(38);
    expect(f.problems[0]).toMatchObject({ kind: 'checkpoint_beyond_ledger', index: 38 });
  });
});
