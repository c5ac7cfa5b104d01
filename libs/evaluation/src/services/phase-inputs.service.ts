import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import type { AuthenticatedActor } from '@aihub/authz';
import { ConflictError, PayloadTooLargeError, UnprocessableError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage, receiveMultipart, StoredObject } from '@aihub/storage';
import type { PhaseInputsView } from '../dto/evaluation.dto';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { EmptyUploadError, invalidMultipart } from '../evaluation.errors';
import { EvaluationAccess } from './evaluation-access.service';

const MAX_INPUTS_BYTES = 20 * 1024 * 1024 * 1024;

/** Checks the first two bytes for the gzip magic while the upload streams through. */
class GzipMagic extends Transform {
  private head = Buffer.alloc(0);
  override _transform(chunk: Buffer, _e: BufferEncoding, done: TransformCallback) {
    if (this.head.length < 2) {
      this.head = Buffer.concat([this.head, chunk]).subarray(0, 2);
      if (this.head.length === 2 && !(this.head[0] === 0x1f && this.head[1] === 0x8b)) {
        done(new UnprocessableError('INPUTS_NOT_GZIP', 'The hidden inputs must be a .tar.gz archive.'));
        return;
      }
    }
    done(null, chunk);
  }
}

/** Code phases: the hidden test inputs (a .tar.gz mounted read-only at /data/test in every run). Never served. */
@Injectable()
export class PhaseInputsService {
  private readonly logger = new Logger(PhaseInputsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly access: EvaluationAccess,
    private readonly audit: AuditService,
  ) {}

  async upload(actor: AuthenticatedActor, phaseId: string, req: Request): Promise<PhaseInputsView> {
    const { phase } = await this.access.readablePhase(actor, phaseId);
    await this.access.authorize(actor, 'update', 'Evaluation', { scenarioId: phase.scenarioId }, phaseId);
    if (phase.mode !== 'code')
      throw new ConflictError(
        'PHASE_NOT_CODE',
        'Hidden inputs belong to code phases; this phase takes prediction files.',
      );
    const key = `phases/${phaseId}/inputs-${randomUUID()}.tar.gz`;
    const { files } = await receiveMultipart<StoredObject>(req, {
      fileFields: ['file'],
      required: ['file'],
      invalid: invalidMultipart(['file']),
      maxFileBytes: MAX_INPUTS_BYTES,
      onFile: (_f, stream) => {
        const checked = new GzipMagic();
        stream.on('error', (e) => checked.destroy(e));
        return this.storage.put(Bucket.GroundTruth, key, stream.pipe(checked), {
          maxBytes: MAX_INPUTS_BYTES,
          contentType: 'application/gzip',
          metadata: { 'phase-id': phaseId },
        });
      },
    }).catch((err: unknown) => {
      throw err instanceof PayloadTooLargeError ? new PayloadTooLargeError(MAX_INPUTS_BYTES) : err;
    });
    const stored = files.file;
    try {
      if (stored.sizeBytes === 0) throw new EmptyUploadError();
      return await this.dataSource.transaction(async (manager) => {
        await manager.getRepository(EvaluationPhaseEntity).update({ id: phaseId }, { inputsKey: key });
        await this.audit.record(manager, {
          action: 'phase.inputs',
          objectType: 'Phase',
          objectId: phaseId,
          details: { sha256: stored.sha256, sizeBytes: stored.sizeBytes, previousKey: phase.inputsKey },
        });
        return { phaseId, sha256: stored.sha256, sizeBytes: stored.sizeBytes };
      });
    } catch (err) {
      await this.storage
        .remove(Bucket.GroundTruth, key)
        .catch((e: unknown) => this.logger.warn({ err: e, key }, 'could not remove refused inputs'));
      throw err;
    }
  }
}
