import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { APP_CONFIG, AppConfig, Clock, DomainError } from '@aihub/core';
import { claimOnce } from '@aihub/queue';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LineTooLongError, splitLineBatches } from '../scoring/lines';
import { scoreFiles, type ScoreFilesResult } from '../scoring/score-files';
import { canSpill, IN_MEMORY_MAX_ROWS, scoreTabularSpilled } from '../scoring/score-spill';
import { canStream, scoreTabularStreaming } from '../scoring/score-streaming';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import { SubmissionEntity, SubmissionError } from '../entities/submission.entity';
import { ScoreSubmissionJob } from '../jobs/score-submission.job';
import { CODE_RUNNER, CodeRunner } from './code-runner';
import { splitPartitioner } from './split';

export type ScoringOutcome =
  | {
      status: 'scored';
      publicScore: number | null;
      privateScore: number | null;
      rows: Record<string, number>;
    }
  | { status: 'failed'; error: SubmissionError };

/** A failure that is the submitter's (their file, their code): recorded on the submission, never retried. */
export class SubmitterFailure extends Error {
  constructor(readonly error: SubmissionError) {
    super(error.detail);
  }
}

export function toSubmitterError(err: unknown): SubmissionError | undefined {
  if (err instanceof SubmitterFailure) return err.error;
  if (err instanceof LineTooLongError)
    return {
      code: 'PREDICTIONS_INVALID',
      detail: `Line ${err.line} of the predictions is longer than ${err.maxLength} characters; is it a text file with one row per line?`,
    };
  if (err instanceof DomainError && err.status >= 400 && err.status < 500) {
    const issues = (err.extra as { issues?: unknown[] }).issues;
    return { code: err.code, detail: err.detail, ...(issues ? { issues } : {}) };
  }
  return undefined;
}

/**
 * The scoring worker's work: streams the submission and the hidden truth from storage through the scoring joins,
 * split public/private by the phase's secret HMAC, and records the outcome exactly once (`claimOnce`), so a
 * redelivered job (worker crash, duplicate) never writes a second score and a crash before the commit loses none.
 */
@Injectable()
export class ScoringService {
  private readonly logger = new Logger(ScoringService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(CODE_RUNNER) private readonly codeRunner?: CodeRunner,
  ) {}

  async score(submissionId: string, signal?: AbortSignal): Promise<ScoringOutcome | null> {
    const repo = this.dataSource.getRepository(SubmissionEntity);
    const submission = await repo.findOne({ where: { id: submissionId } });
    if (!submission || submission.status === 'scored' || submission.status === 'failed') return null;
    // visible progress; attempts show redeliveries (committed at once, not part of the effect)
    await repo.update({ id: submissionId }, { status: 'scoring', attempts: () => 'attempts + 1' });
    const phase = await this.dataSource
      .getRepository(EvaluationPhaseEntity)
      .createQueryBuilder('p')
      .addSelect('p.splitSecret')
      .where('p.id = :id', { id: submission.phaseId })
      .getOneOrFail();
    const spec = await this.dataSource
      .getRepository(EvaluationSpecEntity)
      .findOneOrFail({ where: { scenarioId: phase.scenarioId } });

    const outcome = await this.compute(submission, phase, spec, signal);
    await this.record(submission, outcome);
    return outcome;
  }

  private async compute(
    submission: SubmissionEntity,
    phase: EvaluationPhaseEntity,
    spec: EvaluationSpecEntity,
    signal?: AbortSignal,
  ): Promise<ScoringOutcome> {
    if (!spec.groundTruthKey)
      return {
        status: 'failed',
        error: { code: 'GROUND_TRUTH_MISSING', detail: 'The ground truth was removed; ask the operator.' },
      };
    let cleanup: (() => Promise<void>) | undefined;
    try {
      let openPredictions: () => Promise<Readable>;
      if (phase.mode === 'code') {
        if (!this.codeRunner) throw new Error('code submissions need the sandbox runtime (worker only)');
        const produced = await this.codeRunner.run(submission, phase, signal);
        cleanup = produced.cleanup;
        openPredictions = produced.open;
      } else {
        openPredictions = () => this.storage.get(Bucket.Submissions, submission.storageKey);
      }
      const truthKey = spec.groundTruthKey;
      const openTruth = () => this.storage.get(Bucket.GroundTruth, truthKey);
      const base = {
        metric: phase.metric,
        metricParams: phase.metricParams ?? undefined,
        idColumn: spec.idColumn,
        targetColumn: spec.targetColumn ?? undefined,
        partition: splitPartitioner(phase.splitSecret, phase.publicFraction),
      };
      let result: ScoreFilesResult | null = null;
      if (canStream(phase.metric, spec.truthLabels ?? undefined)) {
        // bounded memory when the predictions follow the truth's order (the usual case)
        const [truth, predictions] = await Promise.all([openTruth(), openPredictions()]);
        try {
          result = await scoreTabularStreaming({
            ...base,
            truth: splitLineBatches(truth),
            predictions: splitLineBatches(predictions),
            truthLabels: spec.truthLabels ?? undefined,
          });
        } finally {
          truth.destroy();
          predictions.destroy();
        }
      }
      if (!result) {
        // out of order or an id problem: a join by id (same scores and error report either way); on disk for
        // large CSV truths, so memory stays bounded; in memory for small ones and the JSON kinds
        const truthRows = spec.groundTruthRows ?? Infinity;
        const inputs = {
          ...base,
          truth: splitLineBatches(await openTruth()),
          predictions: splitLineBatches(await openPredictions()),
        };
        result =
          canSpill(phase.metric) && truthRows > IN_MEMORY_MAX_ROWS
            ? await scoreTabularSpilled({
                ...inputs,
                tempDir: join(this.config.dataDir, 'scoring-tmp'),
                partitionRows: IN_MEMORY_MAX_ROWS,
                expectedRows: spec.groundTruthRows ?? undefined,
                expectedBytes: spec.groundTruthSizeBytes ?? undefined,
              })
            : await scoreFiles(inputs);
      }
      return {
        status: 'scored',
        publicScore: result.scores.public ?? null,
        privateScore: result.scores.private ?? null,
        rows: result.rows,
      };
    } catch (err) {
      const error = toSubmitterError(err);
      if (!error) throw err; // infrastructure: BullMQ retries
      if (error.code === 'GROUND_TRUTH_INVALID')
        this.logger.error({ submissionId: submission.id, err }, 'ground truth failed validation at scoring');
      return {
        status: 'failed',
        error:
          error.code === 'GROUND_TRUTH_INVALID'
            ? {
                code: error.code,
                detail: 'The hidden ground truth could not be read; the operators have been told.',
              }
            : error,
      };
    } finally {
      await cleanup?.().catch((e: unknown) =>
        this.logger.warn({ err: e }, 'cleanup after a code submission failed'),
      );
    }
  }

  /** After the last failed attempt (infrastructure, not the file): `failed` with SCORING_UNAVAILABLE. */
  async giveUp(submissionId: string): Promise<void> {
    const submission = await this.dataSource
      .getRepository(SubmissionEntity)
      .findOne({ where: { id: submissionId } });
    if (!submission || submission.status === 'scored' || submission.status === 'failed') return;
    await this.record(submission, {
      status: 'failed',
      error: {
        code: 'SCORING_UNAVAILABLE',
        detail:
          'The platform could not score this submission after several attempts; it does not count against your quota. Please submit again later.',
      },
    });
  }

  private async record(submission: SubmissionEntity, outcome: ScoringOutcome): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await claimOnce(manager, `${ScoreSubmissionJob.name}:${submission.id}`))) return;
      const now = this.clock.now();
      if (outcome.status === 'scored') {
        await manager.getRepository(SubmissionEntity).update(
          { id: submission.id },
          {
            status: 'scored',
            publicScore: outcome.publicScore,
            privateScore: outcome.privateScore,
            error: null,
            scoredAt: now,
          },
        );
      } else {
        // jsonb column: written through save() (update() cannot type a nested object)
        await manager
          .getRepository(SubmissionEntity)
          .save({ id: submission.id, status: 'failed' as const, error: outcome.error, scoredAt: now });
      }
      await this.audit.record(manager, {
        action: outcome.status === 'scored' ? 'submission.scored' : 'submission.failed',
        objectType: 'Submission',
        objectId: submission.id,
        actorId: null,
        details:
          outcome.status === 'scored'
            ? { phaseId: submission.phaseId, rows: outcome.rows }
            : { phaseId: submission.phaseId, code: outcome.error.code },
      });
    });
  }
}
