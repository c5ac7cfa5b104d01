/** JSON-lines files of the `spans` kind: one `{"id": …, "spans": [{"start", "end", "type"}]}` per line. */
import type { Span } from '../metrics/metric-types';
import { lineBatches, type LineSource } from './lines';
import { IssueCollector, shorten } from './scoring.errors';

export interface SpanRecord {
  id: string;
  line: number;
  spans: Span[];
}

/** Validates one parsed line; returns the problem in words, or the record. */
function toSpanRecord(
  value: unknown,
  idKey: string,
): { record?: { id: string; spans: Span[] }; problem?: string; id?: string; emptyId?: boolean } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      problem: `each line must be a JSON object like {"${idKey}": "doc1", "spans": [{"start": 0, "end": 2, "type": "PER"}]}`,
    };
  }
  const o = value as Record<string, unknown>;
  const rawId = o[idKey];
  if (typeof rawId !== 'string' && !(typeof rawId === 'number' && Number.isFinite(rawId))) {
    return { problem: `"${idKey}" must be a string or a number` };
  }
  const id = String(rawId).trim();
  if (!id) return { problem: `"${idKey}" is empty`, emptyId: true };
  if (!Array.isArray(o.spans))
    return { id, problem: '"spans" must be an array (use [] for a document without entities)' };
  const spans: Span[] = [];
  for (const [i, s] of o.spans.entries()) {
    const span = s as Record<string, unknown> | null;
    if (typeof span !== 'object' || span === null || Array.isArray(span)) {
      return { id, problem: `spans[${i}] must be an object {"start", "end", "type"}` };
    }
    const { start, end, type } = span;
    if (typeof start !== 'number' || !Number.isInteger(start) || start < 0) {
      return { id, problem: `spans[${i}].start must be an integer >= 0` };
    }
    if (typeof end !== 'number' || !Number.isInteger(end) || end <= start) {
      return { id, problem: `spans[${i}].end must be an integer greater than start (end is exclusive)` };
    }
    if (typeof type !== 'string' || !type)
      return { id, problem: `spans[${i}].type must be a non-empty string` };
    spans.push({ start, end, type });
  }
  return { record: { id, spans } };
}

/**
 * Yields the records of a spans file; INVALID_JSON / INVALID_RECORD / EMPTY_ID go to `issues` with line numbers
 * and the bad lines are skipped. Blank lines are ignored.
 */
export async function* readSpanRecords(
  lines: LineSource,
  issues: IssueCollector,
  idKey = 'id',
): AsyncGenerator<SpanRecord> {
  let lineNo = 0;
  let any = false;
  for await (const batch of lineBatches(lines)) {
    const records: SpanRecord[] = [];
    for (let line of batch) {
      lineNo++;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.trim() === '') continue;
      any = true;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (error) {
        issues.add('INVALID_JSON', { line: lineNo, detail: shorten((error as Error).message) });
        continue;
      }
      const { record, problem, id } = toSpanRecord(parsed, idKey);
      if (problem) {
        issues.add(
          problem.includes('empty') && problem.startsWith(`"${idKey}"`) ? 'EMPTY_ID' : 'INVALID_RECORD',
          {
            line: lineNo,
            ...(id !== undefined ? { id } : {}),
            detail: problem,
          },
        );
        continue;
      }
      records.push({ ...record!, line: lineNo });
    }
    yield* records;
  }
  if (!any) issues.fail('EMPTY_FILE', {});
}
