import type { LedgerProblemKind, LedgerProblemView } from '../dto/audit.dto';

const MAX_PROBLEMS = 20;

/** What verification found; problems whose position an exact finding explains are not repeated. */
export class Findings {
  readonly problems: LedgerProblemView[] = [];
  firstBadIndex: number | undefined;
  failed = false;
  private lastExact = -1;
  private readonly pending: { start: number; end: number; problem: LedgerProblemView }[] = [];

  private add(p: LedgerProblemView): void {
    this.failed = true;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
  }

  /** A problem at exactly this index (the stored event or entry differs). */
  exact(index: number, kind: LedgerProblemKind, detail: string): void {
    this.lastExact = Math.max(this.lastExact, index);
    if (this.firstBadIndex === undefined || index < this.firstBadIndex) this.firstBadIndex = index;
    this.add({ kind, index, detail });
  }

  /**
   * A problem somewhere in [start, end) (a stored subtree or a signed root that does not match): unless
   * an exact finding lies there, `start` is the best bound. Decided once the entry after `end` has been
   * examined, since that one can still reveal an exact position inside the range (a shifted entry).
   */
  ranged(start: number, end: number, kind: LedgerProblemKind, detail: string, treeSize?: number): void {
    const problem = { kind, index: start, detail, ...(treeSize !== undefined ? { treeSize } : {}) };
    this.pending.push({ start, end, problem });
  }

  /** Decides the ranged findings that end at or before `examined` (the last index examined). */
  settle(examined = Number.POSITIVE_INFINITY): void {
    while (this.pending.length && this.pending[0].end <= examined) {
      const { start, problem } = this.pending.shift()!;
      if (this.lastExact >= start) continue;
      if (this.firstBadIndex === undefined || start < this.firstBadIndex) this.firstBadIndex = start;
      this.add(problem);
    }
  }

  /** A problem without a ledger position (a checkpoint's signature, events outside the ledger). */
  general(kind: LedgerProblemKind, detail: string, treeSize?: number): void {
    this.add({ kind, detail, ...(treeSize !== undefined ? { treeSize } : {}) });
  }
}

/** An entry whose stored leaf its event did not obviously hash to, examined one by one. */
export type EntryVerdict =
  /** the event hashes to its leaf after all */
  | { index: number; kind: 'match' }
  /** the entry names an event that is not there */
  | { index: number; kind: 'missing_event' }
  /** the event hashes to another leaf; does it hash to the stored leaf with the index one lower / higher? */
  | { index: number; kind: 'mismatch'; asPrevious: boolean; asNext: boolean };

/** A stored complete subtree (level >= 1) that differs from the recomputed one, or is missing. */
export interface NodeMismatch {
  level: number;
  index: number;
  missing: boolean;
}

/** A checkpoint with a valid signature by this platform's key. */
export interface TrustedCheckpoint {
  treeSize: number;
  rootHash: Buffer;
}

export interface LedgerFacts {
  /** entries examined: 0 .. size-1 */
  size: number;
  /** indexes below size with no entry, ascending */
  gaps: number[];
  /** entries examined one by one, ascending index (every other entry's event hashes to its leaf) */
  verdicts: EntryVerdict[];
  nodeMismatches: NodeMismatch[];
  /** in tree-size order */
  trusted: TrustedCheckpoint[];
  /** the root recomputed from the events, for a trusted checkpoint's size (<= size) */
  rootAt: (treeSize: number) => Buffer;
}

type Step = { kind: 'gap' } | { kind: 'plain' } | EntryVerdict;

/**
 * Turns what was found into findings in ledger order — the same findings, in the same order, as a walk
 * over every entry that appends each recomputed leaf to a tree and compares each completed subtree and
 * each checkpoint root as it goes — but only visiting the entries where something happens: entries
 * examined one by one, missing entries, and the last leaf of each mismatching subtree or checkpoint.
 *
 * The walk: for entry i, its exact findings; then the ranged findings that ended before it are decided
 * (not after a missing entry); then leaf i is appended (mismatching subtrees ending there, then the
 * checkpoint of size i+1). A run of entries shifted by one (an entry inserted or removed before them) is
 * reported once, at its start; missing entries do not interrupt a run.
 */
export function reportInLedgerOrder(facts: LedgerFacts, findings: Findings): void {
  const at = new Map<number, { row?: Step; appended?: NodeMismatch[]; checkpoints?: TrustedCheckpoint[] }>();
  const slot = (i: number) => {
    let s = at.get(i);
    if (!s) at.set(i, (s = {}));
    return s;
  };
  for (const i of facts.gaps) slot(i).row = { kind: 'gap' };
  for (const v of facts.verdicts) slot(v.index).row = v;
  const nodes = [...facts.nodeMismatches].sort((a, b) => a.level - b.level);
  for (const n of nodes) {
    const s = slot((n.index + 1) * 2 ** n.level - 1);
    (s.appended ??= []).push(n);
  }
  for (const cp of facts.trusted) {
    if (cp.treeSize <= facts.size) (slot(cp.treeSize - 1).checkpoints ??= []).push(cp);
  }

  let shift: -1 | 0 | 1 = 0;
  let lastGoodSize = 0;
  let previous = -1;
  for (const index of [...at.keys()].sort((a, b) => a - b)) {
    const s = at.get(index)!;
    if (index > previous + 1) {
      // plain entries in between: each ended any run of shifted entries and decided what had ended
      shift = 0;
      findings.settle(index - 1);
    }
    previous = index;
    const row = s.row ?? { kind: 'plain' };
    switch (row.kind) {
      case 'gap':
        findings.exact(index, 'missing_entry', `ledger entry ${index} is missing`);
        break;
      case 'missing_event':
        findings.exact(index, 'missing_event', `the event of ledger entry ${index} is missing`);
        shift = 0;
        break;
      case 'mismatch':
        shift = explainMismatch(index, row, shift, findings);
        break;
      default:
        shift = 0;
    }
    if (row.kind !== 'gap') findings.settle(index);
    for (const n of s.appended ?? []) {
      const width = 2 ** n.level;
      findings.ranged(
        n.index * width,
        (n.index + 1) * width,
        'node_mismatch',
        `stored hash of leaves [${n.index * width}, ${(n.index + 1) * width}) ${n.missing ? 'is missing' : 'differs'}`,
      );
    }
    for (const cp of s.checkpoints ?? []) {
      if (facts.rootAt(cp.treeSize).equals(cp.rootHash)) lastGoodSize = cp.treeSize;
      else
        findings.ranged(
          lastGoodSize,
          cp.treeSize,
          'checkpoint_root_mismatch',
          `the stored events do not give the root signed at tree size ${cp.treeSize}`,
          cp.treeSize,
        );
    }
  }
  findings.settle();
  const beyond = facts.trusted.filter((cp) => cp.treeSize > facts.size);
  if (beyond.length) {
    // entries were removed from the end: the first missing one is the first bad index
    findings.exact(
      facts.size,
      'checkpoint_beyond_ledger',
      `checkpoint signed at tree size ${beyond[beyond.length - 1].treeSize}, but the ledger has only ${facts.size} entries`,
    );
  }
}

/**
 * A stored leaf that its event does not hash to. If the event hashes to the stored leaf with the index
 * one lower (or higher), entries were shifted: an entry was inserted just before this run of shifted
 * entries (or one was removed here), and that is the first bad index — even when the intruder also
 * computed a matching leaf hash for what they inserted. Otherwise the event itself was changed or
 * moved. Returns the shift of this entry, so a run of shifted entries is reported once.
 */
function explainMismatch(
  index: number,
  v: { asPrevious: boolean; asNext: boolean },
  shift: -1 | 0 | 1,
  findings: Findings,
): -1 | 0 | 1 {
  if (index > 0 && v.asPrevious) {
    if (shift !== 1) {
      findings.exact(
        index - 1,
        'entry_inserted',
        `an entry was inserted at ${index - 1}; the entries after it are shifted`,
      );
    }
    return 1;
  }
  if (v.asNext) {
    if (shift !== -1) {
      findings.exact(
        index,
        'entry_removed',
        `an entry was removed at ${index}; the entries after it are shifted`,
      );
    }
    return -1;
  }
  findings.exact(index, 'leaf_mismatch', `event ${index} does not hash to its stored leaf`);
  return 0;
}
