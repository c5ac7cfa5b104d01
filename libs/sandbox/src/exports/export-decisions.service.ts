import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { asSubject, AuthenticatedActor } from '@aihub/authz';
import { Clock } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { SandboxAccess } from '../common/sandbox-access.service';
import { runKeys } from '../runs/runs.service';
import { AlreadyDecidedError, ExportNotReviewableError } from '../sandbox.errors';
import { ExportDecisionEntity } from './export-decision.entity';
import { ExportReviewEntity } from './export-review.entity';
import { ExportViews } from './export-views.service';
import type { ExportDecisionDto, ExportView } from './export.dto';
import { SandboxExportEntity } from './sandbox-export.entity';
import { buildZip } from './zip';

/**
 * Human review of exports: each providing organization's stewards decide (general: one approval,
 * important: two distinct approvers, votes hidden from each other until the review is complete);
 * any rejection rejects the export; when every review is approved the files are released.
 */
@Injectable()
export class ExportDecisionsService {
  private readonly logger = new Logger(ExportDecisionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly access: SandboxAccess,
    private readonly views: ExportViews,
    private readonly clock: Clock,
  ) {}

  async decide(actor: AuthenticatedActor, exportId: string, dto: ExportDecisionDto): Promise<ExportView> {
    const { exp: peek, reviews: peekReviews } = await this.views.readable(actor, exportId);
    const mine = peekReviews.find((r) => actor.ability.can('review', asSubject('SandboxExportReview', r)));
    // the whole consortium is the requesting party: none of its organizations approves its own export
    const requester = [peek.organizationId, ...peek.consortiumOrgIds].includes(actor.user.organizationId);
    if (!mine || requester)
      await this.access.deny(
        actor,
        'review',
        'SandboxExport',
        exportId,
        'Exports are decided by data stewards of the providing organizations, never by the requesting organizations (the awardee and its consortium).',
      );
    const approved = await this.dataSource.transaction(async (manager) => {
      const exp = await manager
        .getRepository(SandboxExportEntity)
        .findOneOrFail({ where: { id: exportId }, lock: { mode: 'pessimistic_write' } });
      // a flagged export can still be rejected, never approved
      if (exp.status !== 'pending_review' && !(exp.status === 'flagged' && !dto.approve))
        throw new ExportNotReviewableError(exp.status);
      const review = await manager.getRepository(ExportReviewEntity).findOneByOrFail({ id: mine!.id });
      if (review.status !== 'pending' && dto.approve)
        throw new ExportNotReviewableError(`${exp.status} (your organization's review is ${review.status})`);
      const decisions = manager.getRepository(ExportDecisionEntity);
      if (await decisions.exists({ where: { exportId, deciderId: actor.user.id } }))
        throw new AlreadyDecidedError();
      await decisions.save(
        decisions.create({
          exportId,
          reviewId: review.id,
          deciderId: actor.user.id,
          approve: dto.approve,
          reason: dto.reason.trim(),
        }),
      );
      const now = this.clock.now();
      let released = false;
      if (!dto.approve) {
        await manager.getRepository(ExportReviewEntity).update({ id: review.id }, { status: 'rejected' });
        await manager
          .getRepository(SandboxExportEntity)
          .update({ id: exportId }, { status: 'rejected', decidedAt: now });
      } else {
        const approvals = await decisions.count({ where: { reviewId: review.id, approve: true } });
        if (approvals >= review.requiredApprovals) {
          await manager.getRepository(ExportReviewEntity).update({ id: review.id }, { status: 'approved' });
          const open = await manager
            .getRepository(ExportReviewEntity)
            .createQueryBuilder('r')
            .where('r.export_id = :exportId', { exportId })
            .andWhere(`r.status <> 'approved'`)
            .getCount();
          if (open === 0) {
            await manager
              .getRepository(SandboxExportEntity)
              .update({ id: exportId }, { status: 'approved', decidedAt: now });
            released = true;
          }
        }
      }
      await this.audit.record(manager, {
        action: 'export.decision',
        objectType: 'SandboxExport',
        objectId: exportId,
        details: {
          approve: dto.approve,
          reviewId: review.id,
          providerOrgId: review.providerOrgId,
          grade: review.grade,
        },
      });
      return released;
    });
    if (approved) await this.release(exportId);
    const fresh = await this.dataSource.getRepository(SandboxExportEntity).findOneByOrFail({ id: exportId });
    return this.views.view(actor, fresh);
  }

  /** Releases exports left `approved` (a crash between the decision and the copy); the sweep calls it. */
  async releaseApproved(): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(SandboxExportEntity)
      .find({ where: { status: 'approved' }, take: 50, order: { createdAt: 'ASC' } });
    for (const r of rows) await this.release(r.id);
    return rows.map((r) => r.id);
  }

  /**
   * approved → released: the files are copied out of the run's outputs into the exports bucket (one
   * file as is, several as a zip), under a key made of the export id, so a repeat is harmless.
   */
  async release(exportId: string): Promise<void> {
    const exp = await this.dataSource.getRepository(SandboxExportEntity).findOneByOrFail({ id: exportId });
    if (exp.status !== 'approved') return;
    let key: string;
    if (exp.files.length === 1) {
      key = `exports/${exp.id}/${exp.files[0].path.split('/').pop()}`;
      await this.storage.copy(
        Bucket.Outputs,
        runKeys.output(exp.runId, exp.files[0].path),
        Bucket.Exports,
        key,
      );
    } else {
      key = `exports/${exp.id}/export.zip`;
      const files = [];
      for (const f of exp.files) {
        const chunks: Buffer[] = [];
        for await (const c of await this.storage.get(Bucket.Outputs, runKeys.output(exp.runId, f.path)))
          chunks.push(c as Buffer);
        files.push({ name: f.path, data: Buffer.concat(chunks) });
      }
      await this.storage.put(Bucket.Exports, key, Readable.from([buildZip(files, this.clock.now())]), {
        contentType: 'application/zip',
      });
    }
    await this.dataSource.transaction(async (manager) => {
      const locked = await manager
        .getRepository(SandboxExportEntity)
        .findOneOrFail({ where: { id: exportId }, lock: { mode: 'pessimistic_write' } });
      if (locked.status !== 'approved') return;
      await manager
        .getRepository(SandboxExportEntity)
        .update({ id: exportId }, { status: 'released', releasedKey: key });
      await this.audit.record(manager, {
        action: 'export.release',
        objectType: 'SandboxExport',
        objectId: exportId,
        actorId: null,
        actorOrgId: null,
        details: { releasedKey: key, files: exp.files },
      });
    });
    this.logger.log({ exportId }, 'export released');
  }
}
