/**
 * Tracks how far the audit_events sequence is "settled": every row with seq <= the returned value has
 * either committed (and is visible) or will never commit. The sequencer only scans above it.
 *
 * A transaction takes its seq from the sequence and gets its transaction id at the same moment (the
 * INSERT). So: read the sequence's last value L at time t; at t + grace take the snapshot's xmax X (every
 * transaction that drew a value <= L has an id below X by then); once the oldest running transaction id
 * (xmin) reaches X, all of them have finished, and L is settled. A long transaction simply holds the
 * horizon back. The sequencer also re-scans a window below the horizon now and then, as a safety net.
 */
export class HorizonTracker {
  private readonly marks: { last: bigint; at: number; probeXmax?: bigint }[] = [];
  private settledUpTo = -1n;

  constructor(
    private readonly graceMs: number,
    private readonly markSpacingMs = 1000,
  ) {}

  /** Feeds one observation (all values from one snapshot); returns a newly settled seq, if any. */
  observe(nowMs: number, lastSeq: bigint, xmin: bigint, xmax: bigint): bigint | null {
    for (const m of this.marks) {
      if (m.probeXmax === undefined && nowMs - m.at >= this.graceMs) m.probeXmax = xmax;
    }
    let settled: bigint | null = null;
    while (this.marks.length && this.marks[0].probeXmax !== undefined && xmin >= this.marks[0].probeXmax) {
      settled = this.marks.shift()!.last;
    }
    if (settled !== null) this.settledUpTo = settled;
    const newest = this.marks[this.marks.length - 1];
    const fresh = newest ? newest.last !== lastSeq && nowMs - newest.at >= this.markSpacingMs : true;
    if (fresh && lastSeq > this.settledUpTo) this.marks.push({ last: lastSeq, at: nowMs });
    return settled;
  }

  /** Forget everything (e.g. after losing the database connection). */
  reset(): void {
    this.marks.length = 0;
    this.settledUpTo = -1n;
  }
}
