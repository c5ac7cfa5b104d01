import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Clock, InvalidStateError, Page, pageLimit, toPage } from '@aihub/core';
import { SandboxAccess } from '../common/sandbox-access.service';
import { decodeTimeCursor } from '../common/paging';
import { ExtensionDecidedError, ExtensionPendingError, SandboxNotActiveError } from '../sandbox.errors';
import type {
  DecideExtensionDto,
  ExtendSandboxDto,
  SandboxExtensionListView,
  SandboxExtensionView,
  SandboxListQueryDto,
  SandboxView,
  SuspendSandboxDto,
} from './sandbox.dto';
import { SandboxExtensionEntity } from './sandbox-extension.entity';
import { SandboxEntity } from './sandbox.entity';
import { SandboxScheduler } from './sandbox-scheduler.service';
import { toExtensionView, toSandboxView } from './views';

const DAY_MS = 24 * 3600 * 1000;

/** Reading sandboxes, extension requests and their decisions, suspension and resumption. */
@Injectable()
export class SandboxesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: SandboxAccess,
    private readonly clock: Clock,
    private readonly scheduler: SandboxScheduler,
  ) {}

  async list(actor: Actor, query: SandboxListQueryDto): Promise<Page<SandboxView>> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource.getRepository(SandboxEntity).createQueryBuilder('s');
    whereAccessible(qb, actor.ability, 'read', 'Sandbox');
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    if (query.scenarioId) qb.andWhere('s.scenario_id = :scenarioId', { scenarioId: query.scenarioId });
    if (after)
      qb.andWhere('(s.created_at, s.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(rows, limit, (s) => ({ key: s.createdAt.toISOString(), id: s.id }), toSandboxView);
  }

  async get(actor: Actor, id: string): Promise<SandboxView> {
    return toSandboxView(await this.readable(actor, id));
  }

  /** The sandbox if the caller may read it (404 otherwise). */
  async readable(
    actor: Actor,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<SandboxEntity> {
    const row = await manager.getRepository(SandboxEntity).findOne({ where: { id } });
    return this.access.authorize(actor, 'read', 'Sandbox', row, id);
  }

  /** Locks the sandbox and checks `action` on it; `requireActive` refuses anything but `active` (409). */
  async locked(
    manager: EntityManager,
    actor: Actor,
    id: string,
    action: 'read' | 'update' | 'review',
    requireActive: boolean,
  ): Promise<SandboxEntity> {
    const row = await manager
      .getRepository(SandboxEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    const sandbox = await this.access.authorize(actor, action, 'Sandbox', row, id);
    if (requireActive) this.assertActive(sandbox);
    return sandbox;
  }

  /** Active and not past `expiresAt` (the timer may not have run yet). */
  assertActive(sandbox: SandboxEntity): void {
    if (sandbox.status !== 'active') throw new SandboxNotActiveError(sandbox.status);
    if (sandbox.expiresAt.getTime() <= this.clock.now().getTime()) throw new SandboxNotActiveError('expired');
  }

  async requestExtension(
    actor: AuthenticatedActor,
    sandboxId: string,
    dto: ExtendSandboxDto,
  ): Promise<SandboxExtensionView> {
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await this.locked(manager, actor, sandboxId, 'update', false);
      if (!['active', 'suspended'].includes(sandbox.status)) throw new SandboxNotActiveError(sandbox.status);
      const pending = await manager
        .getRepository(SandboxExtensionEntity)
        .findOne({ where: { sandboxId, status: 'pending' } });
      if (pending) throw new ExtensionPendingError(pending.id);
      const repo = manager.getRepository(SandboxExtensionEntity);
      const ext = await repo.save(
        repo.create({
          sandboxId,
          organizationId: sandbox.organizationId,
          consortiumOrgIds: sandbox.consortiumOrgIds,
          days: dto.days,
          reason: dto.reason.trim(),
          status: 'pending',
          requestedBy: actor.user.id,
          decidedBy: null,
          decisionReason: null,
          decidedAt: null,
        }),
      );
      await this.audit.record(manager, {
        action: 'sandbox.extension_request',
        objectType: 'SandboxExtension',
        objectId: ext.id,
        details: { sandboxId, days: dto.days },
      });
      return toExtensionView(ext);
    });
  }

  async listExtensions(actor: Actor, sandboxId: string): Promise<SandboxExtensionListView> {
    await this.readable(actor, sandboxId);
    const rows = await this.dataSource
      .getRepository(SandboxExtensionEntity)
      .find({ where: { sandboxId }, order: { createdAt: 'DESC', id: 'DESC' } });
    return { items: rows.map(toExtensionView) };
  }

  /** Operator: approve (the sandbox's `expiresAt` moves by `days`) or reject, once. */
  async decideExtension(
    actor: AuthenticatedActor,
    extensionId: string,
    dto: DecideExtensionDto,
  ): Promise<SandboxExtensionView> {
    return this.dataSource.transaction(async (manager) => {
      const peek = await manager
        .getRepository(SandboxExtensionEntity)
        .findOne({ where: { id: extensionId } });
      await this.access.authorize(actor, 'review', 'SandboxExtension', peek, extensionId);
      // sandbox before extension: the order every path takes
      const sandbox = await manager
        .getRepository(SandboxEntity)
        .findOneOrFail({ where: { id: peek!.sandboxId }, lock: { mode: 'pessimistic_write' } });
      const ext = await manager
        .getRepository(SandboxExtensionEntity)
        .findOneOrFail({ where: { id: extensionId }, lock: { mode: 'pessimistic_write' } });
      if (ext.status !== 'pending') throw new ExtensionDecidedError(ext.status);
      if (dto.approve && !['active', 'suspended'].includes(sandbox.status))
        throw new SandboxNotActiveError(sandbox.status);
      const now = this.clock.now();
      ext.status = dto.approve ? 'approved' : 'rejected';
      ext.decidedBy = actor.user.id;
      ext.decisionReason = dto.reason?.trim() || null;
      ext.decidedAt = now;
      await manager.getRepository(SandboxExtensionEntity).save(ext);
      const details: Record<string, unknown> = {
        sandboxId: sandbox.id,
        days: ext.days,
        approve: dto.approve,
      };
      if (dto.approve) {
        // from the later of now and the current end, so days granted are never lost to a late decision
        const base = Math.max(now.getTime(), sandbox.expiresAt.getTime());
        const expiresAt = new Date(base + ext.days * DAY_MS);
        await manager.getRepository(SandboxEntity).update({ id: sandbox.id }, { expiresAt });
        await this.scheduler.expiry(manager, sandbox.id, expiresAt);
        details.previousExpiresAt = sandbox.expiresAt.toISOString();
        details.expiresAt = expiresAt.toISOString();
      }
      await this.audit.record(manager, {
        action: dto.approve ? 'sandbox.extension_approve' : 'sandbox.extension_reject',
        objectType: 'SandboxExtension',
        objectId: ext.id,
        details,
      });
      return toExtensionView(ext);
    });
  }

  async suspend(actor: AuthenticatedActor, id: string, dto: SuspendSandboxDto): Promise<SandboxView> {
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await this.locked(manager, actor, id, 'review', false);
      if (sandbox.status !== 'active') throw new InvalidStateError('sandbox', sandbox.status, 'suspend');
      sandbox.status = 'suspended';
      sandbox.suspendedReason = dto.reason.trim();
      await manager.getRepository(SandboxEntity).save(sandbox);
      await this.audit.record(manager, {
        action: 'sandbox.suspend',
        objectType: 'Sandbox',
        objectId: id,
        details: { reason: sandbox.suspendedReason },
      });
      return toSandboxView(sandbox);
    });
  }

  async resume(actor: AuthenticatedActor, id: string): Promise<SandboxView> {
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await this.locked(manager, actor, id, 'review', false);
      if (sandbox.status !== 'suspended') throw new InvalidStateError('sandbox', sandbox.status, 'resume');
      sandbox.status = 'active';
      sandbox.suspendedReason = null;
      await manager.getRepository(SandboxEntity).save(sandbox);
      await this.audit.record(manager, { action: 'sandbox.resume', objectType: 'Sandbox', objectId: id });
      return toSandboxView(sandbox);
    });
  }
}
