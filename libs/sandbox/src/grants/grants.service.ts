import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Clock, InvalidStateError, Page, pageLimit, toPage } from '@aihub/core';
import { SandboxAccess } from '../common/sandbox-access.service';
import { decodeTimeCursor } from '../common/paging';
import { GrantExistsError, UnknownDatasetVersionError } from '../sandbox.errors';
import { SandboxEntity } from '../sandboxes/sandbox.entity';
import { SandboxesService } from '../sandboxes/sandboxes.service';
import { DatasetGateway } from './dataset-gateway';
import { DatasetGrantEntity } from './dataset-grant.entity';
import type { GrantListQueryDto, GrantPageView, GrantView, RequestGrantDto } from './grant.dto';

export const toGrantView = (g: DatasetGrantEntity): GrantView => ({
  id: g.id,
  sandboxId: g.sandboxId,
  organizationId: g.sandboxOrgId,
  datasetId: g.datasetId,
  datasetVersionId: g.datasetVersionId,
  datasetName: g.datasetName,
  grade: g.grade,
  providerOrgId: g.providerOrgId,
  view: g.view,
  status: g.status,
  approvedAt: g.approvedAt?.toISOString() ?? null,
  endedAt: g.endedAt?.toISOString() ?? null,
  createdAt: g.createdAt.toISOString(),
});

/**
 * Grants: requested by the sandbox's organization, approved or revoked by a data steward of the
 * providing organization. Approval draws the per-grant salt of the masked view and makes sure the
 * version's row fingerprint set exists (the airlock and log redaction use it).
 */
@Injectable()
export class GrantsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: SandboxAccess,
    private readonly sandboxes: SandboxesService,
    private readonly datasets: DatasetGateway,
    private readonly clock: Clock,
  ) {}

  async request(actor: AuthenticatedActor, sandboxId: string, dto: RequestGrantDto): Promise<GrantView> {
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await this.sandboxes.locked(manager, actor, sandboxId, 'update', true);
      const version = await this.datasets.describeVersion(manager, dto.datasetVersionId);
      if (!version) throw new UnknownDatasetVersionError(dto.datasetVersionId);
      const live = await manager.getRepository(DatasetGrantEntity).findOne({
        where: {
          sandboxId,
          datasetVersionId: dto.datasetVersionId,
          view: dto.view,
          status: In(['requested', 'active']),
        },
      });
      if (live) throw new GrantExistsError(live.id);
      const repo = manager.getRepository(DatasetGrantEntity);
      const grant = await repo.save(
        repo.create({
          sandboxId,
          sandboxOrgId: sandbox.organizationId,
          consortiumOrgIds: sandbox.consortiumOrgIds,
          datasetId: version.datasetId,
          datasetVersionId: version.datasetVersionId,
          datasetName: version.datasetName,
          grade: version.grade,
          providerOrgId: version.providerOrgId,
          view: dto.view,
          status: 'requested',
          salt: null,
          fingerprintKey: null,
          fingerprintCount: null,
          requestedBy: actor.user.id,
          decidedBy: null,
          approvedAt: null,
          endedAt: null,
        }),
      );
      await this.audit.record(manager, {
        action: 'grant.request',
        objectType: 'DatasetGrant',
        objectId: grant.id,
        details: {
          sandboxId,
          datasetId: version.datasetId,
          datasetVersionId: version.datasetVersionId,
          view: dto.view,
        },
      });
      return toGrantView(grant);
    });
  }

  async listForSandbox(actor: Actor, sandboxId: string): Promise<{ items: GrantView[] }> {
    await this.sandboxes.readable(actor, sandboxId);
    const rows = await this.dataSource
      .getRepository(DatasetGrantEntity)
      .find({ where: { sandboxId }, order: { createdAt: 'DESC', id: 'DESC' } });
    return { items: rows.map(toGrantView) };
  }

  /** Every grant the caller may read: stewards see their datasets' (their approval queue). */
  async list(actor: Actor, query: GrantListQueryDto): Promise<GrantPageView> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource.getRepository(DatasetGrantEntity).createQueryBuilder('g');
    whereAccessible(qb, actor.ability, 'read', 'DatasetGrant');
    if (query.status) qb.andWhere('g.status = :status', { status: query.status });
    if (after)
      qb.andWhere('(g.created_at, g.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('g.created_at', 'DESC')
      .addOrderBy('g.id', 'DESC')
      .take(limit + 1)
      .getMany();
    return toPage(
      rows,
      limit,
      (g) => ({ key: g.createdAt.toISOString(), id: g.id }),
      toGrantView,
    ) as Page<GrantView>;
  }

  async get(actor: Actor, grantId: string): Promise<GrantView> {
    const row = await this.dataSource.getRepository(DatasetGrantEntity).findOne({ where: { id: grantId } });
    const grant = this.readable(actor, row, grantId);
    return toGrantView(await grant);
  }

  /** Readable by its sandbox's organization (via the grant rule) or the provider's stewards. */
  private async readable(
    actor: Actor,
    row: DatasetGrantEntity | null,
    id: string,
  ): Promise<DatasetGrantEntity> {
    return this.access.authorize(actor, 'read', 'DatasetGrant', row, id);
  }

  async approve(actor: AuthenticatedActor, grantId: string): Promise<GrantView> {
    const peek = await this.dataSource.getRepository(DatasetGrantEntity).findOne({ where: { id: grantId } });
    const grant = await this.access.authorize(actor, 'review', 'DatasetGrant', peek, grantId);
    if (grant.status !== 'requested') throw new InvalidStateError('grant', grant.status, 'approve');
    // the expensive part, outside the transaction; built once per version, so a retry is cheap
    const fingerprints = await this.datasets.fingerprints(grant.datasetVersionId);
    return this.dataSource.transaction(async (manager) => {
      const sandbox = await manager
        .getRepository(SandboxEntity)
        .findOneOrFail({ where: { id: grant.sandboxId }, lock: { mode: 'pessimistic_write' } });
      const locked = await manager
        .getRepository(DatasetGrantEntity)
        .findOneOrFail({ where: { id: grantId }, lock: { mode: 'pessimistic_write' } });
      if (locked.status !== 'requested') throw new InvalidStateError('grant', locked.status, 'approve');
      this.sandboxes.assertActive(sandbox);
      const now = this.clock.now();
      await manager.getRepository(DatasetGrantEntity).update(
        { id: grantId },
        {
          status: 'active',
          salt: randomBytes(32),
          fingerprintKey: `version:${grant.datasetVersionId}`,
          fingerprintCount: fingerprints.size,
          decidedBy: actor.user.id,
          approvedAt: now,
        },
      );
      await this.audit.record(manager, {
        action: 'grant.approve',
        objectType: 'DatasetGrant',
        objectId: grantId,
        details: {
          sandboxId: grant.sandboxId,
          datasetVersionId: grant.datasetVersionId,
          view: grant.view,
          fingerprints: fingerprints.size,
        },
      });
      return toGrantView({ ...locked, status: 'active', approvedAt: now });
    });
  }

  /** Ends a requested (i.e. refuses it) or active grant; its data is not mounted by later runs. */
  async revoke(actor: AuthenticatedActor, grantId: string): Promise<GrantView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(DatasetGrantEntity)
        .findOne({ where: { id: grantId }, lock: { mode: 'pessimistic_write' } });
      const grant = await this.access.authorize(actor, 'review', 'DatasetGrant', row, grantId);
      if (!['requested', 'active'].includes(grant.status))
        throw new InvalidStateError('grant', grant.status, 'revoke');
      const now = this.clock.now();
      await manager
        .getRepository(DatasetGrantEntity)
        .update({ id: grantId }, { status: 'revoked', endedAt: now, decidedBy: actor.user.id });
      await this.audit.record(manager, {
        action: 'grant.revoke',
        objectType: 'DatasetGrant',
        objectId: grantId,
        details: { sandboxId: grant.sandboxId, datasetVersionId: grant.datasetVersionId, from: grant.status },
      });
      return toGrantView({ ...grant, status: 'revoked', endedAt: now });
    });
  }
}
