import type { FieldType, FieldIdentifier } from '../schema/dataset-schema';
import { Random, Reservoir, WeightedTable } from './random';

/**
 * Per-column statistics of a CSV, gathered in one streaming pass with bounded memory, from which a
 * synthetic column is drawn independently of the others (so no real row survives, but each column's
 * distribution does):
 * - numbers and dates: a 20-bin histogram of a 4096-value reservoir sample; values drawn uniformly
 *   within a bin chosen by its frequency;
 * - categorical text (≤ 100 distinct values): values seen at least CATEGORY_MIN_COUNT times are drawn
 *   by frequency; rarer values (which could single someone out) are replaced by generated text;
 * - other text and every direct identifier: generated from the column's character frequencies and
 *   value-length distribution; direct identifiers keep only the *shape* (digit/letter positions) of a
 *   sampled value, with every digit and letter drawn at random.
 */
export const CATEGORY_LIMIT = 100;
export const CATEGORY_MIN_COUNT = 5;
const SAMPLE = 4096;
const BINS = 20;
const CHAR_LIMIT = 5000;

const DATETIME_PARTS = /^(\d{4}-\d{2}-\d{2})([T ])(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

export class ColumnProfile {
  count = 0;
  empty = 0;
  private categories: Map<string, number> | null = new Map();
  private readonly numbers: Reservoir<number>;
  private readonly lengths: Reservoir<number>;
  private readonly shapes: Reservoir<string>;
  private readonly chars = new Map<string, number>();
  private decimals = 0;
  private datetimeSep = 'T';
  private datetimeZone = '';
  private datetimeSeconds = true;

  constructor(
    readonly name: string,
    readonly type: FieldType,
    readonly identifier: FieldIdentifier,
    random: Random,
  ) {
    this.numbers = new Reservoir(SAMPLE, random);
    this.lengths = new Reservoir(SAMPLE, random);
    this.shapes = new Reservoir(256, random);
  }

  private get numeric(): boolean {
    return (
      this.type === 'integer' || this.type === 'number' || this.type === 'date' || this.type === 'datetime'
    );
  }

  add(value: string): void {
    this.count++;
    if (value === '') {
      this.empty++;
      return;
    }
    if (this.numeric) {
      const x = this.toNumber(value);
      if (x !== null) {
        this.numbers.add(x);
        return;
      }
      // a value the sample check did not see: treated as text below
    }
    if (this.categories && this.identifier !== 'direct') {
      this.categories.set(value, (this.categories.get(value) ?? 0) + 1);
      if (this.categories.size > CATEGORY_LIMIT) this.categories = null;
    }
    let length = 0;
    for (const ch of value) {
      length++;
      const n = this.chars.get(ch);
      if (n !== undefined) this.chars.set(ch, n + 1);
      else if (this.chars.size < CHAR_LIMIT) this.chars.set(ch, 1);
    }
    this.lengths.add(length);
    if (this.identifier === 'direct') {
      // the shape is built only when the reservoir keeps it
      const slot = this.shapes.offer();
      if (slot >= 0) this.shapes.items[slot] = shapeOf(Array.from(value));
    }
  }

  private toNumber(value: string): number | null {
    if (this.type === 'integer' || this.type === 'number') {
      const x = Number(value);
      if (!Number.isFinite(x) || value.trim() === '') return null;
      const dot = value.indexOf('.');
      if (dot >= 0 && !/[eE]/.test(value))
        this.decimals = Math.max(this.decimals, Math.min(6, value.length - dot - 1));
      return x;
    }
    if (this.type === 'date') {
      const t = Date.parse(`${value}T00:00:00Z`);
      return Number.isFinite(t) ? t : null;
    }
    const m = DATETIME_PARTS.exec(value);
    if (!m) return null;
    if (this.numbers.items.length === 0) {
      this.datetimeSep = m[2];
      this.datetimeZone = m[4] ? 'Z' : '';
      this.datetimeSeconds = m[3].length > 5;
    }
    const t = Date.parse(`${m[1]}T${m[3]}${m[4] ?? 'Z'}`);
    return Number.isFinite(t) ? t : null;
  }

  /** The generator of this column's synthetic values. */
  generator(random: Random): () => string {
    const emptyRate = this.count ? this.empty / this.count : 0;
    const textCount = this.count - this.empty - this.numbers.items.length;
    const numberRate = this.count - this.empty ? this.numbers.items.length / (this.count - this.empty) : 0;
    const num = this.numberGenerator(random);
    const text = this.textGenerator(random);
    return () => {
      if (random.next() < emptyRate) return '';
      if (num && (textCount <= 0 || random.next() < numberRate)) return num();
      return text ? text() : num ? num() : '';
    };
  }

  private numberGenerator(random: Random): (() => string) | null {
    const sample = this.numbers.items;
    if (!sample.length) return null;
    let min = Infinity;
    let max = -Infinity;
    for (const x of sample) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
    const width = (max - min) / BINS || 1;
    const counts = new Array<number>(BINS).fill(0);
    for (const x of sample) counts[Math.min(BINS - 1, Math.floor((x - min) / width))]++;
    const bins = new WeightedTable(counts.map((c, i): [number, number] => [i, c]));
    const draw = () => {
      const b = bins.pick(random);
      return max === min ? min : Math.min(max, min + (b + random.next()) * width);
    };
    switch (this.type) {
      case 'integer':
        return () => String(Math.round(draw()));
      case 'number':
        return () => draw().toFixed(this.decimals);
      case 'date':
        return () => new Date(Math.floor(draw() / 86_400_000) * 86_400_000).toISOString().slice(0, 10);
      default:
        return () => {
          const iso = new Date(Math.floor(draw() / 1000) * 1000).toISOString();
          return `${iso.slice(0, 10)}${this.datetimeSep}${iso.slice(11, this.datetimeSeconds ? 19 : 16)}${this.datetimeZone}`;
        };
    }
  }

  private textGenerator(random: Random): (() => string) | null {
    const lengths = this.lengths.items;
    if (!lengths.length) return null;
    const charTable = new WeightedTable(this.chars.entries());
    const digits = '0123456789';
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const freeText = () => {
      const n = lengths[random.int(lengths.length)];
      let s = '';
      for (let i = 0; i < n; i++) s += charTable.pick(random);
      return s;
    };
    if (this.identifier === 'direct') {
      const shapes = this.shapes.items;
      return () => {
        const shape = shapes[random.int(shapes.length)];
        let s = '';
        for (const ch of shape) {
          if (ch === '9') s += digits[random.int(10)];
          else if (ch === 'A') s += letters[random.int(26)];
          else if (ch === 'a') s += letters[random.int(26)].toLowerCase();
          else if (ch === '*') s += charTable.pick(random);
          else s += ch;
        }
        return s;
      };
    }
    const common = this.categories
      ? // a boolean value cannot single anyone out; other rare values could
        [...this.categories.entries()].filter(([, n]) => this.type === 'boolean' || n >= CATEGORY_MIN_COUNT)
      : [];
    if (!common.length) return freeText;
    const table = new WeightedTable(common);
    const commonCount = common.reduce((sum, [, n]) => sum + n, 0);
    const textTotal = [...this.categories!.values()].reduce((sum, n) => sum + n, 0);
    const rareRate = 1 - commonCount / textTotal;
    return () => (random.next() < rareRate ? freeText() : table.pick(random));
  }
}

/** digits → 9, ASCII letters → A/a, separators kept, anything else (e.g. Chinese characters) → *. */
function shapeOf(chars: string[]): string {
  let s = '';
  for (const ch of chars) {
    if (ch >= '0' && ch <= '9') s += '9';
    else if (ch >= 'A' && ch <= 'Z') s += 'A';
    else if (ch >= 'a' && ch <= 'z') s += 'a';
    else if (/[\s\-_.:/@+()#]/.test(ch)) s += ch;
    else s += '*';
  }
  return s;
}
