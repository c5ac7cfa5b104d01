/**
 * CSV files of the tabular kinds (label, probability, numeric, ranking, text): header checks, typed values and the
 * ground-truth table that predictions are joined against by id.
 */
import type { MetricKind, TruthRowByKind } from '../metrics/metric-types';
import { LabelIndex, sortLabels } from '../metrics/numeric';
import { readCsvBatches, type CsvRecord } from './csv';
import type { LineSource } from './lines';
import { IssueCollector, shorten } from './scoring.errors';
import { parseCandidates, parseNumber } from './values';

export type TabularKind = Exclude<MetricKind, 'detection' | 'spans'>;

export interface ColumnSpec {
  idColumn: string;
  targetColumn: string;
}

/** At most this many labels are listed in "valid labels" messages. */
const MAX_LISTED_LABELS = 30;

export interface CsvHeader {
  names: string[];
  position: Map<string, number>;
  /** The line of the header (1 unless the file starts with blank lines). */
  line: number;
}

/** Builds the header from the first record; fails with WRONG_HEADER for duplicated names. */
function toHeader(record: CsvRecord, issues: IssueCollector): CsvHeader {
  const names = record.fields;
  const position = new Map<string, number>();
  const duplicated = new Set<string>();
  names.forEach((n, i) => (position.has(n) ? duplicated.add(n) : position.set(n, i)));
  if (duplicated.size) {
    issues.fail(
      'WRONG_HEADER',
      { line: record.line },
      {
        found: names,
        message: `The ${issues.file === 'truth' ? 'ground truth' : 'predictions'} header names ${[...duplicated].map((d) => `'${d}'`).join(', ')} more than once.`,
      },
    );
  }
  return { names, position, line: record.line };
}

function requireColumns(header: CsvHeader, required: string[], issues: IssueCollector, hint = ''): void {
  const missing = required.filter((c) => !header.position.has(c));
  if (!missing.length) return;
  const near = missing
    .map((m) => header.names.find((n) => n.trim().toLowerCase() === m.trim().toLowerCase()))
    .filter((n): n is string => n !== undefined);
  const file = issues.file === 'truth' ? 'ground truth' : 'predictions';
  issues.fail(
    'WRONG_HEADER',
    { line: header.line },
    {
      expected: required,
      found: header.names,
      message:
        `The ${file} header must contain the column${required.length > 1 ? 's' : ''} ${required.map((c) => `'${c}'`).join(', ')}${hint}; ` +
        `found ${header.names.map((c) => `'${shorten(c)}'`).join(', ') || 'nothing'}; missing ${missing.map((c) => `'${c}'`).join(', ')}.` +
        (near.length
          ? ` Column names are case- and space-sensitive: did you mean ${near.map((c) => `'${c}'`).join(', ')}?`
          : ''),
    },
  );
}

/** Truth rows in memory, by id. Labels are interned so a million rows of one class hold one string. */
export interface TruthTable<K extends TabularKind> {
  kind: K;
  index: Map<string, number>;
  ids: string[];
  values: TruthRowByKind[K][];
  /** For label and probability kinds: the labels that occur. */
  labels: LabelIndex;
}

/**
 * Reads the id of a record, reporting EMPTY_ID and WRONG_FIELD_COUNT. `valid` is false when the row must not be
 * scored; `id` is still given when it can be read, so the row does not also count as a missing id.
 */
function rowId(
  record: CsvRecord,
  header: CsvHeader,
  idPos: number,
  issues: IssueCollector,
): { id: string | undefined; valid: boolean } {
  const id = record.fields.length > idPos ? record.fields[idPos].trim() : '';
  if (record.fields.length !== header.names.length) {
    issues.add('WRONG_FIELD_COUNT', {
      line: record.line,
      detail: `${record.fields.length} field${record.fields.length === 1 ? '' : 's'} instead of ${header.names.length}`,
    });
    return { id: id || undefined, valid: false };
  }
  if (!id) {
    issues.add('EMPTY_ID', { line: record.line });
    return { id: undefined, valid: false };
  }
  return { id, valid: true };
}

/** One ground-truth row, typed. */
export interface TruthRow<V> {
  id: string;
  line: number;
  value: V;
}

/**
 * Streams a ground-truth CSV in batches of typed rows, reporting every problem in `issues` (header problems throw
 * at once). Duplicate ids are not checked here (that needs every id; `loadTabularTruth` does it). `labels`
 * receives each label as it is seen (label and probability kinds).
 */
export async function* readTabularTruth<K extends TabularKind>(
  kind: K,
  lines: LineSource,
  spec: ColumnSpec,
  issues: IssueCollector,
  options: { classes?: readonly string[]; labels?: LabelIndex } = {},
): AsyncGenerator<TruthRow<TruthRowByKind[K]>[]> {
  const labels = options.labels ?? new LabelIndex();
  const allowed = options.classes ? new Set(options.classes) : undefined;
  const column = spec.targetColumn;
  let header: CsvHeader | undefined;
  let idPos = 0;
  let targetPos = 0;
  for await (const batch of readCsvBatches(lines, issues)) {
    const rows: TruthRow<TruthRowByKind[K]>[] = [];
    for (const record of batch) {
      if (!header) {
        header = toHeader(record, issues);
        requireColumns(header, [spec.idColumn, spec.targetColumn], issues);
        idPos = header.position.get(spec.idColumn) as number;
        targetPos = header.position.get(spec.targetColumn) as number;
        continue;
      }
      const { id, valid } = rowId(record, header, idPos, issues);
      if (id === undefined || !valid) continue;
      const raw = record.fields[targetPos];
      let value: unknown;
      switch (kind) {
        case 'label':
        case 'probability': {
          const label = raw.trim();
          if (!label) {
            issues.add('MISSING_VALUE', { line: record.line, id, column });
            continue;
          }
          if (allowed && !allowed.has(label)) {
            issues.add(
              'UNKNOWN_LABELS',
              { line: record.line, id, column, value: label },
              { known: options.classes!.length <= MAX_LISTED_LABELS ? [...options.classes!] : undefined },
            );
            continue;
          }
          value = labels.labels[labels.intern(label)];
          break;
        }
        case 'numeric': {
          const n = parseNumber(raw);
          if (!n.ok) {
            issues.add(n.reason, { line: record.line, id, column, value: raw });
            continue;
          }
          value = n.value;
          break;
        }
        case 'ranking': {
          const candidates = parseCandidates(raw);
          if (!candidates.length) {
            issues.add('MISSING_VALUE', { line: record.line, id, column, detail: 'no relevant candidate' });
            continue;
          }
          value = candidates;
          break;
        }
        case 'text':
          value = raw;
          break;
      }
      rows.push({ id, line: record.line, value: value as TruthRowByKind[K] });
    }
    if (rows.length) yield rows;
  }
  if (!header) issues.fail('EMPTY_FILE', {});
}

/**
 * Loads a ground-truth CSV. `classes` (from metricParams) restricts the valid labels. Throws GROUND_TRUTH_INVALID with
 * every problem found (duplicate ids with their first line, empty or non-numeric targets …).
 */
export async function loadTabularTruth<K extends TabularKind>(
  kind: K,
  lines: LineSource,
  spec: ColumnSpec,
  options: { classes?: readonly string[]; maxExamples?: number } = {},
): Promise<TruthTable<K>> {
  const issues = new IssueCollector('truth', options.maxExamples);
  const table: TruthTable<K> = { kind, index: new Map(), ids: [], values: [], labels: new LabelIndex() };
  const firstLine: number[] = [];
  for await (const rows of readTabularTruth(kind, lines, spec, issues, {
    classes: options.classes,
    labels: table.labels,
  })) {
    for (const row of rows) {
      const existing = table.index.get(row.id);
      if (existing !== undefined) {
        issues.add('DUPLICATE_IDS', { line: row.line, id: row.id, firstLine: firstLine[existing] });
        continue;
      }
      table.index.set(row.id, table.ids.length);
      table.ids.push(row.id);
      firstLine.push(row.line);
      table.values.push(row.value);
    }
  }
  if (!table.ids.length && !issues.hasIssues)
    issues.fail('EMPTY_FILE', { detail: 'no data rows after the header' });
  issues.throwIfAny();
  return table;
}

/**
 * A prediction row: its id, the line it is on and the typed value for the metric. Rows whose value is invalid
 * (already reported) come with `value: undefined`, so the caller still counts their id as present.
 */
export interface PredictionRow<V> {
  id: string;
  line: number;
  value: V | undefined;
}

export interface PredictionReaderOptions {
  /** Valid labels for label metrics (default: the labels of the truth). */
  classes?: readonly string[];
  /** Allowed range of numeric predictions (probabilities: [0, 1]). */
  range?: readonly [number, number];
  maxExamples?: number;
}

/** The shape of the predictions file once its header has been read. */
export interface PredictionLayout {
  /** probability kind: one column (`targetColumn`) or one column per class. */
  mode: 'single' | 'per-class';
  /** per-class mode: the class of each value, in column order. */
  classes?: string[];
}

/**
 * Streams a predictions CSV for `truth` in batches of rows: checks the header, parses values, and reports every
 * problem in `issues` (the caller decides when to throw, after also checking ids). `onLayout` is called once after
 * the header.
 */
export async function* readTabularPredictions<K extends TabularKind>(
  truth: TruthTable<K>,
  lines: LineSource,
  spec: ColumnSpec,
  issues: IssueCollector,
  options: PredictionReaderOptions = {},
  onLayout: (layout: PredictionLayout) => void = () => undefined,
): AsyncGenerator<PredictionRow<unknown>[]> {
  const kind: TabularKind = truth.kind;
  let header: CsvHeader | undefined;
  let classColumns: { name: string; pos: number }[] | undefined;
  let idPos = 0;
  let targetPos = 0;
  const readHeader = (h: CsvHeader) => {
    if (kind === 'probability' && !h.position.has(spec.targetColumn)) {
      const required = options.classes ? [...options.classes] : sortLabels(truth.labels.labels);
      const others = h.names.filter((n) => n !== spec.idColumn);
      const missing = required.filter((c) => !h.position.has(c));
      const extra = others.filter((c) => !required.includes(c));
      if (!h.position.has(spec.idColumn) || missing.length || extra.length || !others.length) {
        issues.fail(
          'WRONG_HEADER',
          { line: h.line },
          {
            expected: [spec.idColumn, ...required],
            found: h.names,
            message:
              `The predictions header must contain '${spec.idColumn}' and either '${spec.targetColumn}' (the probability of the positive class) ` +
              `or one probability column per class (${required.map((c) => `'${c}'`).join(', ')}); found ${h.names.map((c) => `'${shorten(c)}'`).join(', ')}.` +
              (h.position.has(spec.idColumn) ? '' : ` Missing '${spec.idColumn}'.`) +
              (missing.length ? ` Missing class columns: ${missing.map((c) => `'${c}'`).join(', ')}.` : '') +
              (extra.length ? ` Unexpected columns: ${extra.map((c) => `'${shorten(c)}'`).join(', ')}.` : ''),
          },
        );
      }
      classColumns = others.map((name) => ({ name, pos: h.position.get(name) as number }));
      onLayout({ mode: 'per-class', classes: classColumns.map((c) => c.name) });
    } else {
      requireColumns(h, [spec.idColumn, spec.targetColumn], issues);
      onLayout({ mode: 'single' });
    }
    idPos = h.position.get(spec.idColumn) as number;
    targetPos = h.position.get(spec.targetColumn) as number;
  };
  const allowedLabels = options.classes ? new Set(options.classes) : undefined;
  const knownLabels = () => {
    const labels = options.classes ? [...options.classes] : sortLabels(truth.labels.labels);
    return labels.length <= MAX_LISTED_LABELS ? labels : undefined;
  };
  const range = options.range;
  const number = (raw: string, line: number, id: string, column: string): number | undefined => {
    const n = parseNumber(raw);
    if (!n.ok) {
      issues.add(n.reason, { line, id, column, value: raw });
      return undefined;
    }
    if (range && (n.value < range[0] || n.value > range[1])) {
      issues.add(
        'OUT_OF_RANGE',
        { line, id, column, value: raw },
        { note: `Values must be between ${range[0]} and ${range[1]}.` },
      );
      return undefined;
    }
    return n.value;
  };

  const valueOf = (record: CsvRecord, id: string): unknown => {
    const line = record.line;
    switch (kind) {
      case 'label': {
        const label = record.fields[targetPos].trim();
        if (!label) {
          issues.add('MISSING_VALUE', { line, id, column: spec.targetColumn });
          return undefined;
        }
        const known = allowedLabels ? allowedLabels.has(label) : truth.labels.get(label) !== undefined;
        if (!known) {
          issues.add(
            'UNKNOWN_LABELS',
            { line, id, column: spec.targetColumn, value: label },
            { known: knownLabels() },
          );
          return undefined;
        }
        return label;
      }
      case 'probability': {
        if (!classColumns) return number(record.fields[targetPos], line, id, spec.targetColumn);
        const vector = new Float64Array(classColumns.length);
        let ok = true;
        for (let j = 0; j < classColumns.length; j++) {
          const v = number(record.fields[classColumns[j].pos], line, id, classColumns[j].name);
          if (v === undefined) ok = false;
          else vector[j] = v;
        }
        return ok ? vector : undefined;
      }
      case 'numeric':
        return number(record.fields[targetPos], line, id, spec.targetColumn);
      case 'ranking':
        return parseCandidates(record.fields[targetPos]);
      case 'text':
        return record.fields[targetPos];
    }
  };

  for await (const batch of readCsvBatches(lines, issues)) {
    const rows: PredictionRow<unknown>[] = [];
    for (const record of batch) {
      if (!header) {
        header = toHeader(record, issues);
        readHeader(header);
        continue;
      }
      const { id, valid } = rowId(record, header, idPos, issues);
      if (id === undefined) continue;
      rows.push({ id, line: record.line, value: valid ? valueOf(record, id) : undefined });
    }
    if (rows.length) yield rows;
  }
  if (!header) issues.fail('EMPTY_FILE', {});
}
