import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Action, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { APP_CONFIG, AppConfig, Clock, FieldError, Page, pageLimit, toPage } from '@aihub/core';
import { OrganizationEntity } from '@aihub/identity';
import type {
  ApplicationListQueryDto,
  ApplicationView,
  ConsortiumMemberDto,
  CreateApplicationDto,
  UpdateApplicationDto,
} from '../dto/application.dto';
import { ApplicationEntity } from '../entities/application.entity';
import { ScenarioEntity } from '../entities/scenario.entity';
import { consortiumErrors } from '../lifecycle/consortium-rules';
import { type ApplicationAction, applicationMachine } from '../lifecycle/state-machine';
import {
  AlreadyAppliedError,
  ApplicationWindowClosedError,
  ApplicationWindowNotOpenError,
  BatchApplicationCapError,
  InvalidReferencesError,
  ScenarioNotPublishedError,
} from '../scenarios.errors';
import { LifecycleAccess } from './lifecycle-access.service';
import { decodeTimeCursor } from './paging';
import { applicationOrgIds, organizationNames, toApplicationView } from './views';

/** Locks are taken scenario first, then applications, everywhere (no deadlocks between flows). */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly clock: Clock,
  ) {}

  /** An enterprise applies (揭榜): a draft, while the scenario is published and its window not over. */
  async create(
    actor: AuthenticatedActor,
    scenarioId: string,
    dto: CreateApplicationDto,
  ): Promise<ApplicationView> {
    const orgId = actor.user.organizationId;
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lockScenario(manager, scenarioId);
      const scenario = await this.access.authorize(actor, 'read', 'Scenario', row, scenarioId);
      if (scenario.status !== 'published') throw new ScenarioNotPublishedError(scenario.status);
      if (this.clock.now().getTime() >= scenario.applicationClosesAt.getTime())
        throw new ApplicationWindowClosedError(scenario.applicationClosesAt);
      const members = this.normalizeMembers(dto.consortium);
      await this.assertConsortium(manager, orgId, members);
      await this.assertNotApplied(manager, scenario.id, orgId, members, null);
      await this.assertBatchCap(manager, orgId, scenario.batchId!);
      const repo = manager.getRepository(ApplicationEntity);
      let app: ApplicationEntity;
      try {
        app = await manager.transaction((tx) =>
          tx.getRepository(ApplicationEntity).save(
            repo.create({
              scenarioId: scenario.id,
              applicantOrgId: orgId,
              issuerOrgId: scenario.issuerOrgId,
              batchId: scenario.batchId!,
              proposal: dto.proposal,
              consortiumOrgIds: members,
              status: 'draft',
              createdBy: actor.user.id,
            }),
          ),
        );
      } catch (err) {
        if (
          err instanceof QueryFailedError &&
          (err.driverError as { constraint?: string }).constraint === 'uq_applications_scenario_applicant'
        )
          throw new AlreadyAppliedError();
        throw err;
      }
      await this.audit.record(manager, {
        action: 'application.create',
        objectType: 'Application',
        objectId: app.id,
        details: { scenarioId: scenario.id, consortiumOrgIds: members },
      });
      return this.view(manager, app);
    });
  }

  /** The applicant edits its draft, or a returned application before resubmitting it. */
  async update(actor: AuthenticatedActor, id: string, dto: UpdateApplicationDto): Promise<ApplicationView> {
    return this.withLockedApplication(actor, id, 'update', async (manager, app) => {
      applicationMachine.nextState(app.status, 'update');
      const patch: Partial<ApplicationEntity> = {};
      if (dto.proposal !== undefined) patch.proposal = dto.proposal;
      if (dto.consortium !== undefined) {
        const members = this.normalizeMembers(dto.consortium);
        await this.assertConsortium(manager, app.applicantOrgId, members);
        await this.assertNotApplied(manager, app.scenarioId, app.applicantOrgId, members, app.id);
        patch.consortiumOrgIds = members;
      }
      if (Object.keys(patch).length) await manager.getRepository(ApplicationEntity).update({ id }, patch);
      await this.audit.record(manager, {
        action: 'application.update',
        objectType: 'Application',
        objectId: id,
        details: { fields: Object.keys(patch), status: app.status },
      });
      return this.view(manager, await manager.getRepository(ApplicationEntity).findOneByOrFail({ id }));
    });
  }

  /**
   * Submits (or resubmits after a return). Only while the scenario is published and the server clock is
   * inside [applicationOpensAt, applicationClosesAt).
   */
  async submit(actor: AuthenticatedActor, id: string): Promise<ApplicationView> {
    return this.withLockedApplication(actor, id, 'submit', async (manager, app, scenario) => {
      applicationMachine.nextState(app.status, 'submit');
      if (scenario.status !== 'published') throw new ScenarioNotPublishedError(scenario.status);
      const now = this.clock.now();
      if (now.getTime() < scenario.applicationOpensAt.getTime())
        throw new ApplicationWindowNotOpenError(scenario.applicationOpensAt);
      if (now.getTime() >= scenario.applicationClosesAt.getTime())
        throw new ApplicationWindowClosedError(scenario.applicationClosesAt);
      const saved = await this.transition(
        manager,
        app,
        'submit',
        {
          submittedAt: app.submittedAt ?? now,
          lastSubmittedAt: now,
        },
        { resubmission: app.status === 'returned' },
      );
      return this.view(manager, saved);
    });
  }

  async withdraw(actor: AuthenticatedActor, id: string): Promise<ApplicationView> {
    return this.withLockedApplication(actor, id, 'withdraw', async (manager, app) =>
      this.view(manager, await this.transition(manager, app, 'withdraw', {}, {})),
    );
  }

  /** Own organization's applications; the issuer's once submitted; operators and auditors all. Newest first. */
  async list(actor: AuthenticatedActor, query: ApplicationListQueryDto): Promise<Page<ApplicationView>> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource.getRepository(ApplicationEntity).createQueryBuilder('a');
    whereAccessible(qb, actor.ability, 'read', 'Application');
    if (query.scenarioId) qb.andWhere('a.scenario_id = :scenarioId', { scenarioId: query.scenarioId });
    if (query.status) qb.andWhere('a.status = :status', { status: query.status });
    if (after)
      qb.andWhere('(a.created_at, a.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const names = await organizationNames(this.dataSource.manager, applicationOrgIds(rows));
    return toPage(
      rows,
      limit,
      (a) => ({ key: a.createdAt.toISOString(), id: a.id }),
      (a) => toApplicationView(a, names),
    );
  }

  async get(actor: AuthenticatedActor, id: string): Promise<ApplicationView> {
    const row = await this.dataSource.getRepository(ApplicationEntity).findOne({ where: { id } });
    const app = await this.access.authorize(actor, 'read', 'Application', row, id);
    return this.view(this.dataSource.manager, app);
  }

  // ---- shared with the formal check, attachments and the award flow ----

  /**
   * Runs `fn` with the scenario and the application locked (in that order), after checking that the
   * caller may `policy` the application (404 if it may not even read it, else 403).
   */
  async withLockedApplication<T>(
    actor: AuthenticatedActor,
    id: string,
    policy: Action,
    fn: (manager: EntityManager, app: ApplicationEntity, scenario: ScenarioEntity) => Promise<T>,
  ): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      const peek = await manager.getRepository(ApplicationEntity).findOne({ where: { id } });
      await this.access.authorize(actor, 'read', 'Application', peek, id);
      const scenario = await this.lockScenario(manager, peek!.scenarioId);
      const row = await manager
        .getRepository(ApplicationEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const app = await this.access.authorize(actor, policy, 'Application', row, id);
      return fn(manager, app, scenario!);
    });
  }

  /** Applies a transition to a locked application and audits it as `application.<action>`. */
  async transition(
    manager: EntityManager,
    app: ApplicationEntity,
    action: ApplicationAction,
    patch: Partial<ApplicationEntity>,
    details: Record<string, unknown>,
    system = false,
  ): Promise<ApplicationEntity> {
    const to = applicationMachine.nextState(app.status, action);
    await manager.getRepository(ApplicationEntity).update({ id: app.id }, { ...patch, status: to });
    await this.audit.record(manager, {
      action: `application.${action}`,
      objectType: 'Application',
      objectId: app.id,
      details: { from: app.status, to, scenarioId: app.scenarioId, ...details },
      ...(system ? { actorId: null, actorOrgId: null } : {}),
    });
    return manager.getRepository(ApplicationEntity).findOneByOrFail({ id: app.id });
  }

  async view(manager: EntityManager, app: ApplicationEntity): Promise<ApplicationView> {
    return toApplicationView(app, await organizationNames(manager, applicationOrgIds([app])));
  }

  lockScenario(manager: EntityManager, id: string): Promise<ScenarioEntity | null> {
    return manager
      .getRepository(ScenarioEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  // ---- rules ----

  private normalizeMembers(consortium: ConsortiumMemberDto[] | undefined): string[] {
    return (consortium ?? []).map((m) => m.organizationId.toLowerCase());
  }

  /** 1 lead + up to 4 distinct existing enterprises, not the lead: 422 with field errors otherwise. */
  private async assertConsortium(
    manager: EntityManager,
    leadOrgId: string,
    members: string[],
  ): Promise<void> {
    const orgs = members.length
      ? await manager.getRepository(OrganizationEntity).find({ where: { id: In([...new Set(members)]) } })
      : [];
    const errors = consortiumErrors(
      leadOrgId,
      members.map((organizationId) => ({ organizationId })),
      new Map(orgs.map((o) => [o.id, o])),
    );
    if (errors.length) throw new InvalidReferencesError(errors, 'INVALID_CONSORTIUM');
  }

  /**
   * One live application per organization and scenario, whether as lead or as consortium member:
   * 409 for the lead, 422 naming the member otherwise. Runs with the scenario row locked.
   */
  private async assertNotApplied(
    manager: EntityManager,
    scenarioId: string,
    leadOrgId: string,
    members: string[],
    exceptId: string | null,
  ): Promise<void> {
    const orgs = [leadOrgId, ...members];
    const taken: { id: string; applicant_org_id: string; consortium_org_ids: string[] }[] =
      await manager.query(
        `SELECT id, applicant_org_id, consortium_org_ids FROM applications
        WHERE scenario_id = $1 AND status <> 'withdrawn' AND ($2::uuid IS NULL OR id <> $2::uuid)
          AND (applicant_org_id = ANY($3::uuid[]) OR consortium_org_ids && $3::uuid[])`,
        [scenarioId, exceptId, orgs],
      );
    const involved = (org: string) =>
      taken.find((t) => t.applicant_org_id === org || t.consortium_org_ids.includes(org));
    const lead = involved(leadOrgId);
    if (lead) throw new AlreadyAppliedError(lead.applicant_org_id === leadOrgId ? lead.id : undefined);
    const errors: FieldError[] = [];
    members.forEach((m, i) => {
      if (involved(m))
        errors.push({
          field: `consortium[${i}].organizationId`,
          message: 'this organization is already part of another application to this scenario',
        });
    });
    if (errors.length) throw new InvalidReferencesError(errors, 'INVALID_CONSORTIUM');
  }

  /** At most APPLICATIONS_PER_BATCH live applications of one organization in one batch. */
  private async assertBatchCap(manager: EntityManager, orgId: string, batchId: string): Promise<void> {
    // serializes concurrent applications of this organization in this batch
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `application-cap:${orgId}:${batchId}`,
    ]);
    const [{ count }]: { count: number }[] = await manager.query(
      `SELECT count(*)::int AS count FROM applications
        WHERE applicant_org_id = $1 AND batch_id = $2 AND status <> 'withdrawn'`,
      [orgId, batchId],
    );
    const cap = this.config.lifecycle.applicationsPerBatch;
    if (count >= cap) throw new BatchApplicationCapError(cap);
  }
}
