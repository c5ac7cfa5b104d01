import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, asSubject, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import {
  APP_CONFIG,
  AppConfig,
  Clock,
  ConflictError,
  Page,
  pageLimit,
  PayloadTooLargeError,
  toPage,
  ValidationFailedError,
} from '@aihub/core';
import { OutboxService } from '@aihub/queue';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { extractBundle } from '../bundle/safe-extract';
import { SandboxAccess } from '../common/sandbox-access.service';
import { decodeTimeCursor } from '../common/paging';
import { RunSandboxJob } from '../jobs/run-sandbox.job';
import { RunNotCancellableError } from '../sandbox.errors';
import { SandboxesService } from '../sandboxes/sandboxes.service';
import type { RunListQueryDto, RunView } from './run.dto';
import { receiveRunUpload } from './run-upload';
import { SandboxRunEntity } from './sandbox-run.entity';
import { toRunView } from './views';

const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
export const MAX_BUNDLE_FILES = 10_000;
const FINISHED = ['succeeded', 'failed', 'timed_out', 'cancelled'];

export const runKeys = {
  bundle: (runId: string) => `runs/${runId}/bundle.tar.gz`,
  log: (runId: string) => `runs/${runId}/log.txt`,
  redactedLog: (runId: string) => `runs/${runId}/log.redacted.txt`,
  output: (runId: string, path: string) => `runs/${runId}/output/${path}`,
};

/** Runs: upload (streamed bundle + argv, Idempotency-Key), reading, logs (redacted for companies), cancel. */
@Injectable()
export class RunsService {
  private readonly logger = new Logger(RunsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly access: SandboxAccess,
    private readonly sandboxes: SandboxesService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  /** 202 with the new (or, for a repeated Idempotency-Key, the first) run. */
  async create(
    actor: AuthenticatedActor,
    sandboxId: string,
    req: Request,
    idempotencyKey?: string,
  ): Promise<RunView> {
    const key = this.checkIdempotencyKey(idempotencyKey);
    // authorization and state before reading a byte of the body
    const sandbox = await this.sandboxes.readable(actor, sandboxId);
    if (!this.access.can(actor, 'update', 'Sandbox', sandbox))
      await this.access.deny(actor, 'update', 'Sandbox', sandboxId);
    if (key) {
      const first = await this.byIdempotencyKey(sandboxId, key);
      if (first) {
        req.resume();
        return toRunView(first);
      }
    }
    this.sandboxes.assertActive(sandbox);
    const maxBytes = this.config.sandboxes.bundleMaxBytes;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES)
      throw new PayloadTooLargeError(maxBytes);

    const runId = randomUUID();
    const bundleKey = runKeys.bundle(runId);
    try {
      const received = await receiveRunUpload(req, this.storage, bundleKey, maxBytes);
      await this.validateBundle(bundleKey, runId);
      return await this.dataSource.transaction(async (manager) => {
        const locked = await this.sandboxes.locked(manager, actor, sandboxId, 'update', true);
        const repo = manager.getRepository(SandboxRunEntity);
        const run = await repo.save(
          repo.create({
            id: runId,
            sandboxId,
            organizationId: locked.organizationId,
            consortiumOrgIds: locked.consortiumOrgIds,
            command: received.command,
            status: 'queued',
            idempotencyKey: key ?? null,
            bundleKey,
            bundleSha256: received.stored.sha256,
            bundleSizeBytes: String(received.stored.sizeBytes),
            requestedBy: actor.user.id,
          }),
        );
        await this.outbox.enqueue(manager, RunSandboxJob, { runId });
        await this.audit.record(manager, {
          action: 'run.create',
          objectType: 'SandboxRun',
          objectId: runId,
          details: {
            sandboxId,
            command: received.command,
            bundleSha256: received.stored.sha256,
            bundleSizeBytes: received.stored.sizeBytes,
          },
        });
        return toRunView(run);
      });
    } catch (err) {
      await this.storage.remove(Bucket.Runs, bundleKey).catch(() => undefined);
      if (key && err instanceof QueryFailedError && /uq_sandbox_runs_idempotency/.test(String(err.message))) {
        const first = await this.byIdempotencyKey(sandboxId, key);
        if (first) return toRunView(first);
      }
      throw err;
    }
  }

  /**
   * Extracts the stored bundle once into a scratch folder with the same limits the worker uses, so an
   * unsafe or broken archive is a 422 now rather than a failed run later.
   */
  private async validateBundle(key: string, runId: string): Promise<void> {
    const scratch = join(this.config.dataDir, 'sandbox-upload-checks', runId);
    await mkdir(join(this.config.dataDir, 'sandbox-upload-checks'), { recursive: true });
    try {
      await extractBundle(await this.storage.get(Bucket.Runs, key), scratch, {
        maxBytes: this.config.sandboxes.bundleMaxBytes,
        maxFiles: MAX_BUNDLE_FILES,
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private checkIdempotencyKey(key: string | undefined): string | undefined {
    if (key === undefined) return undefined;
    if (!/^[\x21-\x7e]{1,200}$/.test(key))
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', message: '1–200 printable ASCII characters' },
      ]);
    return key;
  }

  private byIdempotencyKey(sandboxId: string, key: string): Promise<SandboxRunEntity | null> {
    return this.dataSource
      .getRepository(SandboxRunEntity)
      .findOne({ where: { sandboxId, idempotencyKey: key } });
  }

  async list(actor: Actor, sandboxId: string, query: RunListQueryDto): Promise<Page<RunView>> {
    await this.sandboxes.readable(actor, sandboxId);
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource
      .getRepository(SandboxRunEntity)
      .createQueryBuilder('r')
      .where('r.sandbox_id = :sandboxId', { sandboxId });
    whereAccessible(qb, actor.ability, 'read', 'SandboxRun');
    if (query.status) qb.andWhere('r.status = :status', { status: query.status });
    if (after)
      qb.andWhere('(r.created_at, r.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (r) => ({ key: r.createdAt.toISOString(), id: r.id }), toRunView);
  }

  async get(actor: Actor, runId: string): Promise<RunView> {
    return toRunView(await this.readable(actor, runId));
  }

  /**
   * The run if the caller may read it: its organization, operators and auditors (the run rule), or a
   * data steward of a dataset the run mounted (reviewing its exports). 404 otherwise.
   */
  async readable(actor: Actor, runId: string): Promise<SandboxRunEntity> {
    const row = await this.dataSource.getRepository(SandboxRunEntity).findOne({ where: { id: runId } });
    if (row && !actor.ability.can('read', asSubject('SandboxRun', row)) && this.reviewsMount(actor, row))
      return row;
    return this.access.authorize(actor, 'read', 'SandboxRun', row, runId);
  }

  private reviewsMount(actor: Actor, run: SandboxRunEntity): boolean {
    return run.mounts.some((m) =>
      actor.ability.can('review', asSubject('DatasetGrant', { providerOrgId: m.providerOrgId })),
    );
  }

  /** The log as text: redacted for the company; `raw` for operators and stewards of a mounted dataset. */
  async log(actor: Actor, runId: string, raw: boolean): Promise<Readable> {
    const run = await this.readable(actor, runId);
    if (raw && !actor.ability.can('review', asSubject('SandboxRun', run)) && !this.reviewsMount(actor, run))
      await this.access.deny(
        actor,
        'read raw log of',
        'SandboxRun',
        runId,
        'The unredacted log is for reviewers (operators, data stewards of a mounted dataset).',
      );
    if (!FINISHED.includes(run.status))
      throw new ConflictError(
        'RUN_NOT_FINISHED',
        `The run is ${run.status}; its log is available once it has finished.`,
        { runStatus: run.status },
      );
    if (raw)
      await this.audit.recordDetached({
        action: 'run.log_raw_read',
        objectType: 'SandboxRun',
        objectId: runId,
      });
    const key = raw ? runKeys.log(runId) : runKeys.redactedLog(runId);
    // a run cancelled (or refused) before it started has no log: an empty one
    if (!(await this.storage.exists(Bucket.Runs, key))) return Readable.from([]);
    return this.storage.get(Bucket.Runs, key);
  }

  /** Queued: cancelled at once. Running: marked; the worker polling the row kills the whole process tree. */
  async cancel(actor: AuthenticatedActor, runId: string): Promise<RunView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(SandboxRunEntity)
        .findOne({ where: { id: runId }, lock: { mode: 'pessimistic_write' } });
      const run = await this.access.authorize(actor, 'update', 'SandboxRun', row, runId);
      if (run.status !== 'queued' && run.status !== 'running') throw new RunNotCancellableError(run.status);
      const now = this.clock.now();
      run.cancelRequestedAt = now;
      if (run.status === 'queued') {
        run.status = 'cancelled';
        run.finishedAt = now;
        run.reason = 'cancelled before it started';
      }
      await manager.getRepository(SandboxRunEntity).save(run);
      await this.audit.record(manager, {
        action: 'run.cancel',
        objectType: 'SandboxRun',
        objectId: runId,
        details: { sandboxId: run.sandboxId, status: run.status },
      });
      return toRunView(run);
    });
  }
}
