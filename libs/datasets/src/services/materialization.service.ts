import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, NotFoundError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { extractTarGz, extractZip } from '../archive/extract';
import {
  DatasetArchiveInvalidError,
  DatasetIntegrityError,
  DatasetViewNotAvailableError,
} from '../datasets.errors';
import { DatasetVersionEntity } from '../entities/dataset-version.entity';
import { DatasetEntity } from '../entities/dataset.entity';
import type { DatasetField, ViewKind } from '../schema/dataset-schema';
import { writeMaskedView } from '../views/masked-view';
import { SYNTHETIC_GENERATOR_VERSION, writeSyntheticView } from '../views/synthetic-view';

export interface MaterializeRequest {
  versionId: string;
  view: ViewKind;
  /** the grant's secret salt of the masked view's keyed hashes (required for `masked`, ≥ 16 bytes) */
  grantSalt?: Buffer;
}

export interface MaterializedFile {
  path: string;
  sha256: string;
  sizeBytes: number;
}

export interface MaterializedView {
  /** directory to bind-mount read-only at /data/<datasetName>/ */
  hostPath: string;
  /** SHA-256 of data.csv (CSV views) or of the original archive (archive versions) */
  sha256: string;
  rowCount: number;
  sizeBytes: number;
  files: string[];
  datasetName: string;
  view: ViewKind;
  /** true when an existing, verified cache entry was used */
  cacheHit: boolean;
}

interface EntryMeta {
  key: string;
  versionId: string;
  view: ViewKind;
  sha256: string;
  rowCount: number;
  files: MaterializedFile[];
  createdAt: string;
}

const META = 'meta.json';
const VIEW_DIR = 'view';
const CSV_FILE = 'data.csv';

/** Hashes and counts the bytes flowing through. */
class Hasher extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The local, content-addressed cache of dataset views that sandbox runs mount (docs/datasets.md).
 * `DATA_DIR/materialized/<key>/` holds `meta.json` (checksums) and `view/` (what is mounted). The key
 * is the source's SHA-256 for raw views and a hash of (source SHA-256, view, masking rules, salt
 * digest, generator version) for derived ones. Entries are built in a private temporary folder and
 * renamed into place (atomic), so readers never see a half-built view; every hit is verified
 * against its checksums first, and a corrupt entry is rebuilt.
 */
@Injectable()
export class MaterializationService {
  private readonly logger = new Logger(MaterializationService.name);
  readonly root: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {
    this.root = join(config.dataDir, 'materialized');
  }

  async materialize(req: MaterializeRequest): Promise<MaterializedView> {
    const version = await this.dataSource
      .getRepository(DatasetVersionEntity)
      .findOne({ where: { id: req.versionId } });
    if (!version) throw new NotFoundError('DatasetVersion', req.versionId);
    const dataset = await this.dataSource
      .getRepository(DatasetEntity)
      .findOneByOrFail({ id: version.datasetId });
    if (version.kind !== 'csv' && req.view !== 'raw')
      throw new DatasetViewNotAvailableError(req.view, version.kind);
    if (req.view === 'masked' && (!req.grantSalt || req.grantSalt.length < 16))
      throw new Error('materialize: a masked view needs the grant salt (at least 16 bytes)');
    const key = this.cacheKey(version, dataset.fields, req);
    const entry = join(this.root, key);
    const cached = await this.verified(entry);
    if (cached) return this.result(entry, cached, dataset.name, true);
    const meta = await this.build(entry, key, version, dataset.fields, req);
    return this.result(entry, meta, dataset.name, false);
  }

  /** The cache key of a view (exported for tests and the bench). */
  cacheKey(version: DatasetVersionEntity, fields: readonly DatasetField[], req: MaterializeRequest): string {
    if (req.view === 'raw') return `raw-${version.sha256}`;
    const spec =
      req.view === 'masked'
        ? {
            view: 'masked',
            source: version.sha256,
            rules: fields.map((f) => [f.name, f.masking, f.params ?? {}]),
            salt: createHash('sha256').update(req.grantSalt!).digest('hex'),
          }
        : {
            view: 'synthetic',
            source: version.sha256,
            generator: SYNTHETIC_GENERATOR_VERSION,
            columns: fields.map((f) => [f.name, f.type, f.identifier]),
          };
    return `${req.view}-${createHash('sha256').update(JSON.stringify(spec)).digest('hex')}`;
  }

  private result(entry: string, meta: EntryMeta, datasetName: string, cacheHit: boolean): MaterializedView {
    return {
      hostPath: join(entry, VIEW_DIR),
      sha256: meta.sha256,
      rowCount: meta.rowCount,
      sizeBytes: meta.files.reduce((s, f) => s + f.sizeBytes, 0),
      files: meta.files.map((f) => f.path),
      datasetName,
      view: meta.view,
      cacheHit,
    };
  }

  /** The entry's meta if every file is present with its recorded checksum; otherwise null (and removed). */
  private async verified(entry: string): Promise<EntryMeta | null> {
    let meta: EntryMeta;
    try {
      meta = JSON.parse(await readFile(join(entry, META), 'utf8')) as EntryMeta;
    } catch {
      return null;
    }
    for (const f of meta.files) {
      const path = join(entry, VIEW_DIR, f.path);
      const ok = await stat(path)
        .then(async (s) => s.size === f.sizeBytes && (await sha256File(path)) === f.sha256)
        .catch(() => false);
      if (!ok) {
        this.logger.warn({ entry, file: f.path }, 'materialized view failed its checksum; rebuilding');
        await this.removeEntry(entry);
        return null;
      }
    }
    return meta;
  }

  private async build(
    entry: string,
    key: string,
    version: DatasetVersionEntity,
    fields: readonly DatasetField[],
    req: MaterializeRequest,
  ): Promise<EntryMeta> {
    await mkdir(this.root, { recursive: true, mode: 0o755 });
    await chmod(this.root, 0o755);
    const tmpRoot = join(this.root, '.tmp');
    await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
    const tmp = join(tmpRoot, `${key}-${randomBytes(6).toString('hex')}`);
    const viewDir = join(tmp, VIEW_DIR);
    await mkdir(viewDir, { recursive: true });
    try {
      let meta: EntryMeta;
      if (version.kind === 'csv') meta = await this.buildCsv(viewDir, key, version, fields, req);
      else meta = await this.buildArchive(tmp, viewDir, key, version);
      await writeFile(join(tmp, META), JSON.stringify(meta));
      await this.makeReadOnly(viewDir);
      await chmod(tmp, 0o755);
      try {
        await rename(tmp, entry);
      } catch (err) {
        // another builder won the race: use its entry
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
        const theirs = await this.verified(entry);
        if (!theirs) throw err;
        return theirs;
      }
      return meta;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  private async buildCsv(
    viewDir: string,
    key: string,
    version: DatasetVersionEntity,
    fields: readonly DatasetField[],
    req: MaterializeRequest,
  ): Promise<EntryMeta> {
    const target = join(viewDir, CSV_FILE);
    const hasher = new Hasher();
    let rowCount = version.rowCount;
    if (req.view === 'raw') {
      await pipeline(
        await this.storage.get(Bucket.Datasets, version.storageKey),
        hasher,
        createWriteStream(target, { mode: 0o644 }),
      );
      const sha = hasher.digest();
      if (sha !== version.sha256) throw new DatasetIntegrityError(`Dataset version ${version.id} in storage`);
      return this.meta(key, version, req.view, sha, rowCount, [
        { path: CSV_FILE, sha256: sha, sizeBytes: hasher.bytes },
      ]);
    }
    // derived views read the (verified) raw view
    const raw = await this.materialize({ versionId: version.id, view: 'raw' });
    const source = createReadStream(join(raw.hostPath, CSV_FILE), { highWaterMark: 256 * 1024 });
    const out = new PassThrough();
    const written = pipeline(out, hasher, createWriteStream(target, { mode: 0o644 }));
    const produced =
      req.view === 'masked'
        ? writeMaskedView(source, out, fields, req.grantSalt!)
        : writeSyntheticView(source, out, fields, key);
    try {
      rowCount = (await produced).rowCount;
    } finally {
      out.end();
    }
    await written;
    const sha = hasher.digest();
    return this.meta(key, version, req.view, sha, rowCount, [
      { path: CSV_FILE, sha256: sha, sizeBytes: hasher.bytes },
    ]);
  }

  private async buildArchive(
    tmp: string,
    viewDir: string,
    key: string,
    version: DatasetVersionEntity,
  ): Promise<EntryMeta> {
    const archive = join(tmp, 'source.archive');
    const hasher = new Hasher();
    await pipeline(
      await this.storage.get(Bucket.Datasets, version.storageKey),
      hasher,
      createWriteStream(archive),
    );
    if (hasher.digest() !== version.sha256)
      throw new DatasetIntegrityError(`Dataset version ${version.id} in storage`);
    let extracted;
    try {
      extracted =
        version.archiveFormat === 'zip'
          ? await extractZip(archive, viewDir)
          : await extractTarGz(createReadStream(archive), viewDir);
    } catch (err) {
      throw new DatasetArchiveInvalidError(`The archive cannot be extracted: ${(err as Error).message}`);
    } finally {
      await rm(archive, { force: true });
    }
    const files: MaterializedFile[] = [];
    for (const f of extracted)
      files.push({ path: f.path, sizeBytes: f.sizeBytes, sha256: await sha256File(join(viewDir, f.path)) });
    return this.meta(key, version, 'raw', version.sha256, files.length, files);
  }

  private meta(
    key: string,
    version: DatasetVersionEntity,
    view: ViewKind,
    sha256: string,
    rowCount: number,
    files: MaterializedFile[],
  ): EntryMeta {
    return { key, versionId: version.id, view, sha256, rowCount, files, createdAt: new Date().toISOString() };
  }

  /** o+rx directories, o+r files, writable by nobody (the owner never rewrites an entry). */
  private async makeReadOnly(dir: string): Promise<void> {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) await this.makeReadOnly(path);
      else await chmod(path, 0o444);
    }
    await chmod(dir, 0o555);
  }

  private async removeEntry(entry: string): Promise<void> {
    // read-only dirs cannot be emptied until they are writable again
    const unlock = async (dir: string): Promise<void> => {
      await chmod(dir, 0o755).catch(() => undefined);
      for (const e of await readdir(dir, { withFileTypes: true }).catch(() => []))
        if (e.isDirectory()) await unlock(join(dir, e.name));
    };
    await unlock(entry);
    await rm(entry, { recursive: true, force: true });
  }
}
