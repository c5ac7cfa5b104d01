import { findDirectIdentifiers, type FingerprintSet } from '@aihub/datasets';
import { candidateRecords } from './record-splitter';

export const REDACTION_MARKER = '[redacted: matches a granted dataset row or a direct identifier]';

export interface RedactionResult {
  text: string;
  redactedLines: number;
}

/** True when the line reproduces a row of one of the sets (under any delimiter reading). */
export function matchesRow(line: string, sets: readonly FingerprintSet[]): boolean {
  if (!sets.length) return false;
  for (const record of candidateRecords(line)) for (const set of sets) if (set.matches(record)) return true;
  return false;
}

/**
 * The company's view of a run log: every line holding a direct identifier (resident ID with a valid
 * check digit, mainland mobile, unified social credit code) or reproducing a granted dataset's row is
 * replaced by a marker. Line structure is kept so the log still reads.
 */
export function redactLog(text: string, sets: readonly FingerprintSet[]): RedactionResult {
  let redactedLines = 0;
  const lines = text.split('\n').map((line) => {
    if (findDirectIdentifiers(line).length || matchesRow(line, sets)) {
      redactedLines++;
      return REDACTION_MARKER;
    }
    return line;
  });
  return { text: lines.join('\n'), redactedLines };
}
