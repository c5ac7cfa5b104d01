import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Readable } from 'node:stream';
import { Brackets, DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { accessibleSql, Actor, asSubject, AuthenticatedActor } from '@aihub/authz';
import { APP_CONFIG, AppConfig, Page, pageLimit, toPage, ValidationFailedError } from '@aihub/core';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { runExportChecks, type ExportFile } from '../airlock/export-checks';
import { SandboxAccess } from '../common/sandbox-access.service';
import { decodeTimeCursor } from '../common/paging';
import { DatasetGateway } from '../grants/dataset-gateway';
import type { DatasetGrade } from '../grants/dataset-grant.entity';
import { runKeys, RunsService } from '../runs/runs.service';
import type { RunOutputFile } from '../runs/sandbox-run.entity';
import {
  CoreDataNotExportableError,
  ExportNotReleasedError,
  RunNotFinishedError,
  UnknownOutputPathError,
} from '../sandbox.errors';
import { SandboxEntity } from '../sandboxes/sandbox.entity';
import { SandboxesService } from '../sandboxes/sandboxes.service';
import { ExportReviewEntity } from './export-review.entity';
import { ExportViews } from './export-views.service';
import type { CreateExportDto, ExportListQueryDto, ExportView } from './export.dto';
import { SandboxExportEntity } from './sandbox-export.entity';

const GRADE_ORDER: DatasetGrade[] = ['general', 'important', 'core'];

/** Normalizes a requested path to the run's output naming (relative to /output). */
export function normalizeOutputPath(p: string): string {
  return p
    .trim()
    .replace(/^\/?output\//, '')
    .replace(/^\/+/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/**
 * The airlock: export requests (automatic checks first, then routed to the providing organizations'
 * stewards), reading them, and the download of released ones. Decisions are in ExportDecisionsService.
 */
@Injectable()
export class ExportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly access: SandboxAccess,
    private readonly runs: RunsService,
    private readonly sandboxes: SandboxesService,
    private readonly datasets: DatasetGateway,
    private readonly views: ExportViews,
  ) {}

  async create(
    actor: AuthenticatedActor,
    runId: string,
    dto: CreateExportDto,
    idempotencyKey?: string,
  ): Promise<ExportView> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey))
      throw new ValidationFailedError([
        { field: 'Idempotency-Key', message: '1–200 printable ASCII characters' },
      ]);
    const run = await this.runs.readable(actor, runId);
    const party = { organizationId: run.organizationId, consortiumOrgIds: run.consortiumOrgIds };
    if (!actor.ability.can('create', asSubject('SandboxExport', party)))
      await this.access.deny(
        actor,
        'create',
        'SandboxExport',
        runId,
        'Only the organizations that use the sandbox (the awardee and its consortium) can request an export.',
      );
    if (idempotencyKey) {
      const first = await this.dataSource
        .getRepository(SandboxExportEntity)
        .findOne({ where: { runId, idempotencyKey } });
      if (first) return this.views.view(actor, first);
    }
    if (run.status !== 'succeeded') throw new RunNotFinishedError(run.status);
    const sandbox = await this.dataSource.getRepository(SandboxEntity).findOneByOrFail({ id: run.sandboxId });
    this.sandboxes.assertActive(sandbox);
    const core = run.mounts.filter((m) => m.grade === 'core');
    if (core.length) {
      await this.audit.recordDetached({
        action: 'export.request',
        objectType: 'SandboxRun',
        objectId: runId,
        outcome: 'denied',
        details: { reason: 'CORE_DATA_NOT_EXPORTABLE', datasets: core.map((m) => m.datasetId) },
      });
      throw new CoreDataNotExportableError([...new Set(core.map((m) => m.datasetName))]);
    }
    const files = this.pickFiles(run.outputs, dto.paths);
    const checks = await this.check(runId, files, [...new Set(run.mounts.map((m) => m.datasetVersionId))]);
    const status = checks.every((c) => c.passed) ? 'pending_review' : 'flagged';
    try {
      return await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(SandboxExportEntity);
        const exp = await repo.save(
          repo.create({
            runId,
            sandboxId: run.sandboxId,
            organizationId: run.organizationId,
            consortiumOrgIds: run.consortiumOrgIds,
            files,
            justification: dto.justification.trim(),
            status,
            checks,
            idempotencyKey: idempotencyKey ?? null,
            requestedBy: actor.user.id,
            releasedKey: null,
            decidedAt: null,
          }),
        );
        // one review per providing organization, at the strictest grade it provided to the run
        const byProvider = new Map<string | null, DatasetGrade>();
        for (const m of run.mounts) {
          const g = byProvider.get(m.providerOrgId);
          if (!g || GRADE_ORDER.indexOf(m.grade) > GRADE_ORDER.indexOf(g))
            byProvider.set(m.providerOrgId, m.grade);
        }
        if (!byProvider.size) byProvider.set(null, 'general');
        const reviews = manager.getRepository(ExportReviewEntity);
        for (const [providerOrgId, grade] of byProvider)
          await reviews.save(
            reviews.create({
              exportId: exp.id,
              providerOrgId,
              grade,
              requiredApprovals: grade === 'important' ? 2 : 1,
              status: 'pending',
            }),
          );
        await this.audit.record(manager, {
          action: 'export.request',
          objectType: 'SandboxExport',
          objectId: exp.id,
          details: {
            runId,
            paths: files.map((f) => f.path),
            status,
            failedChecks: checks.filter((c) => !c.passed).map((c) => c.name),
            providers: [...byProvider.keys()],
          },
        });
        return this.views.view(actor, exp, manager);
      });
    } catch (err) {
      if (
        idempotencyKey &&
        err instanceof QueryFailedError &&
        /uq_sandbox_exports_idempotency/.test(String(err.message))
      ) {
        const first = await this.dataSource
          .getRepository(SandboxExportEntity)
          .findOneOrFail({ where: { runId, idempotencyKey } });
        return this.views.view(actor, first);
      }
      throw err;
    }
  }

  private pickFiles(outputs: RunOutputFile[], paths: string[]): RunOutputFile[] {
    const wanted = [...new Set(paths.map(normalizeOutputPath))];
    const missing = wanted.filter((p) => !p || !outputs.some((o) => o.path === p));
    if (missing.length) throw new UnknownOutputPathError(missing.map((p) => p || '(empty)'));
    return wanted.map((p) => outputs.find((o) => o.path === p)!);
  }

  private async check(runId: string, files: RunOutputFile[], versionIds: string[]) {
    const maxBytes = this.config.sandboxes.exportMaxBytes;
    const total = files.reduce((n, f) => n + f.sizeBytes, 0);
    const options = { maxBytes, smallCellThreshold: this.config.sandboxes.smallCellThreshold };
    if (total > maxBytes) {
      // not even read: too large to leave, whatever it holds
      const content = files.map((f) => ({ path: f.path, content: Buffer.alloc(0) }));
      const checks = runExportChecks(content, [], options);
      return checks.map((c) =>
        c.name === 'size'
          ? { name: 'size', passed: false, detail: `${total} bytes in total; the limit is ${maxBytes}.` }
          : { name: c.name, passed: false, detail: 'not checked: the request is over the size limit' },
      );
    }
    const loaded: ExportFile[] = [];
    for (const f of files)
      loaded.push({ path: f.path, content: await this.read(Bucket.Outputs, runKeys.output(runId, f.path)) });
    const sets = await Promise.all(versionIds.map((v) => this.datasets.fingerprints(v)));
    return runExportChecks(loaded, sets, options);
  }

  private async read(bucket: Bucket, key: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.storage.get(bucket, key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async get(actor: Actor, id: string): Promise<ExportView> {
    const { exp } = await this.views.readable(actor, id);
    return this.views.view(actor, exp);
  }

  /** The requesting organization's exports, and the ones awaiting the caller's organization's review. */
  async list(actor: Actor, query: ExportListQueryDto): Promise<Page<ExportView>> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const own = accessibleSql(actor.ability, 'read', 'SandboxExport', 'e');
    const reviewed = accessibleSql(actor.ability, 'read', 'SandboxExportReview', 'r');
    const qb = this.dataSource
      .getRepository(SandboxExportEntity)
      .createQueryBuilder('e')
      .andWhere(
        new Brackets((w) =>
          w
            .where(own.sql, own.params)
            .orWhere(
              `EXISTS (SELECT 1 FROM sandbox_export_reviews r WHERE r.export_id = e.id AND ${reviewed.sql})`,
              reviewed.params,
            ),
        ),
      );
    if (query.status) qb.andWhere('e.status = :status', { status: query.status });
    if (query.runId) qb.andWhere('e.run_id = :runId', { runId: query.runId });
    if (after)
      qb.andWhere('(e.created_at, e.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('e.created_at', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const page = toPage(
      rows,
      limit,
      (e) => ({ key: e.createdAt.toISOString(), id: e.id }),
      (e) => e,
    );
    return { items: await this.views.views(actor, page.items), nextCursor: page.nextCursor };
  }

  /** Released exports only, for the requesting party only (lead or consortium member); audited. */
  async download(
    actor: AuthenticatedActor,
    id: string,
  ): Promise<{ body: Readable; fileName: string; contentType: string; sizeBytes: number }> {
    const { exp } = await this.views.readable(actor, id);
    if (!actor.ability.can('download', asSubject('SandboxExport', exp)))
      await this.access.deny(
        actor,
        'download',
        'SandboxExport',
        id,
        'Only the requesting organizations (the awardee and its consortium) can download an export.',
      );
    if (exp.status !== 'released' || !exp.releasedKey) throw new ExportNotReleasedError(exp.status);
    const single = exp.files.length === 1;
    const fileName = single ? exp.files[0].path.split('/').pop()! : `export-${exp.id}.zip`;
    const stat = await this.storage.stat(Bucket.Exports, exp.releasedKey);
    const body = await this.storage.get(Bucket.Exports, exp.releasedKey);
    await this.audit.recordDetached({
      action: 'export.download',
      objectType: 'SandboxExport',
      objectId: id,
      details: { releasedKey: exp.releasedKey, files: exp.files.map((f) => f.path) },
    });
    return {
      body,
      fileName,
      contentType: single ? 'application/octet-stream' : 'application/zip',
      sizeBytes: stat?.sizeBytes ?? 0,
    };
  }
}
