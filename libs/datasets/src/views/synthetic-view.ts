import type { Writable } from 'node:stream';
import { csvLine, readCsv, writeChunk } from '../csv';
import { FingerprintSet, rowFingerprint } from '../governance/fingerprints';
import type { DatasetField } from '../schema/dataset-schema';
import { ColumnProfile } from './column-profile';
import { Random } from './random';

/** Bump when the generator changes: it is part of the cache key of synthetic views. */
export const SYNTHETIC_GENERATOR_VERSION = 1;
const BATCH_ROWS = 512;
const MAX_TRIES = 50;

/** Growable array of 64-bit fingerprints (8 bytes a row, no per-row objects). */
export class FingerprintCollector {
  private values = new BigUint64Array(1024);
  private length = 0;

  add(fp: bigint): void {
    if (this.length === this.values.length) {
      const next = new BigUint64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = fp;
  }

  toSet(): FingerprintSet {
    return FingerprintSet.fromValues(this.values.subarray(0, this.length));
  }
}

export interface CsvProfile {
  columns: string[];
  profiles: ColumnProfile[];
  rowCount: number;
  fingerprints: FingerprintSet;
}

/** Pass 1: per-column profiles and the fingerprints of the real rows. */
export async function profileCsv(
  input: AsyncIterable<Buffer>,
  fields: readonly DatasetField[],
  seed: string,
): Promise<CsvProfile> {
  const random = new Random(`${seed}/profile`);
  let columns: string[] | null = null;
  let profiles: ColumnProfile[] = [];
  let rowCount = 0;
  const fingerprints = new FingerprintCollector();
  await readCsv(input, (record) => {
    if (!columns) {
      columns = record.map((h) => h.trim());
      profiles = columns.map((name) => {
        const f = fields.find((x) => x.name === name);
        return new ColumnProfile(name, f?.type ?? 'string', f?.identifier ?? 'direct', random);
      });
      return;
    }
    rowCount++;
    for (let c = 0; c < profiles.length; c++) profiles[c].add(record[c] ?? '');
    fingerprints.add(rowFingerprint(record));
  });
  return { columns: columns ?? [], profiles, rowCount, fingerprints: fingerprints.toSet() };
}

/**
 * The `synthetic` view: same header and row count as the source, every column drawn independently
 * from its profile, and every generated row checked against the fingerprints of the real rows (a
 * match is drawn again), so the view contains no real row. Deterministic for a seed.
 */
export async function writeSyntheticView(
  input: AsyncIterable<Buffer>,
  output: Writable,
  fields: readonly DatasetField[],
  seed: string,
): Promise<{ rowCount: number; columns: string[]; redrawn: number }> {
  const profile = await profileCsv(input, fields, seed);
  const random = new Random(`${seed}/generate`);
  const generators = profile.profiles.map((p) => p.generator(random));
  let redrawn = 0;
  let written = 0;
  await writeChunk(output, csvLine(profile.columns));
  let batch = '';
  for (let r = 0; r < profile.rowCount; r++) {
    let row = generators.map((g) => g());
    let tries = 1;
    while (profile.fingerprints.matches(row) && tries < MAX_TRIES) {
      row = generators.map((g) => g());
      tries++;
      redrawn++;
    }
    // a column set so narrow that every draw is a real row: leave the row out rather than copy it
    if (profile.fingerprints.matches(row)) continue;
    batch += csvLine(row);
    written++;
    if (written % BATCH_ROWS === 0) {
      await writeChunk(output, batch);
      batch = '';
    }
  }
  if (batch) await writeChunk(output, batch);
  return { rowCount: written, columns: profile.columns, redrawn };
}
