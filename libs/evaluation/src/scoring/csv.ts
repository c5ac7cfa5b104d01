/**
 * RFC 4180 CSV over a stream of lines: comma-separated fields, optional double quotes, `""` for a quote inside a
 * quoted field, quoted fields may span lines. Lenient where pandas is (a quote inside an unquoted field is a plain
 * character; blank lines are skipped; a trailing `\r` is dropped), strict where a mistake would shift columns (text
 * after a closing quote, an unterminated quote).
 */
import { lineBatches, type LineSource } from './lines';
import { IssueCollector } from './scoring.errors';

export interface CsvRecord {
  /** The line the record starts on (1-based; the header is line 1). */
  line: number;
  fields: string[];
}

/** Parses one record starting at `line`; returns null while a quoted field continues on the next line. */
class RecordParser {
  fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private afterQuote = false;
  private quotedField = false;
  startLine = 0;
  error: string | undefined;

  get open(): boolean {
    return this.inQuotes;
  }

  /** Feeds one physical line. Returns true when the record is complete. */
  feed(line: string): boolean {
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (this.inQuotes) {
        if (c === '"') {
          if (line[i + 1] === '"') {
            this.field += '"';
            i++;
          } else {
            this.inQuotes = false;
            this.afterQuote = true;
          }
        } else {
          this.field += c;
        }
      } else if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.afterQuote = false;
        this.quotedField = false;
      } else if (this.afterQuote) {
        this.error ??= `unexpected ${JSON.stringify(c)} after a closing quote (quote the whole field and write "" for a quote inside it)`;
      } else if (c === '"' && this.field === '' && !this.quotedField) {
        this.inQuotes = true;
        this.quotedField = true;
      } else {
        this.field += c;
      }
    }
    if (this.inQuotes) {
      this.field += '\n';
      return false;
    }
    this.fields.push(this.field);
    return true;
  }
}

/**
 * Yields the records of a CSV file in batches (one per batch of lines; the header is the first record). Syntax
 * errors are collected in `issues` (MALFORMED_CSV, with line numbers) and the bad records skipped; an unterminated
 * quote at the end fails at once.
 */
export async function* readCsvBatches(
  lines: LineSource,
  issues: IssueCollector,
): AsyncGenerator<CsvRecord[]> {
  let lineNo = 0;
  let parser: RecordParser | undefined;
  for await (const batch of lineBatches(lines)) {
    const records: CsvRecord[] = [];
    for (let line of batch) {
      lineNo++;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (!parser) {
        // blank lines are skipped; a line starting with a visible character is not blank
        if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === '')) continue;
        if (!line.includes('"')) {
          // fast path: without quotes, commas are the only structure
          records.push({ line: lineNo, fields: line.split(',') });
          continue;
        }
        parser = new RecordParser();
        parser.startLine = lineNo;
      }
      if (!parser.feed(line)) continue;
      if (parser.error) issues.add('MALFORMED_CSV', { line: parser.startLine, detail: parser.error });
      else records.push({ line: parser.startLine, fields: parser.fields });
      parser = undefined;
    }
    if (records.length) yield records;
  }
  if (parser?.open) {
    issues.fail('MALFORMED_CSV', {
      line: parser.startLine,
      detail: 'a quoted field is never closed (missing ")',
    });
  }
}

/** `readCsvBatches`, one record at a time. */
export async function* readCsvRecords(lines: LineSource, issues: IssueCollector): AsyncGenerator<CsvRecord> {
  for await (const batch of readCsvBatches(lines, issues)) yield* batch;
}
