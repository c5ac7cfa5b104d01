import type { DatasetField, FieldType } from './dataset-schema';

/** One reason a CSV does not fit its declared schema; `line` is the physical line in the file. */
export interface SchemaProblem {
  line: number;
  column?: string;
  message: string;
}

export class SchemaMismatch extends Error {
  constructor(readonly problems: SchemaProblem[]) {
    super(problems.map((p) => `line ${p.line}${p.column ? ` (${p.column})` : ''}: ${p.message}`).join('; '));
    this.name = 'SchemaMismatch';
  }
}

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false|0|1|yes|no|t|f|y|n)$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function validDate(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return (
    date.getUTCFullYear() === Number(y) &&
    date.getUTCMonth() === Number(m) - 1 &&
    date.getUTCDate() === Number(d)
  );
}

/** Does a (non-empty) cell hold a value of the type? Empty cells are missing values and always fit. */
export function fitsType(type: FieldType, value: string): boolean {
  if (value === '') return true;
  switch (type) {
    case 'string':
      return true;
    case 'integer':
      return INTEGER.test(value);
    case 'number':
      return NUMBER.test(value);
    case 'boolean':
      return BOOLEAN.test(value);
    case 'date': {
      const m = DATE.exec(value);
      return !!m && validDate(m[1], m[2], m[3]);
    }
    case 'datetime': {
      const m = DATETIME.exec(value);
      return (
        !!m && validDate(m[1], m[2], m[3]) && Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6] ?? 0) < 60
      );
    }
  }
}

const TYPE_WORDS: Record<FieldType, string> = {
  string: 'text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false, 1/0, yes/no)',
  date: 'a date YYYY-MM-DD',
  datetime: 'a date-time YYYY-MM-DDTHH:MM[:SS][Z|±hh:mm]',
};

const preview = (v: string) => JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);

/**
 * Checks a CSV against its declared fields while it streams past: the header must name every declared
 * field exactly once and nothing else (any order); every record must have as many fields as the header;
 * cells of the first `sampleRows` records must fit their declared type. Problems are collected with
 * their line numbers; reaching `maxProblems` (or a bad header) stops the upload at once.
 */
export class CsvSchemaChecker {
  private header: string[] | null = null;
  private types: FieldType[] = [];
  private rows = 0;
  readonly problems: SchemaProblem[] = [];

  constructor(
    private readonly fields: readonly DatasetField[],
    private readonly sampleRows = 1000,
    private readonly maxProblems = 20,
  ) {}

  get rowCount(): number {
    return this.rows;
  }

  get columns(): string[] {
    return this.header ?? [];
  }

  /** Feed every record, the header first. Throws SchemaMismatch when the upload should stop. */
  onRecord(record: string[], line: number): void {
    if (!this.header) {
      this.checkHeader(record, line);
      return;
    }
    this.rows++;
    if (record.length !== this.header.length) {
      this.add({
        line,
        message: `${record.length} fields where the header has ${this.header.length}`,
      });
      return;
    }
    if (this.rows > this.sampleRows) return;
    for (let c = 0; c < record.length; c++) {
      const type = this.types[c];
      if (!fitsType(type, record[c]))
        this.add({
          line,
          column: this.header[c],
          message: `${preview(record[c])} is not ${TYPE_WORDS[type]}`,
        });
    }
  }

  /** After the last record: throws unless the file fitted. */
  finish(): void {
    if (!this.header)
      this.problems.push({ line: 1, message: 'the file is empty: a header line is required' });
    if (this.problems.length) throw new SchemaMismatch(this.problems);
  }

  private checkHeader(header: string[], line: number): void {
    const declared = new Map(this.fields.map((f) => [f.name, f]));
    const seen = new Set<string>();
    for (const raw of header) {
      const name = raw.trim();
      if (seen.has(name))
        this.problems.push({ line, column: name, message: 'the column appears twice in the header' });
      else if (!declared.has(name))
        this.problems.push({
          line,
          column: name,
          message: 'the column is not declared in the dataset fields',
        });
      seen.add(name);
    }
    for (const f of this.fields)
      if (!seen.has(f.name))
        this.problems.push({ line, column: f.name, message: 'a declared field is missing from the header' });
    if (this.problems.length) throw new SchemaMismatch(this.problems);
    this.header = header.map((h) => h.trim());
    this.types = this.header.map((h) => declared.get(h)!.type);
  }

  private add(problem: SchemaProblem): void {
    this.problems.push(problem);
    if (this.problems.length >= this.maxProblems) throw new SchemaMismatch(this.problems);
  }
}
