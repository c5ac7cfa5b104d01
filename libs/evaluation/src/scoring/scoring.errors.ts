import { UnprocessableError } from '@aihub/core/errors/domain-error';

/** Which file a problem is in. */
export type ScoringFile = 'truth' | 'predictions';

/** Stable machine codes of the problems a file can have (one `ScoringFileError` may carry several). */
export const SCORING_ISSUE_REASONS = [
  'EMPTY_FILE',
  'WRONG_HEADER',
  'MALFORMED_CSV',
  'WRONG_FIELD_COUNT',
  'INVALID_JSON',
  'INVALID_RECORD',
  'EMPTY_ID',
  'DUPLICATE_IDS',
  'MISSING_IDS',
  'UNKNOWN_IDS',
  'MISSING_VALUE',
  'NON_NUMERIC',
  'NOT_FINITE',
  'OUT_OF_RANGE',
  'UNKNOWN_LABELS',
] as const;

export type ScoringIssueReason = (typeof SCORING_ISSUE_REASONS)[number];

/** One occurrence of a problem. Line numbers are 1-based physical lines of the file (the header is line 1). */
export interface IssueExample {
  line?: number;
  id?: string;
  column?: string;
  /** The offending value as written (shortened to 60 characters). Never a ground-truth value in a predictions error. */
  value?: string;
  /** For duplicates: the line of the first occurrence. */
  firstLine?: number;
  /** A short explanation (JSON and CSV syntax errors, malformed records). */
  detail?: string;
}

export interface ScoringIssue {
  reason: ScoringIssueReason;
  /** One sentence a person can act on, with the count and the first examples. */
  message: string;
  /** How many rows / ids / values have this problem. */
  count: number;
  /** The first few occurrences, in file order. */
  examples: IssueExample[];
  /** WRONG_HEADER: the columns that were expected and those that were found. */
  expected?: string[];
  found?: string[];
  /** UNKNOWN_LABELS: the valid labels (when there are not too many to list). */
  known?: string[];
}

/**
 * A truth or predictions file that cannot be scored. 422 with code `PREDICTIONS_INVALID` (the submitter's file) or
 * `GROUND_TRUTH_INVALID` (the host's file); `issues` lists every problem found, each with a count and the first
 * line numbers, and `detail` joins their messages.
 */
export class ScoringFileError extends UnprocessableError {
  constructor(
    readonly file: ScoringFile,
    readonly issues: ScoringIssue[],
  ) {
    super(
      file === 'predictions' ? 'PREDICTIONS_INVALID' : 'GROUND_TRUTH_INVALID',
      issues.map((i) => i.message).join(' '),
      { file, issues },
    );
  }

  get reasons(): ScoringIssueReason[] {
    return this.issues.map((i) => i.reason);
  }
}

const MAX_VALUE_LENGTH = 60;

export function shorten(value: string): string {
  return value.length > MAX_VALUE_LENGTH ? `${value.slice(0, MAX_VALUE_LENGTH - 1)}…` : value;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const quote = (s: string) => `'${s}'`;

function describe(e: IssueExample): string {
  const parts: string[] = [];
  if (e.line !== undefined) parts.push(`line ${e.line}`);
  if (e.column !== undefined) parts.push(`column ${quote(e.column)}`);
  let text = parts.join(', ');
  if (e.id !== undefined && e.value === undefined && e.detail === undefined) {
    text = text ? `${quote(e.id)} (${text})` : quote(e.id);
  } else if (e.id !== undefined) {
    text = text ? `${text} (id ${quote(e.id)})` : `id ${quote(e.id)}`;
  }
  if (e.firstLine !== undefined) text += `, first seen on line ${e.firstLine}`;
  if (e.value !== undefined) text += text ? `: ${quote(e.value)}` : quote(e.value);
  if (e.detail !== undefined) text += text ? `: ${e.detail}` : e.detail;
  return text;
}

function examplesText(examples: IssueExample[], count: number): string {
  const described = examples.map(describe).filter((d) => d.length > 0);
  if (!described.length) return '';
  const shown = described.join('; ');
  return count > examples.length
    ? ` First ${examples.length}: ${shown}.`
    : ` ${shown.charAt(0).toUpperCase()}${shown.slice(1)}.`;
}

interface IssueContext {
  expected?: string[];
  found?: string[];
  known?: string[];
  /** Overrides the default sentence (WRONG_HEADER and other one-off problems). */
  message?: string;
  /** Appended to the sentence (e.g. the allowed range). */
  note?: string;
}

const SENTENCES: Record<ScoringIssueReason, (file: string, n: number) => string> = {
  EMPTY_FILE: (f) => `The ${f} file is empty.`,
  WRONG_HEADER: (f) => `The ${f} header does not have the expected columns.`,
  MALFORMED_CSV: (f, n) =>
    `${plural(n, 'line', 'lines')} of the ${f} file ${n === 1 ? 'is' : 'are'} not valid CSV.`,
  WRONG_FIELD_COUNT: (f, n) =>
    `${plural(n, 'row', 'rows')} of the ${f} file ${n === 1 ? 'does' : 'do'} not have as many fields as the header.`,
  INVALID_JSON: (f, n) =>
    `${plural(n, 'record', 'records')} of the ${f} file ${n === 1 ? 'is' : 'are'} not valid JSON.`,
  INVALID_RECORD: (f, n) =>
    `${plural(n, 'record', 'records')} of the ${f} file ${n === 1 ? 'is' : 'are'} malformed.`,
  EMPTY_ID: (f, n) => `${plural(n, 'row', 'rows')} of the ${f} file ${n === 1 ? 'has' : 'have'} an empty id.`,
  DUPLICATE_IDS: (f, n) => `${plural(n, 'row', 'rows')} of the ${f} file repeat an id that appeared before.`,
  MISSING_IDS: (f, n) =>
    f === 'predictions'
      ? `${plural(n, 'id', 'ids')} of the ground truth ${n === 1 ? 'has' : 'have'} no row in the predictions.`
      : `${plural(n, 'id', 'ids')} ${n === 1 ? 'is' : 'are'} missing from the ${f} file.`,
  UNKNOWN_IDS: (f, n) =>
    f === 'predictions'
      ? `${plural(n, 'row', 'rows')} of the predictions ${n === 1 ? 'has an id' : 'have ids'} that ${n === 1 ? 'is' : 'are'} not in the ground truth.`
      : `${plural(n, 'record', 'records')} of the ${f} file refer to unknown ids.`,
  MISSING_VALUE: (f, n) =>
    `${plural(n, 'value', 'values')} of the ${f} file ${n === 1 ? 'is' : 'are'} empty.`,
  NON_NUMERIC: (f, n) =>
    `${plural(n, 'value', 'values')} of the ${f} file ${n === 1 ? 'is' : 'are'} not a number.`,
  NOT_FINITE: (f, n) =>
    `${plural(n, 'value', 'values')} of the ${f} file ${n === 1 ? 'is' : 'are'} NaN or infinite.`,
  OUT_OF_RANGE: (f, n) =>
    `${plural(n, 'value', 'values')} of the ${f} file ${n === 1 ? 'is' : 'are'} out of range.`,
  UNKNOWN_LABELS: (f, n) =>
    `${plural(n, 'row', 'rows')} of the ${f} file ${n === 1 ? 'uses a label' : 'use labels'} that ${n === 1 ? 'is' : 'are'} not a class of this task.`,
};

/**
 * Collects problems while a file streams by: a count and the first few examples per reason, so a file with a
 * million bad rows still yields one short, precise error. `fail()` throws at once (wrong header, empty file).
 */
export class IssueCollector {
  private readonly byReason = new Map<
    ScoringIssueReason,
    { count: number; examples: IssueExample[]; context: IssueContext }
  >();

  constructor(
    readonly file: ScoringFile,
    readonly maxExamples = 5,
  ) {}

  add(reason: ScoringIssueReason, example: IssueExample, context: IssueContext = {}): void {
    let entry = this.byReason.get(reason);
    if (!entry) this.byReason.set(reason, (entry = { count: 0, examples: [], context }));
    entry.count++;
    if (entry.examples.length < this.maxExamples) {
      entry.examples.push(
        example.value !== undefined ? { ...example, value: shorten(example.value) } : example,
      );
    }
  }

  /** Adds `count` occurrences at once (missing ids are counted after the stream). */
  addMany(
    reason: ScoringIssueReason,
    count: number,
    examples: IssueExample[],
    context: IssueContext = {},
  ): void {
    if (count <= 0) return;
    this.byReason.set(reason, { count, examples: examples.slice(0, this.maxExamples), context });
  }

  get hasIssues(): boolean {
    return this.byReason.size > 0;
  }

  issues(): ScoringIssue[] {
    const label = this.file === 'predictions' ? 'predictions' : 'ground truth';
    return SCORING_ISSUE_REASONS.filter((r) => this.byReason.has(r)).map((reason) => {
      const { count, examples, context } = this.byReason.get(reason)!;
      let message = context.message ?? SENTENCES[reason](label, count);
      if (context.note) message += ` ${context.note}`;
      if (context.known) message += ` Valid labels: ${context.known.map(quote).join(', ')}.`;
      if (!context.message) message += examplesText(examples, count);
      const issue: ScoringIssue = { reason, message, count, examples };
      if (context.expected) issue.expected = context.expected;
      if (context.found) issue.found = context.found;
      if (context.known) issue.known = context.known;
      return issue;
    });
  }

  throwIfAny(): void {
    if (this.hasIssues) throw new ScoringFileError(this.file, this.issues());
  }

  /** Records one problem and throws everything collected so far. */
  fail(reason: ScoringIssueReason, example: IssueExample, context: IssueContext = {}): never {
    this.add(reason, example, context);
    throw new ScoringFileError(this.file, this.issues());
  }
}
