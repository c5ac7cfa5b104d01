/** Small numeric helpers shared by the metrics: compensated sums, growable typed arrays, label ordering. */

/** Neumaier (improved Kahan) summation: accurate sums over millions of rows without storing them. */
export class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(value: number): void {
    const t = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) this.compensation += this.sum - t + value;
    else this.compensation += value - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

type TypedArrayConstructor<T> = { new (length: number): T };

/** An append-only typed array that doubles its capacity: one contiguous buffer instead of an object per row. */
class Growable<T extends Float64Array | Int32Array | Uint32Array> {
  private data: T;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayConstructor<T>,
    initialCapacity = 1024,
  ) {
    this.data = new ctor(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new this.ctor(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index];
  }

  /** A view of the filled part (no copy). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export class GrowableFloat64 extends Growable<Float64Array> {
  constructor(initialCapacity?: number) {
    super(Float64Array, initialCapacity);
  }
}

export class GrowableInt32 extends Growable<Int32Array> {
  constructor(initialCapacity?: number) {
    super(Int32Array, initialCapacity);
  }
}

export class GrowableUint32 extends Growable<Uint32Array> {
  constructor(initialCapacity?: number) {
    super(Uint32Array, initialCapacity);
  }
}

const NUMERIC_LABEL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Compares by Unicode code point (Python's `str` order, which numpy and scikit-learn use). */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done ? (cb.done ? 0 : -1) : 1;
    const d = (ca.value.codePointAt(0) as number) - (cb.value.codePointAt(0) as number);
    if (d !== 0) return d;
  }
}

/**
 * Sorts class labels as scikit-learn's `np.unique` would order them after pandas parsed the column: numerically
 * when every label is a number, else by code point. Decides which class is "positive" by default (the last).
 */
export function sortLabels(labels: Iterable<string>): string[] {
  const list = [...labels];
  if (list.length > 0 && list.every((l) => NUMERIC_LABEL.test(l.trim()))) {
    return list.sort((a, b) => Number(a) - Number(b) || compareCodePoints(a, b));
  }
  return list.sort(compareCodePoints);
}

/** Interns strings to dense indexes (class labels, categories): O(#distinct) memory. */
export class LabelIndex {
  private readonly indexes = new Map<string, number>();
  readonly labels: string[] = [];

  /** The index of `label`, adding it if new. */
  intern(label: string): number {
    let index = this.indexes.get(label);
    if (index === undefined) {
      index = this.labels.length;
      this.indexes.set(label, index);
      this.labels.push(label);
    }
    return index;
  }

  get(label: string): number | undefined {
    return this.indexes.get(label);
  }

  get size(): number {
    return this.labels.length;
  }
}
