import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Action, Actor, assertCanRead, asSubject, SubjectType } from '@aihub/authz';
import { ForbiddenError, NotFoundError } from '@aihub/core';
import { ScenarioEntity } from '@aihub/scenarios/entities/scenario.entity';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';

/** Object-level checks: what the caller may not read is 404; what it may read but not change is 403 (audited). */
@Injectable()
export class EvaluationAccess {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async authorize<T extends object>(
    actor: Actor,
    action: Action,
    type: Exclude<SubjectType, 'all'>,
    row: T | null | undefined,
    id: string,
  ): Promise<T> {
    const found = assertCanRead(actor.ability, type, row, id);
    if (action !== 'read' && !actor.ability.can(action, asSubject(type, found))) {
      await this.audit.recordDetached({
        action: 'authz.denied',
        objectType: type,
        objectId: id,
        outcome: 'denied',
        details: { reason: `${action} ${type}`, roles: actor.user?.roles ?? [] },
      });
      throw new ForbiddenError(`You are not allowed to ${action} this ${type}.`);
    }
    return found;
  }

  /** The scenario if the caller may see it (404 otherwise, also for other tenants' drafts). */
  async readableScenario(actor: Actor, scenarioId: string, manager: EntityManager = this.dataSource.manager) {
    const row = await manager.getRepository(ScenarioEntity).findOne({ where: { id: scenarioId } });
    return assertCanRead(actor.ability, 'Scenario', row, scenarioId);
  }

  /** The phase and its scenario, if the caller may see the scenario; 404 `PHASE_NOT_FOUND` otherwise. */
  async readablePhase(actor: Actor, phaseId: string, manager: EntityManager = this.dataSource.manager) {
    const phase = await manager.getRepository(EvaluationPhaseEntity).findOne({ where: { id: phaseId } });
    if (!phase) throw new NotFoundError('Phase', phaseId);
    const scenario = await manager.getRepository(ScenarioEntity).findOne({ where: { id: phase.scenarioId } });
    if (!scenario || !actor.ability.can('read', asSubject('Scenario', scenario)))
      throw new NotFoundError('Phase', phaseId);
    return { phase, scenario };
  }
}
