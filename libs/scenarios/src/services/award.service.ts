import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor } from '@aihub/authz';
import { InvalidStateError } from '@aihub/core';
import type { PublicityView } from '../dto/publicity.dto';
import type { AwardDto } from '../dto/scenario.dto';
import { ApplicationEntity } from '../entities/application.entity';
import { PublicityEntity, PublicitySubject } from '../entities/publicity.entity';
import { SandboxProvisionRequestEntity } from '../entities/sandbox-provision-request.entity';
import { ScenarioEntity } from '../entities/scenario.entity';
import { awardeeCountError } from '../lifecycle/scenario-rules';
import {
  applicationMachine,
  AWARDABLE_APPLICATION_STATES,
  scenarioMachine,
} from '../lifecycle/state-machine';
import {
  AwardModeViolationError,
  AwardPublicityOpenError,
  InvalidReferencesError,
} from '../scenarios.errors';
import { ApplicationsService } from './applications.service';
import { LifecycleAccess } from './lifecycle-access.service';
import { LifecycleNotifier } from './lifecycle-notifier.service';
import { PublicitiesService } from './publicities.service';
import { ScenarioTransitionsService } from './scenario-transitions.service';
import { organizationNames } from './views';

/** Applications still in the running when an award publicity passes (they become not_selected). */
const IN_THE_RUNNING = AWARDABLE_APPLICATION_STATES;

/**
 * 挂帅: the issuer (or an operator) proposes awardees, a `kind: award` publicity opens; when it closes
 * (PublicitiesService calls back here) the proposal is carried out or undone.
 */
@Injectable()
export class AwardService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly scenarios: ScenarioTransitionsService,
    private readonly applications: ApplicationsService,
    private readonly publicities: PublicitiesService,
    private readonly notifier: LifecycleNotifier,
  ) {}

  onModuleInit(): void {
    this.publicities.registerCompletion('award', (manager, publicity) => this.complete(manager, publicity));
  }

  /**
   * `closed|awarding → awarding`: the named applications (formal_passed or shortlisted, of this scenario,
   * as many as the award mode allows) become `proposed` and a publicity opens for PUBLICITY_DAYS.
   */
  async propose(actor: AuthenticatedActor, scenarioId: string, dto: AwardDto): Promise<PublicityView> {
    const publicityId = await this.dataSource.transaction(async (manager) => {
      const row = await this.scenarios.lock(manager, scenarioId);
      const scenario = await this.access.authorize(actor, 'award', 'Scenario', row, scenarioId);
      scenarioMachine.nextState(scenario.status, 'propose_award');
      const open = await manager
        .getRepository(PublicityEntity)
        .findOne({ where: { scenarioId, kind: 'award', status: 'open' } });
      if (open) throw new AwardPublicityOpenError(open.id);
      const ids = dto.applicationIds.map((id) => id.toLowerCase());
      const countError = awardeeCountError(scenario.awardMode, scenario.maxAwardees, ids.length);
      if (countError) throw new AwardModeViolationError(countError);
      const apps = await manager
        .getRepository(ApplicationEntity)
        .find({ where: { id: In(ids) }, lock: { mode: 'pessimistic_write' } });
      const byId = new Map(apps.map((a) => [a.id, a]));
      const refErrors = ids
        .map((id, i) => ({ id, i, app: byId.get(id) }))
        .filter(({ app }) => !app || app.scenarioId !== scenarioId)
        .map(({ i }) => ({ field: `applicationIds[${i}]`, message: 'no such application to this scenario' }));
      if (refErrors.length) throw new InvalidReferencesError(refErrors);
      const ordered = ids.map((id) => byId.get(id)!);
      for (const app of ordered)
        if (!applicationMachine.can(app.status, 'propose'))
          throw new InvalidStateError('Application', app.status, 'propose');

      for (const app of ordered) await this.applications.transition(manager, app, 'propose', {}, {});
      await this.scenarios.apply(manager, scenario, 'propose_award', {}, { applicationIds: ids }, false);
      const names = await organizationNames(
        manager,
        ordered.map((a) => a.applicantOrgId),
      );
      const subjects: PublicitySubject[] = ordered.map((a) => ({
        objectType: 'Application',
        objectId: a.id,
        organizationId: a.applicantOrgId,
        organizationName: names.get(a.applicantOrgId) ?? undefined,
      }));
      const publicity = await this.publicities.open(manager, {
        scenarioId,
        kind: 'award',
        subjects,
        notifyOrganizationIds: await this.competitorOrgIds(manager, scenarioId),
      });
      return publicity.id;
    });
    return this.publicities.get(actor, publicityId);
  }

  /** The award publicity closed: carry out (`passed`) or undo (`failed`) the proposal. */
  private async complete(manager: EntityManager, publicity: PublicityEntity): Promise<void> {
    const scenario = await this.scenarios.lock(manager, publicity.scenarioId);
    if (!scenario) return;
    const proposedIds = publicity.subjects
      .filter((s) => s.objectType === 'Application')
      .map((s) => s.objectId);
    const proposed = proposedIds.length
      ? await manager.getRepository(ApplicationEntity).find({
          where: { id: In(proposedIds), status: 'proposed' },
          lock: { mode: 'pessimistic_write' },
        })
      : [];
    const notifyOrgs = await this.competitorOrgIds(manager, scenario.id);
    const details = { publicityId: publicity.id };

    if (publicity.outcome === 'failed') {
      // an objection was upheld: back to formal_passed; the scenario stays `awarding` for a new proposal
      for (const app of proposed)
        await this.applications.transition(manager, app, 'unpropose', {}, details, true);
      await this.audit.record(manager, {
        action: 'scenario.award_fail',
        objectType: 'Scenario',
        objectId: scenario.id,
        actorId: null,
        actorOrgId: null,
        details: { ...details, status: scenario.status, applicationIds: proposed.map((a) => a.id) },
      });
      await this.notifier.publicity(manager, publicity, scenario, notifyOrgs, 'closed');
      return;
    }

    for (const app of proposed) {
      const selected = await this.applications.transition(manager, app, 'select', {}, details, true);
      await this.notifier.selection(manager, selected, scenario, true);
      await this.requestSandbox(manager, scenario, selected, publicity);
    }
    const others = await manager.getRepository(ApplicationEntity).find({
      where: {
        scenarioId: scenario.id,
        status: In([...IN_THE_RUNNING]),
        id: Not(In(proposed.length ? proposed.map((a) => a.id) : ['00000000-0000-0000-0000-000000000000'])),
      },
      lock: { mode: 'pessimistic_write' },
    });
    for (const app of others) {
      const notSelected = await this.applications.transition(manager, app, 'not_select', {}, details, true);
      await this.notifier.selection(manager, notSelected, scenario, false);
    }
    await this.scenarios.apply(
      manager,
      scenario,
      'award',
      {},
      { ...details, awardees: proposed.map((a) => a.id) },
      true,
    );
    await this.notifier.publicity(manager, publicity, scenario, notifyOrgs, 'closed');
  }

  /** `sandbox.provision`: the record the sandbox issue consumes (one per awardee, audited). */
  private async requestSandbox(
    manager: EntityManager,
    scenario: ScenarioEntity,
    app: ApplicationEntity,
    publicity: PublicityEntity,
  ): Promise<void> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(SandboxProvisionRequestEntity)
      .values({
        applicationId: app.id,
        scenarioId: scenario.id,
        organizationId: app.applicantOrgId,
        consortiumOrgIds: app.consortiumOrgIds,
        publicityId: publicity.id,
        sandboxDays: scenario.sandboxDays,
        datasetIds: scenario.datasetIds,
        status: 'pending',
      })
      .orIgnore()
      .returning(['id'])
      .execute();
    const id = (inserted.raw as { id: string }[])[0]?.id;
    if (!id) return; // already requested
    await this.audit.record(manager, {
      action: 'sandbox.provision',
      objectType: 'SandboxProvisionRequest',
      objectId: id,
      actorId: null,
      actorOrgId: null,
      details: {
        scenarioId: scenario.id,
        applicationId: app.id,
        organizationId: app.applicantOrgId,
        sandboxDays: scenario.sandboxDays,
        datasetIds: scenario.datasetIds,
      },
    });
  }

  /** organizations with a submitted (not withdrawn) application to the scenario */
  private async competitorOrgIds(manager: EntityManager, scenarioId: string): Promise<string[]> {
    const rows = await manager.getRepository(ApplicationEntity).find({
      select: { applicantOrgId: true },
      where: { scenarioId, status: Not(In(['draft', 'withdrawn'])) },
    });
    return [...new Set(rows.map((r) => r.applicantOrgId))];
  }
}
