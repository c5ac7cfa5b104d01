import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import type { Actor, AuthenticatedActor } from '@aihub/authz';
import { Clock, NotFoundError, PayloadTooLargeError, ValidationFailedError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage, receiveMultipart, StoredObject } from '@aihub/storage';
import { METRICS, isMetricName } from '../metrics';
import { splitLineBatches } from '../scoring/lines';
import type { EvaluationView, GroundTruthView, PhaseDto, PutEvaluationDto } from '../dto/evaluation.dto';
import { EvaluationPhaseEntity, PhaseCodeLimits } from '../entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import {
  EmptyUploadError,
  EvaluationNotConfiguredError,
  MetricTargetMismatchError,
  PhaseLockedError,
  PhasesOverlapError,
  invalidMultipart,
} from '../evaluation.errors';
import { EvaluationAccess } from './evaluation-access.service';
import { newSplitSecret } from './split';
import { FORMAT_DESCRIPTION, isTabular, truthFormat, validateTruth } from './truth-format';
import { toEvaluationView } from './views';

export const DEFAULT_CODE_LIMITS: PhaseCodeLimits = {
  cpus: 1,
  memoryMb: 1024,
  runTimeoutSeconds: 600,
  diskMb: 256,
};
export const DEFAULT_COMMAND = ['python3', 'main.py'];
/** Ground truth files may be large (10M rows); the general upload limit applies. */
const GROUND_TRUTH_MAX_BYTES = 20 * 1024 * 1024 * 1024;

/** The evaluation of a scenario: phases, columns and the hidden ground truth. */
@Injectable()
export class EvaluationSpecService {
  private readonly logger = new Logger(EvaluationSpecService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly access: EvaluationAccess,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async get(actor: Actor, scenarioId: string): Promise<EvaluationView> {
    await this.access.readableScenario(actor, scenarioId);
    const spec = await this.dataSource.getRepository(EvaluationSpecEntity).findOne({ where: { scenarioId } });
    if (!spec) throw new NotFoundError('Evaluation', scenarioId);
    return toEvaluationView(spec, await this.phasesOf(this.dataSource.manager, scenarioId), this.clock.now());
  }

  phasesOf(manager: EntityManager, scenarioId: string): Promise<EvaluationPhaseEntity[]> {
    return manager
      .getRepository(EvaluationPhaseEntity)
      .find({ where: { scenarioId }, order: { startsAt: 'ASC', id: 'ASC' } });
  }

  async put(actor: AuthenticatedActor, scenarioId: string, dto: PutEvaluationDto): Promise<EvaluationView> {
    const idColumn = dto.idColumn ?? 'id';
    const phases = dto.phases.map((p, i) => this.checkPhase(p, i));
    const format = truthFormat(phases[0].metric);
    for (const p of phases) {
      if (truthFormat(p.metric) !== format)
        throw new MetricTargetMismatchError(
          `All phases share one ground truth: '${p.metric}' needs ${FORMAT_DESCRIPTION[truthFormat(p.metric)]}, '${phases[0].metric}' needs ${FORMAT_DESCRIPTION[format]}.`,
        );
    }
    const targetColumn = isTabular(format) ? (dto.targetColumn ?? null) : null;
    if (isTabular(format) && !targetColumn)
      throw new MetricTargetMismatchError(
        `'${phases[0].metric}' scores ${FORMAT_DESCRIPTION[format]}: set targetColumn to the column that holds the target.`,
      );
    const sorted = [...phases].sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].startsAt < sorted[i - 1].endsAt)
        throw new PhasesOverlapError(sorted[i - 1].name, sorted[i].name);
    }

    return this.dataSource.transaction(async (manager) => {
      const scenario = await this.access.readableScenario(actor, scenarioId, manager);
      await this.access.authorize(actor, 'update', 'Evaluation', { scenarioId: scenario.id }, scenarioId);
      // one writer per scenario at a time
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`evaluation:${scenarioId}`]);
      const specRepo = manager.getRepository(EvaluationSpecEntity);
      let spec = await specRepo.findOne({ where: { scenarioId } });
      const existing = await this.phasesOf(manager, scenarioId);
      const counts = await this.submissionCounts(
        manager,
        existing.map((p) => p.id),
      );
      const byId = new Map(existing.map((p) => [p.id, p]));
      for (const p of phases) {
        if (p.id && !byId.has(p.id))
          throw new ValidationFailedError([
            { field: 'phases.id', message: `phase ${p.id} is not a phase of this scenario` },
          ]);
      }
      const kept = new Set(phases.map((p) => p.id).filter(Boolean));
      for (const old of existing) {
        if (!kept.has(old.id) && counts.get(old.id))
          throw new PhaseLockedError(old.name, 'it cannot be removed; keep its id in the body.');
      }
      const oldFormat = existing.length ? truthFormat(existing[0].metric) : null;
      const truthStale =
        spec?.groundTruthKey &&
        (oldFormat !== format || spec.idColumn !== idColumn || spec.targetColumn !== targetColumn);
      if (!spec) spec = specRepo.create({ scenarioId, idColumn, targetColumn });
      spec.idColumn = idColumn;
      spec.targetColumn = targetColumn;
      if (truthStale) {
        // the old truth no longer fits the columns or the metric: it must be uploaded again
        spec.groundTruthKey = null;
        spec.groundTruthSha256 = null;
        spec.groundTruthSizeBytes = null;
        spec.groundTruthRows = null;
        spec.groundTruthUploadedAt = null;
        spec.truthLabels = null;
      }
      spec = await specRepo.save(spec);

      const phaseRepo = manager.getRepository(EvaluationPhaseEntity);
      const removed = existing.filter((p) => !kept.has(p.id));
      if (removed.length) await phaseRepo.delete({ id: In(removed.map((p) => p.id)) });
      for (const [position, p] of phases.entries()) {
        const old = p.id ? byId.get(p.id) : undefined;
        if (old && counts.get(old.id)) {
          const changed = (['mode', 'metric', 'publicFraction'] as const).filter((k) => old[k] !== p[k]);
          if (JSON.stringify(old.metricParams ?? null) !== JSON.stringify(p.metricParams ?? null))
            changed.push('metricParams' as never);
          if (changed.length)
            throw new PhaseLockedError(old.name, `its ${changed.join(', ')} can no longer change.`);
        }
        const { id: _id, ...fields } = p;
        if (old) await phaseRepo.save(phaseRepo.merge(old, { ...fields, position }));
        else
          await phaseRepo.save(
            phaseRepo.create({ ...fields, scenarioId, position, splitSecret: newSplitSecret() }),
          );
      }
      const saved = await this.phasesOf(manager, scenarioId);
      await this.audit.record(manager, {
        action: 'evaluation.update',
        objectType: 'Scenario',
        objectId: scenarioId,
        details: {
          phases: saved.map((p) => ({ id: p.id, name: p.name, metric: p.metric, mode: p.mode })),
          idColumn,
          targetColumn,
          groundTruthReset: Boolean(truthStale),
        },
      });
      return toEvaluationView(spec, saved, this.clock.now());
    });
  }

  private checkPhase(p: PhaseDto, i: number) {
    const startsAt = new Date(p.startsAt);
    const endsAt = new Date(p.endsAt);
    if (!(startsAt < endsAt))
      throw new ValidationFailedError([
        { field: `phases.${i}.endsAt`, message: 'endsAt must be after startsAt' },
      ]);
    if (!isMetricName(p.metric))
      throw new ValidationFailedError([
        { field: `phases.${i}.metric`, message: `unknown metric '${p.metric}'` },
      ]);
    // bad params (e.g. k < 1 for hits_at_k) fail here with VALIDATION_FAILED
    METRICS[p.metric].parseParams(p.metricParams);
    const code = p.mode === 'code';
    return {
      id: p.id,
      name: p.name.trim(),
      startsAt,
      endsAt,
      mode: p.mode,
      metric: p.metric,
      metricParams: p.metricParams ?? null,
      dailyLimit: p.dailyLimit,
      totalLimit: p.totalLimit ?? null,
      maxFileMb: p.maxFileMb,
      publicFraction: p.publicFraction,
      open: p.open ?? false,
      command: code ? (p.command ?? DEFAULT_COMMAND) : null,
      codeLimits: code
        ? {
            ...DEFAULT_CODE_LIMITS,
            ...Object.fromEntries(Object.entries(p.limits ?? {}).filter(([, v]) => v !== undefined)),
          }
        : null,
    };
  }

  private async submissionCounts(manager: EntityManager, phaseIds: string[]): Promise<Map<string, number>> {
    if (!phaseIds.length) return new Map();
    const rows: { phase_id: string; n: string }[] = await manager.query(
      'SELECT phase_id, count(*) AS n FROM submissions WHERE phase_id = ANY($1) GROUP BY phase_id',
      [phaseIds],
    );
    return new Map(rows.map((r) => [r.phase_id, Number(r.n)]));
  }

  /**
   * Streams the ground truth into the private bucket, then reads it back once to validate it with the
   * evaluation's columns and metric (422 GROUND_TRUTH_INVALID with line numbers; nothing is kept then).
   */
  async uploadGroundTruth(
    actor: AuthenticatedActor,
    scenarioId: string,
    req: Request,
  ): Promise<GroundTruthView> {
    const scenario = await this.access.readableScenario(actor, scenarioId);
    await this.access.authorize(actor, 'update', 'Evaluation', { scenarioId: scenario.id }, scenarioId);
    const spec = await this.dataSource.getRepository(EvaluationSpecEntity).findOne({ where: { scenarioId } });
    const phases = await this.phasesOf(this.dataSource.manager, scenarioId);
    if (!spec || !phases.length) throw new EvaluationNotConfiguredError();
    const key = `scenarios/${scenarioId}/${randomUUID()}`;
    const { files } = await receiveMultipart<StoredObject>(req, {
      fileFields: ['file'],
      required: ['file'],
      invalid: invalidMultipart(['file']),
      maxFileBytes: GROUND_TRUTH_MAX_BYTES,
      onFile: (_field, stream) =>
        this.storage.put(Bucket.GroundTruth, key, stream, {
          maxBytes: GROUND_TRUTH_MAX_BYTES,
          contentType: 'application/octet-stream',
          metadata: { 'scenario-id': scenarioId },
        }),
    }).catch((err: unknown) => {
      throw err instanceof PayloadTooLargeError ? new PayloadTooLargeError(GROUND_TRUTH_MAX_BYTES) : err;
    });
    const stored = files.file;
    try {
      if (stored.sizeBytes === 0) throw new EmptyUploadError();
      const classes = phases.map((p) => p.metricParams?.classes).find(Array.isArray) as string[] | undefined;
      const { rows, labels } = await validateTruth(
        phases[0].metric,
        splitLineBatches(await this.storage.get(Bucket.GroundTruth, key)),
        spec,
        classes,
      );
      return await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(EvaluationSpecEntity);
        const locked = await repo.findOne({ where: { id: spec.id }, lock: { mode: 'pessimistic_write' } });
        if (!locked) throw new EvaluationNotConfiguredError();
        const previous = locked.groundTruthKey;
        const now = this.clock.now();
        await repo.update(
          { id: spec.id },
          {
            groundTruthKey: key,
            groundTruthSha256: stored.sha256,
            groundTruthSizeBytes: stored.sizeBytes,
            groundTruthRows: rows,
            groundTruthUploadedAt: now,
            truthLabels: labels,
          },
        );
        await this.audit.record(manager, {
          action: 'evaluation.ground_truth',
          objectType: 'Scenario',
          objectId: scenarioId,
          details: { sha256: stored.sha256, sizeBytes: stored.sizeBytes, rows, previousKey: previous },
        });
        return {
          scenarioId,
          sha256: stored.sha256,
          sizeBytes: stored.sizeBytes,
          rows,
          uploadedAt: now.toISOString(),
        };
      });
    } catch (err) {
      await this.storage
        .remove(Bucket.GroundTruth, key)
        .catch((e: unknown) => this.logger.warn({ err: e, key }, 'could not remove a refused ground truth'));
      throw err;
    }
  }
}
