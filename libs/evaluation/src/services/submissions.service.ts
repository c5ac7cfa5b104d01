import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor, whereAccessible } from '@aihub/authz';
import {
  APP_CONFIG,
  AppConfig,
  Clock,
  PageQueryDto,
  pageLimit,
  PayloadTooLargeError,
  toPage,
  ValidationFailedError,
} from '@aihub/core';
import { OutboxService } from '@aihub/queue';
import { ApplicationEntity } from '@aihub/scenarios/entities/application.entity';
import { Bucket, OBJECT_STORAGE, ObjectStorage, receiveMultipart, StoredObject } from '@aihub/storage';
import type { SubmissionCreatedView, SubmissionPageView, SubmissionView } from '../dto/submission.dto';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import {
  EmptyUploadError,
  FinalSelectionLimitError,
  GroundTruthMissingError,
  NotAnAwardeeError,
  PhaseNotOpenError,
  QuotaExceededError,
  ResultsAlreadyPublishedError,
  SubmissionNotScoredError,
  invalidMultipart,
} from '../evaluation.errors';
import { ScoreSubmissionJob } from '../jobs/score-submission.job';
import { EvaluationAccess } from './evaluation-access.service';
import { localDay, nextLocalMidnight } from './quota-day';
import { toSubmissionView } from './views';

export const MAX_FINAL_SELECTIONS = 2;
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** states that hold a quota slot: pending ones until they end, scored ones for good; failed ones give it back */
const COUNTED = ['queued', 'scoring', 'scored'];

/** Submissions to a phase: upload, quotas, idempotency, final selection, the organization's history. */
@Injectable()
export class SubmissionsService {
  private readonly logger = new Logger(SubmissionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly access: EvaluationAccess,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(actor: AuthenticatedActor, phaseId: string, req: Request): Promise<SubmissionCreatedView> {
    const orgId = actor.user.organizationId;
    const rawKey = req.headers['idempotency-key'];
    const idempotencyKey = typeof rawKey === 'string' && rawKey.length ? rawKey : null;
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', message: 'printable ASCII, at most 200 characters' },
      ]);

    // everything that can be refused is checked before a byte of the body is read
    const { phase } = await this.access.readablePhase(actor, phaseId);
    await this.access.authorize(actor, 'create', 'Submission', { organizationId: orgId }, phaseId);
    if (idempotencyKey) {
      const first = await this.byIdempotencyKey(this.dataSource.manager, orgId, phaseId, idempotencyKey);
      if (first) {
        req.resume();
        return { id: first.id, status: first.status };
      }
    }
    await this.checkEligible(this.dataSource.manager, phase, orgId);
    this.checkWindow(phase);
    const spec = await this.dataSource
      .getRepository(EvaluationSpecEntity)
      .findOne({ where: { scenarioId: phase.scenarioId } });
    if (!spec?.groundTruthKey) throw new GroundTruthMissingError();
    await this.checkQuota(this.dataSource.manager, phase, orgId);
    const maxBytes = phase.maxFileMb * 1024 * 1024;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES)
      throw new PayloadTooLargeError(maxBytes);

    const id = randomUUID();
    const key = `phases/${phaseId}/${id}`;
    let fileName = 'predictions';
    const { files } = await receiveMultipart<StoredObject>(req, {
      fileFields: ['file'],
      required: ['file'],
      invalid: invalidMultipart(['file']),
      maxFileBytes: maxBytes,
      onFile: (_f, stream, info) => {
        fileName = sanitize(info.fileName ?? 'file');
        return this.storage.put(Bucket.Submissions, key, stream, {
          maxBytes,
          contentType: 'application/octet-stream',
          metadata: { 'submission-id': id, 'phase-id': phaseId },
        });
      },
    }).catch((err: unknown) => {
      throw err instanceof PayloadTooLargeError ? new PayloadTooLargeError(maxBytes) : err;
    });
    const stored = files.file;
    try {
      if (stored.sizeBytes === 0) throw new EmptyUploadError();
      return await this.dataSource.transaction(async (manager) => {
        // one submission decision per organization and phase at a time: quotas and keys stay exact
        await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
          `submissions:${phaseId}:${orgId}`,
        ]);
        if (idempotencyKey) {
          const first = await this.byIdempotencyKey(manager, orgId, phaseId, idempotencyKey);
          if (first) {
            await this.discard(key);
            return { id: first.id, status: first.status };
          }
        }
        const current = await manager
          .getRepository(EvaluationPhaseEntity)
          .findOne({ where: { id: phaseId } });
        if (!current) throw new PhaseNotOpenError('The phase was removed.');
        this.checkWindow(current);
        await this.checkQuota(manager, current, orgId);
        const now = this.clock.now();
        const repo = manager.getRepository(SubmissionEntity);
        await repo.insert({
          id,
          phaseId,
          scenarioId: phase.scenarioId,
          organizationId: orgId,
          submittedBy: actor.user.id,
          status: 'queued',
          fileName,
          storageKey: key,
          sha256: stored.sha256,
          sizeBytes: stored.sizeBytes,
          idempotencyKey,
          quotaDay: localDay(now, this.config.timeZone),
          createdAt: now,
        });
        await this.outbox.enqueue(manager, ScoreSubmissionJob, { submissionId: id });
        await this.audit.record(manager, {
          action: 'submission.create',
          objectType: 'Submission',
          objectId: id,
          details: {
            phaseId,
            scenarioId: phase.scenarioId,
            sha256: stored.sha256,
            sizeBytes: stored.sizeBytes,
            fileName,
          },
        });
        return { id, status: 'queued' as const };
      });
    } catch (err) {
      await this.discard(key);
      throw err;
    }
  }

  async get(actor: AuthenticatedActor, id: string): Promise<SubmissionView> {
    const row = await this.access.authorize(
      actor,
      'read',
      'Submission',
      await this.dataSource.getRepository(SubmissionEntity).findOne({ where: { id } }),
      id,
    );
    return toSubmissionView(row, await this.isPublished(row.phaseId));
  }

  /** The caller's organization's submissions to a phase, oldest first (score history for charts). */
  async list(actor: AuthenticatedActor, phaseId: string, query: PageQueryDto): Promise<SubmissionPageView> {
    const { phase } = await this.access.readablePhase(actor, phaseId);
    const qb = this.dataSource
      .getRepository(SubmissionEntity)
      .createQueryBuilder('s')
      .where('s.phase_id = :phaseId', { phaseId });
    whereAccessible(qb, actor.ability, 'read', 'Submission');
    // operators may read every submission; the history is still the caller's organization's
    qb.andWhere('s.organization_id = :orgId', { orgId: actor.user.organizationId });
    const limit = pageLimit(query);
    const after = decodeAfter(query.cursor);
    if (after)
      qb.andWhere('(s.created_at, s.id) > (:k::timestamptz, :i::uuid)', { k: after.key, i: after.id });
    const rows = await qb
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(limit + 1)
      .getMany();
    const published = phase.resultsPublishedAt !== null;
    return toPage(
      rows,
      limit,
      (r) => ({ key: r.createdAt.toISOString(), id: r.id }),
      (r) => toSubmissionView(r, published),
    );
  }

  async selectFinal(actor: AuthenticatedActor, id: string, selected = true): Promise<SubmissionView> {
    return this.dataSource.transaction(async (manager) => {
      const found = await this.access.authorize(
        actor,
        'update',
        'Submission',
        await manager.getRepository(SubmissionEntity).findOne({ where: { id } }),
        id,
      );
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `submissions:${found.phaseId}:${found.organizationId}`,
      ]);
      const row = (await manager.getRepository(SubmissionEntity).findOne({ where: { id } }))!;
      const phase = (await manager
        .getRepository(EvaluationPhaseEntity)
        .findOne({ where: { id: row.phaseId } }))!;
      if (phase.resultsPublishedAt || phase.closedAt) throw new ResultsAlreadyPublishedError();
      if (selected && row.status !== 'scored') throw new SubmissionNotScoredError(row.status);
      if (selected && !row.selectedFinal) {
        const others = await manager.getRepository(SubmissionEntity).count({
          where: { phaseId: row.phaseId, organizationId: row.organizationId, selectedFinal: true },
        });
        if (others >= MAX_FINAL_SELECTIONS) throw new FinalSelectionLimitError(MAX_FINAL_SELECTIONS);
      }
      if (row.selectedFinal !== selected) {
        await manager.getRepository(SubmissionEntity).update({ id }, { selectedFinal: selected });
        row.selectedFinal = selected;
        await this.audit.record(manager, {
          action: selected ? 'submission.select_final' : 'submission.unselect_final',
          objectType: 'Submission',
          objectId: id,
          details: { phaseId: row.phaseId },
        });
      }
      return toSubmissionView(row, false);
    });
  }

  private async isPublished(phaseId: string): Promise<boolean> {
    const phase = await this.dataSource
      .getRepository(EvaluationPhaseEntity)
      .findOne({ where: { id: phaseId } });
    return Boolean(phase?.resultsPublishedAt);
  }

  private byIdempotencyKey(
    manager: EntityManager,
    organizationId: string,
    phaseId: string,
    idempotencyKey: string,
  ) {
    return manager
      .getRepository(SubmissionEntity)
      .findOne({ where: { organizationId, phaseId, idempotencyKey } });
  }

  /** Awardees (selected applications, lead or consortium member) of the scenario, or anyone in an open phase. */
  private async checkEligible(
    manager: EntityManager,
    phase: EvaluationPhaseEntity,
    orgId: string,
  ): Promise<void> {
    if (phase.open) return;
    const n = await manager
      .getRepository(ApplicationEntity)
      .createQueryBuilder('a')
      .where('a.scenario_id = :s', { s: phase.scenarioId })
      .andWhere("a.status = 'selected'")
      .andWhere('(a.applicant_org_id = :o OR :o = ANY(a.consortium_org_ids))', { o: orgId })
      .getCount();
    if (!n) throw new NotAnAwardeeError();
  }

  private checkWindow(phase: EvaluationPhaseEntity): void {
    const now = this.clock.now();
    if (phase.resultsPublishedAt || phase.closedAt)
      throw new PhaseNotOpenError('The phase is closed; it takes no more submissions.', {
        phaseStatus: 'closed',
      });
    if (now < phase.startsAt)
      throw new PhaseNotOpenError(`The phase opens at ${phase.startsAt.toISOString()}.`, {
        startsAt: phase.startsAt.toISOString(),
      });
    if (now >= phase.endsAt)
      throw new PhaseNotOpenError(`The phase ended at ${phase.endsAt.toISOString()}.`, {
        endsAt: phase.endsAt.toISOString(),
      });
  }

  private async checkQuota(
    manager: EntityManager,
    phase: EvaluationPhaseEntity,
    orgId: string,
  ): Promise<void> {
    const now = this.clock.now();
    const tz = this.config.timeZone;
    const today = localDay(now, tz);
    const [row]: { day: string; total: string }[] = await manager.query(
      `SELECT count(*) FILTER (WHERE quota_day = $3) AS day, count(*) AS total
         FROM submissions WHERE phase_id = $1 AND organization_id = $2 AND status = ANY($4)`,
      [phase.id, orgId, today, COUNTED],
    );
    if (phase.totalLimit !== null && Number(row.total) >= phase.totalLimit)
      throw new QuotaExceededError(
        `Your organization has used all ${phase.totalLimit} submissions of this phase.`,
        null,
        now,
      );
    if (Number(row.day) >= phase.dailyLimit) {
      const resetsAt = nextLocalMidnight(now, tz);
      throw new QuotaExceededError(
        `Your organization has used its ${phase.dailyLimit} submissions of today (${today}, ${tz}); the quota resets at ${resetsAt.toISOString()}. Failed submissions do not count.`,
        resetsAt,
        now,
      );
    }
  }

  private async discard(key: string) {
    await this.storage
      .remove(Bucket.Submissions, key)
      .catch((e: unknown) => this.logger.warn({ err: e, key }, 'could not remove a refused submission'));
  }
}

function sanitize(name: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = name.replace(/[\x00-\x1f\x7f/\\]/g, '_').trim();
  return (clean || 'predictions').slice(0, 200);
}

function decodeAfter(cursor: string | undefined) {
  if (!cursor) return undefined;
  try {
    const [key, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (
      typeof key === 'string' &&
      typeof id === 'string' &&
      !Number.isNaN(Date.parse(key)) &&
      /^[0-9a-f-]{36}$/i.test(id)
    )
      return { key, id };
  } catch {
    // fall through
  }
  throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
}
