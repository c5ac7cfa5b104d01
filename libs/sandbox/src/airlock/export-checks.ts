import { findDirectIdentifiers, findSmallCells, type FingerprintSet } from '@aihub/datasets';
import { matchesRow } from './log-redactor';
import { parseCsvLine } from './record-splitter';

export interface ExportCheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface ExportFile {
  path: string;
  content: Buffer;
}

export interface ExportCheckOptions {
  maxBytes: number;
  smallCellThreshold: number;
}

/** Output types that may leave: text and tables (checked line by line), and plain images. */
const TEXT_TYPES = new Set(['csv', 'tsv', 'txt', 'json', 'jsonl', 'md', 'log']);
const IMAGE_MAGIC: Record<string, Buffer> = {
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
  jpg: Buffer.from([0xff, 0xd8, 0xff]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff]),
};
export const ALLOWED_EXPORT_TYPES = [...TEXT_TYPES, ...Object.keys(IMAGE_MAGIC)];

const ext = (path: string) => (/\.([A-Za-z0-9]+)$/.exec(path)?.[1] ?? '').toLowerCase();
const isText = (path: string) => TEXT_TYPES.has(ext(path));

/** Valid UTF-8 without NUL bytes: what a text output must be (binary can hide anything). */
function isUtf8Text(buf: Buffer): boolean {
  if (buf.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

function fileTypeCheck(files: ExportFile[]): ExportCheckResult {
  const bad: string[] = [];
  for (const f of files) {
    const e = ext(f.path);
    if (TEXT_TYPES.has(e)) {
      if (!isUtf8Text(f.content)) bad.push(`${f.path} (not UTF-8 text)`);
    } else if (IMAGE_MAGIC[e]) {
      if (!f.content.subarray(0, IMAGE_MAGIC[e].length).equals(IMAGE_MAGIC[e]))
        bad.push(`${f.path} (not a ${e} image)`);
    } else bad.push(`${f.path} (type .${e || '?'} not allowed)`);
  }
  return {
    name: 'file_types',
    passed: bad.length === 0,
    detail: bad.length
      ? `Not allowed: ${bad.join(', ')}. Allowed: ${ALLOWED_EXPORT_TYPES.map((t) => `.${t}`).join(' ')}.`
      : `${files.length} file(s) of allowed types.`,
  };
}

function sizeCheck(files: ExportFile[], maxBytes: number): ExportCheckResult {
  const total = files.reduce((n, f) => n + f.content.length, 0);
  return {
    name: 'size',
    passed: total <= maxBytes,
    detail: `${total} bytes in total; the limit is ${maxBytes}.`,
  };
}

const lines = (f: ExportFile) => f.content.toString('utf8').split('\n');
const where = (hits: string[]) =>
  hits.slice(0, 10).join(', ') + (hits.length > 10 ? ` and ${hits.length - 10} more` : '');

function fingerprintCheck(files: ExportFile[], sets: readonly FingerprintSet[]): ExportCheckResult {
  const hits: string[] = [];
  for (const f of files.filter((x) => isText(x.path)))
    lines(f).forEach((line, i) => {
      if (matchesRow(line, sets)) hits.push(`${f.path}:${i + 1}`);
    });
  return {
    name: 'row_fingerprints',
    passed: hits.length === 0,
    detail: hits.length
      ? `${hits.length} line(s) reproduce rows of a granted dataset: ${where(hits)}.`
      : `No line matches a row of the ${sets.length} granted dataset(s).`,
  };
}

function identifierCheck(files: ExportFile[]): ExportCheckResult {
  const counts: Record<string, number> = {};
  const hits: string[] = [];
  for (const f of files.filter((x) => isText(x.path)))
    lines(f).forEach((line, i) => {
      for (const m of findDirectIdentifiers(line)) {
        counts[m.kind] = (counts[m.kind] ?? 0) + 1;
        hits.push(`${f.path}:${i + 1} ${m.kind} ${m.masked}`);
      }
    });
  const summary = Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  return {
    name: 'direct_identifiers',
    passed: hits.length === 0,
    detail: hits.length
      ? `Direct identifiers found (${summary}): ${where(hits)}.`
      : 'No resident ID, mobile number or credit code found.',
  };
}

function smallCellCheck(files: ExportFile[], threshold: number): ExportCheckResult {
  const hits: string[] = [];
  let tables = 0;
  for (const f of files) {
    const e = ext(f.path);
    if (e !== 'csv' && e !== 'tsv') continue;
    const rows = lines(f)
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '')
      .map((l) => (e === 'tsv' ? l.split('\t') : parseCsvLine(l)));
    if (rows.length < 2) continue;
    tables++;
    for (const c of findSmallCells(rows[0], rows.slice(1), threshold))
      hits.push(`${f.path} row ${c.row} ${c.column}=${c.value}`);
  }
  return {
    name: 'small_cells',
    passed: hits.length === 0,
    detail: hits.length
      ? `${hits.length} count(s) below ${threshold}: ${where(hits)}.`
      : `No count below ${threshold} in ${tables} table(s).`,
  };
}

/** The automatic checks every export goes through before a person sees it (DESIGN.md). */
export function runExportChecks(
  files: ExportFile[],
  sets: readonly FingerprintSet[],
  options: ExportCheckOptions,
): ExportCheckResult[] {
  return [
    fileTypeCheck(files),
    sizeCheck(files, options.maxBytes),
    fingerprintCheck(files, sets),
    identifierCheck(files),
    smallCellCheck(files, options.smallCellThreshold),
  ];
}
