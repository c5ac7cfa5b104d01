import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor } from '@aihub/authz';
import { APP_CONFIG, AppConfig, PayloadTooLargeError } from '@aihub/core';
import { InvalidZipError, ONE_FILE_PART_PROBLEMS, sanitizeFileName, zipEntryNames } from '@aihub/scenarios';
import { Bucket, OBJECT_STORAGE, ObjectStorage, receiveMultipart, StoredObject } from '@aihub/storage';
import { ARCHIVE_LIMITS, safeArchivePath } from '../archive/archive-policy';
import { DatasetArchiveInvalidError, DatasetFileEmptyError, DatasetUploadError } from '../datasets.errors';
import type { DatasetVersionView } from '../dto/dataset.dto';
import { DatasetVersionEntity } from '../entities/dataset-version.entity';
import { DatasetEntity } from '../entities/dataset.entity';
import { DatasetAccess } from './dataset-access.service';
import { VersionInspector } from './version-inspector';
import { toVersionView } from './views';

/** room for the multipart framing around the file when judging Content-Length up front */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

interface Received {
  stored: StoredObject;
  inspector: VersionInspector;
  fileName: string;
}

/**
 * Dataset versions: `multipart/form-data` with one `file` part, streamed (busboy → inspector → private
 * `datasets` bucket) with SHA-256, size and row count computed on the way; never buffered whole. The
 * version number is taken under a row lock on the dataset, in the transaction that records it.
 */
@Injectable()
export class DatasetVersionsService {
  private readonly logger = new Logger(DatasetVersionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly access: DatasetAccess,
    private readonly audit: AuditService,
  ) {}

  async upload(actor: AuthenticatedActor, datasetId: string, req: Request): Promise<DatasetVersionView> {
    // authorization first, before reading a byte of the body
    const dataset = await this.access.authorize(
      actor,
      'update',
      await this.dataSource.getRepository(DatasetEntity).findOne({ where: { id: datasetId } }),
      datasetId,
    );
    const maxBytes = this.config.uploads.maxBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES)
      throw new PayloadTooLargeError(maxBytes);

    const versionId = randomUUID();
    const key = `${datasetId}/${versionId}`;
    const received = await this.receive(req, key, maxBytes, dataset, versionId);
    return this.record(actor, dataset, versionId, key, received);
  }

  /**
   * The same as an upload, from a stream the server produces itself (demo seed, imports): authorized
   * as `actor`, inspected, stored and recorded exactly like `POST /datasets/:id/versions`.
   */
  async addVersion(
    actor: AuthenticatedActor,
    datasetId: string,
    fileName: string,
    body: Readable,
  ): Promise<DatasetVersionView> {
    const dataset = await this.access.authorize(
      actor,
      'update',
      await this.dataSource.getRepository(DatasetEntity).findOne({ where: { id: datasetId } }),
      datasetId,
    );
    const versionId = randomUUID();
    const key = `${datasetId}/${versionId}`;
    const name = sanitizeFileName(fileName) || 'upload';
    const inspector = new VersionInspector(name, dataset.fields);
    body.on('error', (err) => inspector.destroy(err));
    const stored = await this.storage.put(Bucket.Datasets, key, body.pipe(inspector), {
      maxBytes: this.config.uploads.maxBytes,
      contentType: 'application/octet-stream',
      metadata: { 'dataset-id': dataset.id, 'version-id': versionId },
    });
    return this.record(actor, dataset, versionId, key, { stored, inspector, fileName: name });
  }

  /** Checks what the inspector could not (ZIP directory, emptiness), then numbers and records the version. */
  private async record(
    actor: AuthenticatedActor,
    dataset: DatasetEntity,
    versionId: string,
    key: string,
    received: Received,
  ): Promise<DatasetVersionView> {
    const datasetId = dataset.id;
    try {
      const { inspector, stored } = received;
      if (stored.sizeBytes === 0) throw new DatasetFileEmptyError();
      let rowCount = inspector.rowCount;
      if (inspector.format === 'zip') rowCount = await this.countZipFiles(key, stored.sizeBytes);
      if (rowCount === 0)
        throw inspector.kind === 'csv'
          ? new DatasetFileEmptyError()
          : new DatasetArchiveInvalidError('The archive holds no files.');
      return await this.dataSource.transaction(async (manager) => {
        const locked = await manager
          .getRepository(DatasetEntity)
          .findOneOrFail({ where: { id: datasetId }, lock: { mode: 'pessimistic_write' } });
        const version = locked.latestVersion + 1;
        const repo = manager.getRepository(DatasetVersionEntity);
        const row = await repo.save(
          repo.create({
            id: versionId,
            datasetId,
            version,
            kind: inspector.kind,
            archiveFormat: inspector.format === 'csv' ? null : inspector.format,
            sha256: stored.sha256,
            sizeBytes: stored.sizeBytes,
            rowCount,
            columns: inspector.columns,
            storageKey: key,
            fileName: received.fileName,
            status: 'available',
            createdBy: actor.user.id,
          }),
        );
        await manager.getRepository(DatasetEntity).update({ id: datasetId }, { latestVersion: version });
        await this.audit.record(manager, {
          action: 'dataset.version.create',
          objectType: 'Dataset',
          objectId: datasetId,
          details: {
            versionId,
            version,
            kind: row.kind,
            fileName: row.fileName,
            sha256: row.sha256,
            sizeBytes: row.sizeBytes,
            rowCount: row.rowCount,
          },
        });
        return toVersionView(row);
      });
    } catch (err) {
      await this.storage
        .remove(Bucket.Datasets, key)
        .catch((e: unknown) =>
          this.logger.warn({ err: e, key }, 'could not remove a refused dataset version'),
        );
      throw err;
    }
  }

  /** Regular files of a stored ZIP, from its central directory (ranged reads); unsafe names refused. */
  private async countZipFiles(key: string, size: number): Promise<number> {
    let names: string[];
    try {
      names = await zipEntryNames(
        size,
        async (start, end) => {
          if (end <= start) return Buffer.alloc(0);
          const body = await this.storage.get(Bucket.Datasets, key, { start, end: end - 1 });
          const chunks: Buffer[] = [];
          for await (const chunk of body) chunks.push(chunk as Buffer);
          return Buffer.concat(chunks);
        },
        { maxEntries: ARCHIVE_LIMITS.maxEntries, maxCentralDirectoryBytes: 128 * 1024 * 1024 },
      );
    } catch (err) {
      if (err instanceof InvalidZipError)
        throw new DatasetArchiveInvalidError(`The .zip cannot be read (${err.message}).`);
      throw err;
    }
    let files = 0;
    for (const name of names) {
      const safe = safeArchivePath(name);
      if ('problem' in safe)
        throw new DatasetArchiveInvalidError(
          `The archive is not acceptable: entry ${JSON.stringify(name)}: ${safe.problem}.`,
        );
      if (!name.endsWith('/')) files++;
    }
    return files;
  }

  /** Streams the one `file` part into storage through the inspector. */
  private async receive(
    req: Request,
    key: string,
    maxBytes: number,
    dataset: DatasetEntity,
    versionId: string,
  ): Promise<Received> {
    const { files } = await receiveMultipart<Received>(req, {
      fileFields: ['file'],
      required: ['file'],
      maxFileBytes: maxBytes,
      invalid: (problem) => new DatasetUploadError(ONE_FILE_PART_PROBLEMS[problem.kind]),
      onFile: (_field, stream, info) => {
        const fileName = sanitizeFileName(info.fileName) || 'upload';
        const inspector = new VersionInspector(fileName, dataset.fields);
        stream.on('error', (err) => inspector.destroy(err));
        stream.pipe(inspector);
        return this.storage
          .put(Bucket.Datasets, key, inspector, {
            maxBytes,
            contentType: 'application/octet-stream',
            metadata: { 'dataset-id': dataset.id, 'version-id': versionId },
          })
          .then(
            (stored) => ({ stored, inspector, fileName }),
            (err: unknown) => {
              throw err instanceof PayloadTooLargeError ? new PayloadTooLargeError(maxBytes) : err;
            },
          );
      },
    });
    return files.file;
  }
}
