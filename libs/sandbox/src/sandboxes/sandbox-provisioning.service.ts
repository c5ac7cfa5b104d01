import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor } from '@aihub/authz';
import { APP_CONFIG, AppConfig, Clock, NotFoundError } from '@aihub/core';
import { ApplicationEntity, SandboxProvisionRequestEntity, ScenarioEntity } from '@aihub/scenarios';
import { DatasetGrantEntity } from '../grants/dataset-grant.entity';
import { SandboxRunEntity } from '../runs/sandbox-run.entity';
import { ApplicationNotSelectedError, SandboxExistsError } from '../sandbox.errors';
import type { CreateSandboxDto, SandboxView } from './sandbox.dto';
import { SandboxEntity } from './sandbox.entity';
import { SandboxScheduler } from './sandbox-scheduler.service';
import { toSandboxView } from './views';

const DAY_MS = 24 * 3600 * 1000;

interface ProvisionInput {
  scenarioId: string;
  organizationId: string;
  /** the consortium's member organizations besides the lead: they use the sandbox like the lead */
  consortiumOrgIds: string[];
  applicationId: string | null;
  provisionRequestId: string | null;
  days: number;
  by: 'operator' | 'award';
}

/**
 * Where sandboxes come from and where they end: the award's `sandbox_provision_requests` (consumed by
 * the `sandbox.provision` job and the sweep), operators' `POST /sandboxes`, and the expiry timer (grants
 * end with the sandbox, queued runs are cancelled).
 */
@Injectable()
export class SandboxProvisioningService {
  private readonly logger = new Logger(SandboxProvisioningService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly scheduler: SandboxScheduler,
  ) {}

  /** Creates a sandbox in the caller's transaction with the default quota and schedules its expiry. */
  async provision(manager: EntityManager, input: ProvisionInput): Promise<SandboxEntity> {
    const q = this.config.sandboxes.defaultQuota;
    const repo = manager.getRepository(SandboxEntity);
    const sandbox = await repo.save(
      repo.create({
        scenarioId: input.scenarioId,
        organizationId: input.organizationId,
        consortiumOrgIds: input.consortiumOrgIds,
        applicationId: input.applicationId,
        provisionRequestId: input.provisionRequestId,
        status: 'active',
        cpus: q.cpus,
        memoryMb: q.memoryMb,
        diskMb: q.diskMb,
        runTimeoutSeconds: q.runTimeoutSeconds,
        expiresAt: new Date(this.clock.now().getTime() + input.days * DAY_MS),
        suspendedReason: null,
      }),
    );
    await this.audit.record(manager, {
      action: 'sandbox.create',
      objectType: 'Sandbox',
      objectId: sandbox.id,
      ...(input.by === 'award' ? { actorId: null, actorOrgId: null } : {}),
      details: {
        by: input.by,
        scenarioId: input.scenarioId,
        organizationId: input.organizationId,
        consortiumOrgIds: input.consortiumOrgIds,
        applicationId: input.applicationId,
        provisionRequestId: input.provisionRequestId,
        expiresAt: sandbox.expiresAt.toISOString(),
        quota: {
          cpus: q.cpus,
          memoryMb: q.memoryMb,
          diskMb: q.diskMb,
          runTimeoutSeconds: q.runTimeoutSeconds,
        },
      },
    });
    await this.scheduler.expiry(manager, sandbox.id, sandbox.expiresAt);
    return sandbox;
  }

  /** Consumes one pending provision request (idempotent: a provisioned or locked one is skipped). */
  async provisionRequest(requestId: string): Promise<string | null> {
    return this.dataSource.transaction(async (manager) => {
      const request = await manager
        .getRepository(SandboxProvisionRequestEntity)
        .createQueryBuilder('r')
        .where('r.id = :requestId', { requestId })
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getOne();
      if (!request || request.status !== 'pending') return null;
      return (await this.consume(manager, request)).id;
    });
  }

  /** Every pending request, oldest first, in batches; returns the sandboxes created. */
  async provisionPending(): Promise<string[]> {
    const created: string[] = [];
    for (;;) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const rows = await manager
          .getRepository(SandboxProvisionRequestEntity)
          .createQueryBuilder('r')
          .where(`r.status = 'pending'`)
          .orderBy('r.created_at', 'ASC')
          .take(50)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        const ids: string[] = [];
        for (const r of rows) ids.push((await this.consume(manager, r)).id);
        return ids;
      });
      created.push(...batch);
      if (batch.length < 50) return created;
    }
  }

  private async consume(
    manager: EntityManager,
    request: SandboxProvisionRequestEntity,
  ): Promise<SandboxEntity> {
    const existing = await manager
      .getRepository(SandboxEntity)
      .findOne({ where: { applicationId: request.applicationId } });
    const sandbox =
      existing ??
      (await this.provision(manager, {
        scenarioId: request.scenarioId,
        organizationId: request.organizationId,
        consortiumOrgIds: request.consortiumOrgIds,
        applicationId: request.applicationId,
        provisionRequestId: request.id,
        days: request.sandboxDays,
        by: 'award',
      }));
    await manager
      .getRepository(SandboxProvisionRequestEntity)
      .update({ id: request.id }, { status: 'provisioned' });
    return sandbox;
  }

  /** Operator: a sandbox for a selected application (e.g. one provisioned by hand after an incident). */
  async createByOperator(_actor: AuthenticatedActor, dto: CreateSandboxDto): Promise<SandboxView> {
    return this.dataSource.transaction(async (manager) => {
      const app = await manager
        .getRepository(ApplicationEntity)
        .findOne({ where: { id: dto.applicationId } });
      if (!app) throw new NotFoundError('Application', dto.applicationId);
      if (app.status !== 'selected') throw new ApplicationNotSelectedError(app.status);
      const scenario = await manager.getRepository(ScenarioEntity).findOneByOrFail({ id: app.scenarioId });
      // serialize with the provision job on the same application
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sandbox:${app.id}`]);
      const existing = await manager
        .getRepository(SandboxEntity)
        .findOne({ where: { applicationId: app.id } });
      if (existing) throw new SandboxExistsError(existing.id);
      const request = await manager
        .getRepository(SandboxProvisionRequestEntity)
        .findOne({ where: { applicationId: app.id }, lock: { mode: 'pessimistic_write' } });
      const sandbox = await this.provision(manager, {
        scenarioId: app.scenarioId,
        organizationId: app.applicantOrgId,
        // the award's request if there is one; else the application's consortium (same members)
        consortiumOrgIds: request?.consortiumOrgIds ?? app.consortiumOrgIds,
        applicationId: app.id,
        provisionRequestId: request?.id ?? null,
        days: request?.sandboxDays ?? scenario.sandboxDays,
        by: 'operator',
      });
      if (request?.status === 'pending')
        await manager
          .getRepository(SandboxProvisionRequestEntity)
          .update({ id: request.id }, { status: 'provisioned' });
      return toSandboxView(sandbox);
    });
  }

  /** Expires one sandbox if its time has come (timer job); returns whether it did. */
  async expireIfDue(sandboxId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await manager
        .getRepository(SandboxEntity)
        .findOne({ where: { id: sandboxId }, lock: { mode: 'pessimistic_write' } });
      if (!sandbox || !['active', 'suspended'].includes(sandbox.status)) return false;
      if (sandbox.expiresAt.getTime() > this.clock.now().getTime()) {
        await this.scheduler.expiry(manager, sandbox.id, sandbox.expiresAt); // extended: next hop
        return false;
      }
      await this.expire(manager, sandbox);
      return true;
    });
  }

  /** Every sandbox past `expiresAt` (the sweep, and tests that move the clock). */
  async expireDue(): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const due = await manager
        .getRepository(SandboxEntity)
        .createQueryBuilder('s')
        .where('s.status IN (:...states)', { states: ['active', 'suspended'] })
        .andWhere('s.expires_at <= :now', { now: this.clock.now() })
        .orderBy('s.expires_at', 'ASC')
        .take(200)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const s of due) await this.expire(manager, s);
      return due.map((s) => s.id);
    });
  }

  private async expire(manager: EntityManager, sandbox: SandboxEntity): Promise<void> {
    const now = this.clock.now();
    await manager.getRepository(SandboxEntity).update({ id: sandbox.id }, { status: 'expired' });
    const grants = await manager.getRepository(DatasetGrantEntity).find({
      where: { sandboxId: sandbox.id, status: In(['requested', 'active']) },
    });
    if (grants.length)
      await manager
        .getRepository(DatasetGrantEntity)
        .update({ id: In(grants.map((g) => g.id)) }, { status: 'expired', endedAt: now });
    const queued = await manager
      .getRepository(SandboxRunEntity)
      .find({ where: { sandboxId: sandbox.id, status: 'queued' } });
    if (queued.length)
      await manager
        .getRepository(SandboxRunEntity)
        .update(
          { id: In(queued.map((r) => r.id)) },
          { status: 'cancelled', reason: 'the sandbox expired before the run started', finishedAt: now },
        );
    await this.audit.record(manager, {
      action: 'sandbox.expire',
      objectType: 'Sandbox',
      objectId: sandbox.id,
      actorId: null,
      actorOrgId: null,
      details: {
        by: 'timer',
        expiresAt: sandbox.expiresAt.toISOString(),
        grantsEnded: grants.map((g) => g.id),
        runsCancelled: queued.map((r) => r.id),
      },
    });
    for (const g of grants)
      await this.audit.record(manager, {
        action: 'grant.expire',
        objectType: 'DatasetGrant',
        objectId: g.id,
        actorId: null,
        actorOrgId: null,
        details: { by: 'timer', sandboxId: sandbox.id, datasetVersionId: g.datasetVersionId },
      });
    this.logger.log({ sandboxId: sandbox.id }, 'sandbox expired');
  }
}
