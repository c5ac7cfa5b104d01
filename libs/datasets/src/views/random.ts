import { createHash } from 'node:crypto';

/** sfc32: a small, fast, seedable PRNG (deterministic synthetic data for a given seed). */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const h = createHash('sha256').update(seed).digest();
    this.a = h.readUInt32LE(0);
    this.b = h.readUInt32LE(4);
    this.c = h.readUInt32LE(8);
    this.d = h.readUInt32LE(12);
    for (let i = 0; i < 15; i++) this.next();
  }

  /** uniform in [0, 1) */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Weighted choice by cumulative weights (binary search). */
export class WeightedTable<T> {
  private readonly cumulative: number[] = [];
  private readonly values: T[] = [];
  private total = 0;

  constructor(entries: Iterable<[T, number]>) {
    for (const [value, weight] of entries) {
      if (weight <= 0) continue;
      this.total += weight;
      this.values.push(value);
      this.cumulative.push(this.total);
    }
  }

  get size(): number {
    return this.values.length;
  }

  pick(random: Random): T {
    const x = random.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
}

/** Reservoir sample of at most `capacity` items (algorithm R), deterministic for a seed. */
export class Reservoir<T> {
  readonly items: T[] = [];
  private seen = 0;

  constructor(
    private readonly capacity: number,
    private readonly random: Random,
  ) {}

  add(item: T): void {
    const slot = this.offer();
    if (slot >= 0) this.items[slot] = item;
  }

  /** Counts one more item; the slot to store it in, or -1 (lets callers build costly items only when kept). */
  offer(): number {
    this.seen++;
    if (this.items.length < this.capacity) return this.items.length;
    const j = this.random.int(this.seen);
    return j < this.capacity ? j : -1;
  }
}
