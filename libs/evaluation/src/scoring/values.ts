/** Parsing of single values, with the reason a person needs when one is wrong. */
import type { ScoringIssueReason } from './scoring.errors';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NOT_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export type NumberParse =
  { ok: true; value: number } | { ok: false; reason: ScoringIssueReason; detail: string };

/**
 * Whether `s` is exactly what DECIMAL matches, scanned without a regular expression (the common case of
 * every numeric cell of a large file: the regex, trim and test cost ~10% of scoring a 1M-row file).
 */
function isPlainDecimal(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  if (c === 43 || c === 45) i++; // + -
  let digits = 0;
  for (; i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++) digits++;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    for (; i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++) digits++;
  }
  if (digits === 0) return false;
  if (i < n && ((c = s.charCodeAt(i)) === 101 || c === 69)) {
    // e E, then an optionally signed exponent
    i++;
    if (i < n && ((c = s.charCodeAt(i)) === 43 || c === 45)) i++;
    let exponent = 0;
    for (; i < n && (c = s.charCodeAt(i)) >= 48 && c <= 57; i++) exponent++;
    if (exponent === 0) return false;
  }
  return i === n;
}

/** A decimal number (surrounding spaces allowed). `nan`, `inf`, overflow → NOT_FINITE; empty → MISSING_VALUE. */
export function parseNumber(raw: string): NumberParse {
  if (isPlainDecimal(raw)) {
    const value = Number(raw);
    if (Number.isFinite(value)) return { ok: true, value: value + 0 };
  }
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
