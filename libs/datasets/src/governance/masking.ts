import { createHmac } from 'node:crypto';

/** Field masking rules of a dataset's schema (GB/T 37964 de-identification techniques). */
export type MaskingRule = 'none' | 'drop' | 'hash' | 'generalize' | 'truncate';

/** Optional parameters of a rule (absent: the defaults documented on generalize/truncate). */
export interface MaskingOptions {
  /** generalize: numbers into bands of this (positive integer) width, e.g. 5 → 35-39 */
  bandWidth?: number;
  /** generalize: dates to their year or month (default month) */
  datePrecision?: 'year' | 'month';
  /** truncate: keep exactly this many leading characters */
  keepChars?: number;
}

export interface MaskingField {
  name: string;
  masking: MaskingRule;
  params?: MaskingOptions;
}

/**
 * Keyed hash with the grant's salt: equal values stay equal inside one sandbox (joins work) but differ
 * across grants, so two companies cannot link their masked views. 16 hex characters (64 bits).
 */
export const keyedHash = (salt: Buffer, value: string): string =>
  value === '' ? '' : createHmac('sha256', salt).update(value, 'utf8').digest('hex').slice(0, 16);

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Generalization into bands: dates → their month (2024-03-17 → 2024-03); numbers → a band one order of
 * magnitude wide (37 → 30-39, 1234 → 1000-1999, 7.5 → 0-9, -12 → -19--10); other text → its first character
 * followed by * (a category survives, the detail does not).
 */
export function generalize(value: string, options: MaskingOptions = {}): string {
  const v = value.trim();
  if (v === '') return '';
  const date = DATE.exec(v);
  if (date) return options.datePrecision === 'year' ? date[1] : `${date[1]}-${date[2]}`;
  if (NUMBER.test(v)) {
    const x = Number(v);
    const w = options.bandWidth;
    if (w !== undefined && Number.isInteger(w) && w > 0) {
      // fixed-width bands [k·w, (k+1)·w), labelled by their integer bounds: 37 with w=5 → 35-39
      const low = Math.floor(x / w) * w;
      return `${low}-${low + w - 1}`;
    }
    const magnitude = Math.abs(x) < 10 ? 10 : 10 ** Math.floor(Math.log10(Math.abs(x)));
    const low = Math.floor(Math.abs(x) / magnitude) * magnitude;
    const high = low + magnitude - 1;
    return x < 0 ? `-${high}--${low}` : `${low}-${high}`;
  }
  return `${Array.from(v)[0]}*`;
}

/** Truncation keeps a short prefix: a third of the characters (at least 1, at most 6), the rest starred. */
export function truncate(value: string, options: MaskingOptions = {}): string {
  const chars = Array.from(value.trim());
  if (chars.length === 0) return '';
  const keep =
    options.keepChars !== undefined && Number.isInteger(options.keepChars) && options.keepChars >= 0
      ? Math.min(options.keepChars, chars.length)
      : Math.min(6, Math.max(1, Math.floor(chars.length / 3)));
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}

/** A row masker for one grant: header in, masked header out; then rows in the same column order. */
export function createRowMasker(fields: MaskingField[], header: string[], salt: Buffer) {
  const declared = header.map((h) => fields.find((f) => f.name === h));
  const rules = declared.map((f) => f?.masking ?? 'drop'); // undeclared columns never pass
  const options = declared.map((f) => f?.params ?? {});
  const keep = rules.map((r) => r !== 'drop');
  return {
    header: header.filter((_, i) => keep[i]),
    mask(row: string[]): string[] {
      const out: string[] = [];
      for (let i = 0; i < header.length; i++) {
        const value = row[i] ?? '';
        switch (rules[i]) {
          case 'drop':
            break;
          case 'none':
            out.push(value);
            break;
          case 'hash':
            out.push(keyedHash(salt, value));
            break;
          case 'generalize':
            out.push(generalize(value, options[i]));
            break;
          case 'truncate':
            out.push(truncate(value, options[i]));
            break;
        }
      }
      return out;
    },
  };
}
