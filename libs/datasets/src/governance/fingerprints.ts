import { hash } from 'node:crypto';

/**
 * Row fingerprints: every row of a granted dataset, normalized and hashed to 64 bits, kept as a sorted
 * BigUint64Array (8 bytes a row; binary search). Any output line or log line whose normalized fields
 * hash to a member is flagged as a copied row. 64-bit hashes make false positives negligible
 * (~n/2^64 per line).
 */
export const normalizeField = (s: string): string => s.normalize('NFKC').trim().toLowerCase();

export function rowFingerprint(fields: string[]): bigint {
  // one-shot hash: about twice as fast as createHash() per row, same SHA-256
  return hash('sha256', fields.map(normalizeField).join('\u001f'), 'buffer').readBigUInt64BE(0);
}

export class FingerprintSet {
  private constructor(private readonly sorted: BigUint64Array) {}

  static fromRows(rows: Iterable<string[]>): FingerprintSet {
    const values: bigint[] = [];
    for (const row of rows) values.push(rowFingerprint(row));
    return FingerprintSet.fromValues(values);
  }

  static fromValues(values: Iterable<bigint>): FingerprintSet {
    const arr = BigUint64Array.from(values).sort();
    return new FingerprintSet(arr);
  }

  /** Serialized form for storage (8 bytes per row, big-endian, sorted). */
  toBuffer(): Buffer {
    const buf = Buffer.alloc(this.sorted.length * 8);
    this.sorted.forEach((v, i) => buf.writeBigUInt64BE(v, i * 8));
    return buf;
  }

  static fromBuffer(buf: Buffer): FingerprintSet {
    const arr = new BigUint64Array(buf.length / 8);
    for (let i = 0; i < arr.length; i++) arr[i] = buf.readBigUInt64BE(i * 8);
    return new FingerprintSet(arr);
  }

  get size(): number {
    return this.sorted.length;
  }

  has(fp: bigint): boolean {
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.sorted[mid];
      if (v === fp) return true;
      if (v < fp) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Does this record (fields in any delimiter-split form) reproduce a dataset row? */
  matches(fields: string[]): boolean {
    return this.has(rowFingerprint(fields));
  }
}
