import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { NotFoundError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { readCsv } from '../csv';
import { DatasetIntegrityError } from '../datasets.errors';
import { DatasetFingerprintEntity } from '../entities/dataset-fingerprint.entity';
import { DatasetVersionEntity } from '../entities/dataset-version.entity';
import { DatasetEntity } from '../entities/dataset.entity';
import { FingerprintSet, rowFingerprint } from '../governance/fingerprints';
import { FingerprintCollector } from '../views/synthetic-view';
import { MaterializationService } from './materialization.service';

export interface FingerprintRecord {
  /** key in the `views` bucket */
  storageKey: string;
  sha256: string;
  /** distinct row fingerprints */
  size: number;
  /** columns declared as direct identifiers */
  directColumns: string[];
}

const CACHE_ENTRIES = 16;
/** sets are 8 bytes a row: bound the memory they keep, not only their number */
const CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Row fingerprints of dataset versions for the airlock and log redaction: every data row, normalized
 * and hashed to 64 bits (governance/fingerprints.ts), as a sorted set of 8 bytes a row, built once per
 * version from the verified raw view and kept in the `views` bucket (checksum in `dataset_fingerprints`).
 * Archives have no rows: their set is empty.
 */
@Injectable()
export class FingerprintService {
  private readonly cache = new Map<string, { set: FingerprintSet; directColumns: string[] }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly materialization: MaterializationService,
  ) {}

  /** Builds (once) and persists the version's fingerprint set; idempotent and safe to repeat. */
  async buildFingerprintSet(versionId: string): Promise<FingerprintRecord> {
    const existing = await this.dataSource
      .getRepository(DatasetFingerprintEntity)
      .findOne({ where: { versionId } });
    if (existing) return this.toRecord(existing);
    const version = await this.dataSource
      .getRepository(DatasetVersionEntity)
      .findOne({ where: { id: versionId } });
    if (!version) throw new NotFoundError('DatasetVersion', versionId);
    const dataset = await this.dataSource
      .getRepository(DatasetEntity)
      .findOneByOrFail({ id: version.datasetId });
    const directColumns = dataset.fields.filter((f) => f.identifier === 'direct').map((f) => f.name);
    let set = FingerprintSet.fromValues([]);
    if (version.kind === 'csv') {
      const raw = await this.materialization.materialize({ versionId, view: 'raw' });
      const collector = new FingerprintCollector();
      let header = true;
      await readCsv(
        createReadStream(join(raw.hostPath, 'data.csv'), { highWaterMark: 256 * 1024 }),
        (record) => {
          if (header) header = false;
          else collector.add(rowFingerprint(record));
        },
      );
      set = collector.toSet();
    }
    const buf = set.toBuffer();
    const storageKey = `fingerprints/${versionId}.bin`;
    // a content-addressed effect: repeating it writes the same bytes
    const stored = await this.storage.put(Bucket.Views, storageKey, Readable.from([buf]), {
      contentType: 'application/octet-stream',
      metadata: { 'version-id': versionId },
    });
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(DatasetFingerprintEntity)
      .values({ versionId, storageKey, sha256: stored.sha256, size: set.size, directColumns })
      .orIgnore()
      .execute();
    this.remember(versionId, { set, directColumns });
    const row = await this.dataSource.getRepository(DatasetFingerprintEntity).findOneByOrFail({ versionId });
    return this.toRecord(row);
  }

  /** The persisted set (built first if needed), verified against its checksum; cached per process. */
  async loadFingerprintSet(versionId: string): Promise<{ set: FingerprintSet; directColumns: string[] }> {
    const hit = this.cache.get(versionId);
    if (hit) return hit;
    const record = await this.buildFingerprintSet(versionId);
    const cached = this.cache.get(versionId);
    if (cached) return cached;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.get(Bucket.Views, record.storageKey))
      chunks.push(chunk as Buffer);
    const buf = Buffer.concat(chunks);
    if (createHash('sha256').update(buf).digest('hex') !== record.sha256)
      throw new DatasetIntegrityError(`The fingerprint set of dataset version ${versionId}`);
    const value = { set: FingerprintSet.fromBuffer(buf), directColumns: record.directColumns };
    this.remember(versionId, value);
    return value;
  }

  private remember(versionId: string, value: { set: FingerprintSet; directColumns: string[] }): void {
    this.cache.delete(versionId);
    this.cache.set(versionId, value);
    let bytes = 0;
    for (const v of this.cache.values()) bytes += v.set.size * 8;
    // oldest first; the newest set stays even when it alone is over the budget
    while (this.cache.size > 1 && (this.cache.size > CACHE_ENTRIES || bytes > CACHE_BYTES)) {
      const oldest = this.cache.keys().next().value!;
      bytes -= this.cache.get(oldest)!.set.size * 8;
      this.cache.delete(oldest);
    }
  }

  private toRecord(row: DatasetFingerprintEntity): FingerprintRecord {
    return {
      storageKey: row.storageKey,
      sha256: row.sha256,
      size: row.size,
      directColumns: row.directColumns,
    };
  }
}
