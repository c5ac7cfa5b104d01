import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor } from '@aihub/authz';
import { APP_CONFIG, AppConfig, PayloadTooLargeError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage, receiveMultipart, StoredObject } from '@aihub/storage';
import { fileExtension, sanitizeFileName } from '../attachments/file-name';
import {
  ATTACHMENT_CONTENT_TYPES,
  AttachmentKind,
  AttachmentSniffer,
  EmptyFileError,
  InvalidZipError,
  WrongMagicBytesError,
  zipEntryNames,
  zipKind,
} from '../attachments/file-sniffer';
import type { AttachmentListView, AttachmentView } from '../dto/application.dto';
import { ApplicationAttachmentEntity } from '../entities/application-attachment.entity';
import { ApplicationEntity } from '../entities/application.entity';
import { applicationMachine } from '../lifecycle/state-machine';
import {
  AttachmentTypeError,
  EmptyAttachmentError,
  MultipartError,
  ONE_FILE_PART_PROBLEMS,
} from '../scenarios.errors';
import { ApplicationsService } from './applications.service';
import { LifecycleAccess } from './lifecycle-access.service';
import { toAttachmentView } from './views';

const ALLOWED_EXTENSIONS = new Set(['pdf', 'docx', 'zip']);
/** room for the multipart framing around the file when judging Content-Length up front */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

interface Received {
  stored: StoredObject;
  sniffer: AttachmentSniffer;
  fileName: string;
}

/**
 * Proposal attachments: `multipart/form-data` with one `file` part, streamed (busboy → magic-byte sniffer
 * → object storage, never buffered whole), size-limited (413), typed by content (422), stored under a
 * key made of ids. The user's file name is sanitized and kept for display only.
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger(AttachmentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly applications: ApplicationsService,
    private readonly access: LifecycleAccess,
    private readonly audit: AuditService,
  ) {}

  async upload(actor: AuthenticatedActor, applicationId: string, req: Request): Promise<AttachmentView> {
    // authorization and state first, before reading a byte of the body
    const app = await this.access.authorize(
      actor,
      'update',
      'Application',
      await this.dataSource.getRepository(ApplicationEntity).findOne({ where: { id: applicationId } }),
      applicationId,
    );
    applicationMachine.nextState(app.status, 'attach');
    const maxBytes = this.config.lifecycle.attachmentMaxBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES)
      throw new PayloadTooLargeError(maxBytes);

    const attachmentId = randomUUID();
    const key = `applications/${applicationId}/${attachmentId}`;
    const received = await this.receive(req, key, maxBytes, { applicationId, attachmentId });
    try {
      const kind = await this.classify(received, key);
      return await this.applications.withLockedApplication(
        actor,
        applicationId,
        'update',
        async (manager, locked) => {
          applicationMachine.nextState(locked.status, 'attach');
          const repo = manager.getRepository(ApplicationAttachmentEntity);
          const row = await repo.save(
            repo.create({
              id: attachmentId,
              applicationId,
              fileName: received.fileName,
              kind,
              contentType: ATTACHMENT_CONTENT_TYPES[kind],
              sizeBytes: received.stored.sizeBytes,
              sha256: received.stored.sha256,
              storageKey: key,
              uploadedBy: actor.user.id,
            }),
          );
          await this.audit.record(manager, {
            action: 'application.attach',
            objectType: 'Application',
            objectId: applicationId,
            details: {
              attachmentId,
              fileName: row.fileName,
              kind,
              sizeBytes: row.sizeBytes,
              sha256: row.sha256,
            },
          });
          return toAttachmentView(row);
        },
      );
    } catch (err) {
      await this.storage
        .remove(Bucket.Attachments, key)
        .catch((e: unknown) => this.logger.warn({ err: e, key }, 'could not remove a refused attachment'));
      throw err;
    }
  }

  async list(actor: AuthenticatedActor, applicationId: string): Promise<AttachmentListView> {
    await this.access.authorize(
      actor,
      'read',
      'Application',
      await this.dataSource.getRepository(ApplicationEntity).findOne({ where: { id: applicationId } }),
      applicationId,
    );
    const rows = await this.dataSource
      .getRepository(ApplicationAttachmentEntity)
      .find({ where: { applicationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return { items: rows.map(toAttachmentView) };
  }

  /** Streams the one `file` part into storage through the sniffer. */
  private async receive(
    req: Request,
    key: string,
    maxBytes: number,
    ids: { applicationId: string; attachmentId: string },
  ): Promise<Received> {
    const { files } = await receiveMultipart<Received>(req, {
      fileFields: ['file'],
      required: ['file'],
      maxFileBytes: maxBytes,
      invalid: (problem) => new MultipartError(ONE_FILE_PART_PROBLEMS[problem.kind]),
      onFile: async (_field, stream, info) => {
        const fileName = sanitizeFileName(info.fileName);
        const ext = fileExtension(fileName);
        if (ext && !ALLOWED_EXTENSIONS.has(ext))
          throw new AttachmentTypeError(`.${ext} files are not accepted; send a PDF, DOCX or ZIP.`);
        const sniffer = new AttachmentSniffer();
        stream.on('error', (err) => sniffer.destroy(err));
        stream.pipe(sniffer);
        try {
          const stored = await this.storage.put(Bucket.Attachments, key, sniffer, {
            maxBytes,
            contentType: 'application/octet-stream',
            metadata: { 'application-id': ids.applicationId, 'attachment-id': ids.attachmentId },
          });
          return { stored, sniffer, fileName };
        } catch (err) {
          throw this.translate(err, maxBytes);
        }
      },
    });
    return files.file;
  }

  private translate(err: unknown, maxBytes: number): unknown {
    if (err instanceof WrongMagicBytesError)
      return new AttachmentTypeError('The file is not a PDF, DOCX or ZIP (checked by its content).');
    if (err instanceof EmptyFileError) return new EmptyAttachmentError();
    if (err instanceof PayloadTooLargeError) return new PayloadTooLargeError(maxBytes);
    return err;
  }

  /** The kind from the bytes (a ZIP's directory tells DOCX from ZIP), checked against the extension. */
  private async classify(r: Received, key: string): Promise<AttachmentKind> {
    const ext = fileExtension(r.fileName);
    let kind: AttachmentKind;
    if (r.sniffer.family === 'pdf') kind = 'pdf';
    else {
      const tail = r.sniffer.tail;
      try {
        const names = await zipEntryNames(r.stored.sizeBytes, async (start, end) =>
          start >= tail.offset
            ? tail.bytes.subarray(start - tail.offset, end - tail.offset)
            : this.readRange(key, start, end),
        );
        kind = zipKind(names);
      } catch (err) {
        if (err instanceof InvalidZipError)
          throw new AttachmentTypeError(`The file starts like a ZIP but is not one (${err.message}).`);
        throw err;
      }
    }
    if (ext === 'zip' && kind === 'docx') return 'zip';
    if (ext && ext !== kind)
      throw new AttachmentTypeError(
        `The file is named .${ext} but its content is ${kind.toUpperCase()}.`,
        'ATTACHMENT_TYPE_MISMATCH',
      );
    return kind;
  }

  /** bytes [start, end) of the stored object (a ZIP directory larger than the kept tail) */
  private async readRange(key: string, start: number, end: number): Promise<Buffer> {
    if (end <= start) return Buffer.alloc(0);
    const body = await this.storage.get(Bucket.Attachments, key, { start, end: end - 1 });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}
