/** Parsing of single values, with the reason a person needs when one is wrong. */
import type { ScoringIssueReason } from './scoring.errors';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export type NumberParse =
  { ok: true; value: number } | { ok: false; reason: ScoringIssueReason; detail: string };

/** A decimal number (surrounding spaces allowed). `nan`, `inf`, overflow → NOT_FINITE; empty → MISSING_VALUE. */
export function parseNumber(raw: string): NumberParse {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'MISSING_VALUE', detail: 'empty' };
  if (NOT_FINITE.test(s)) return { ok: false, reason: 'NOT_FINITE', detail: 'NaN or infinite' };
  if (!DECIMAL.test(s)) return { ok: false, reason: 'NON_NUMERIC', detail: 'not a number' };
  const value = Number(s);
  if (!Number.isFinite(value))
    return { ok: false, reason: 'NOT_FINITE', detail: 'too large for a 64-bit float' };
  return { ok: true, value: value + 0 };
}

/** A ranking or a set of relevant candidates: `|`-separated, each trimmed, empty entries dropped. */
export function parseCandidates(raw: string): string[] {
  return raw
    .split('|')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}
