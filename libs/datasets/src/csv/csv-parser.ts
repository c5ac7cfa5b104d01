/**
 * Incremental RFC 4180 CSV parser: feed decoded text in chunks of any size, get records (arrays of
 * fields) with the physical line number where each record starts. Quoted fields may hold the
 * delimiter, `""` and line breaks (so one record can span lines); `\r\n`, `\n` and `\r` end a record.
 * A UTF-8 byte-order mark at the very start is skipped. It never holds more than the current record.
 */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

export interface CsvParserOptions {
  /** refuse a record longer than this many characters (defends memory against a runaway quote) */
  maxRecordChars?: number;
}

export type RecordSink = (fields: string[], line: number) => void;

const QUOTE = 34; // "
const COMMA = 44;
const LF = 10;
const CR = 13;

export class CsvParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** just closed a quoted field: only a delimiter, a line break or another quote may follow */
  private afterQuote = false;
  private pendingCr = false;
  private started = false;
  private recordChars = 0;
  private fieldStarted = false;
  /** the chunk ended on a quote inside a quoted field: closing, or the first of `""`? */
  private maybeEscapedQuote = false;
  /** a CR inside a quoted field ended the previous part: one line, or half of a CRLF? */
  private quotedCr = false;
  private line = 1;
  private recordLine = 1;
  private readonly maxRecordChars: number;

  constructor(
    private readonly sink: RecordSink,
    options: CsvParserOptions = {},
  ) {
    this.maxRecordChars = options.maxRecordChars ?? 1 << 20;
  }

  /** physical lines seen so far (1-based number of the line being read) */
  get currentLine(): number {
    return this.line;
  }

  write(chunk: string): void {
    let s = chunk;
    if (!this.started && s.length) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    let i = 0;
    const n = s.length;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === LF) {
          i++;
          continue;
        }
      }
      if (this.inQuotes) {
        // copy a run of ordinary characters at once
        const q = s.indexOf('"', i);
        const end = q === -1 ? n : q;
        if (end > i) {
          const part = s.slice(i, end);
          this.countLines(part);
          this.field += part;
          this.grow(end - i);
          i = end;
          continue;
        }
        // a quote: either the closing one or the first of an escaped pair
        this.settleQuotedCr();
        if (i + 1 < n) {
          if (s.charCodeAt(i + 1) === QUOTE) {
            this.field += '"';
            this.grow(1);
            i += 2;
          } else {
            this.inQuotes = false;
            this.afterQuote = true;
            i++;
          }
        } else {
          // the chunk ends on a quote: decide with the next chunk
          this.inQuotes = false;
          this.afterQuote = true;
          this.maybeEscapedQuote = true;
          i++;
        }
        continue;
      }
      if (this.maybeEscapedQuote) {
        this.maybeEscapedQuote = false;
        if (c === QUOTE) {
          this.inQuotes = true;
          this.afterQuote = false;
          this.field += '"';
          this.grow(1);
          i++;
          continue;
        }
      }
      if (c === COMMA) {
        this.endField();
        i++;
      } else if (c === LF || c === CR) {
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        if (c === CR) this.pendingCr = true;
        i++;
      } else if (c === QUOTE) {
        if (this.fieldStarted || this.afterQuote)
          throw new CsvSyntaxError(
            'a quote inside an unquoted field (quote the whole field and double it)',
            this.line,
          );
        this.inQuotes = true;
        this.fieldStarted = true;
        i++;
      } else {
        if (this.afterQuote)
          throw new CsvSyntaxError('characters after the closing quote of a field', this.line);
        // copy a run up to the next special character
        let j = i + 1;
        while (j < n) {
          const d = s.charCodeAt(j);
          if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
          j++;
        }
        this.field += s.slice(i, j);
        this.fieldStarted = true;
        this.grow(j - i);
        i = j;
      }
    }
  }

  /** Flushes the last record (a file need not end with a line break). */
  end(): void {
    this.maybeEscapedQuote = false;
    this.settleQuotedCr();
    if (this.inQuotes)
      throw new CsvSyntaxError('a quoted field is not closed before the end of the file', this.recordLine);
    if (this.fieldStarted || this.afterQuote || this.fields.length) this.endRecord();
  }

  private countLines(part: string): void {
    let k = 0;
    if (this.quotedCr) {
      this.quotedCr = false;
      if (part.charCodeAt(0) !== LF) this.line++;
    }
    for (; k < part.length; k++) {
      const c = part.charCodeAt(k);
      if (c === LF) this.line++;
      else if (c === CR) {
        if (k + 1 === part.length) this.quotedCr = true;
        else if (part.charCodeAt(k + 1) !== LF) this.line++;
      }
    }
  }

  private settleQuotedCr(): void {
    if (this.quotedCr) {
      this.quotedCr = false;
      this.line++;
    }
  }

  private grow(by: number): void {
    this.recordChars += by;
    if (this.recordChars > this.maxRecordChars)
      throw new CsvSyntaxError(`a record longer than ${this.maxRecordChars} characters`, this.recordLine);
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.fieldStarted = false;
    this.afterQuote = false;
  }

  private endRecord(): void {
    if (!this.fieldStarted && !this.afterQuote && this.fields.length === 0) {
      // an empty line: not a record
      return;
    }
    this.endField();
    const fields = this.fields;
    this.fields = [];
    this.recordChars = 0;
    this.sink(fields, this.recordLine);
  }
}

/** Parses a whole string (tests, small inputs). */
export function parseCsv(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  const p = new CsvParser((fields, line) => out.push({ fields, line }));
  p.write(text);
  p.end();
  return out;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV record with its line break; fields are quoted only when they must be. */
export function csvLine(fields: readonly string[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (i) out += ',';
    out +=
      NEEDS_QUOTES.test(f) || (f.length && (f[0] === ' ' || f[f.length - 1] === ' '))
        ? `"${f.replace(/"/g, '""')}"`
        : f;
  }
  return `${out}\n`;
}
