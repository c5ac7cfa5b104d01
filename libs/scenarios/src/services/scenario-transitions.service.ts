import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Action, AuthenticatedActor } from '@aihub/authz';
import { Clock } from '@aihub/core';
import { claimOnce } from '@aihub/queue';
import type { ScenarioView } from '../dto/scenario.dto';
import { BatchEntity } from '../entities/batch.entity';
import { ScenarioEntity } from '../entities/scenario.entity';
import { ScenarioCloseJob } from '../jobs/scenario-close.job';
import { type ScenarioAction, scenarioMachine } from '../lifecycle/state-machine';
import {
  BatchNotPublishedError,
  InvalidReferencesError,
  WindowAlreadyClosedError,
} from '../scenarios.errors';
import { LifecycleAccess } from './lifecycle-access.service';
import { LifecycleScheduler } from './lifecycle-scheduler.service';
import { organizationNames, toScenarioView } from './views';

export type CloseResult =
  { closed: true } | { closed: false; reason: 'not_published' | 'not_due'; dueAt?: Date };

/**
 * Every scenario state change after drafting, each by the role that owns it and audited in its
 * transaction as `scenario.<action>`:
 * gov (issuer): submit, withdraw; operator: return (with a reason), publish (into a published batch),
 * close; the timer: close at `applicationClosesAt`; the award flow: propose_award, award;
 * later issues: start_evaluation, conclude (service methods taking the caller's transaction).
 */
@Injectable()
export class ScenarioTransitionsService {
  private readonly logger = new Logger(ScenarioTransitionsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly clock: Clock,
    private readonly scheduler: LifecycleScheduler,
  ) {}

  submit(actor: AuthenticatedActor, id: string): Promise<ScenarioView> {
    return this.byActor(actor, id, 'submit', 'submit', async (_m, _s, now) => ({
      patch: { submittedAt: now, returnReason: null },
    }));
  }

  returnToDraft(actor: AuthenticatedActor, id: string, reason: string): Promise<ScenarioView> {
    return this.byActor(actor, id, 'review', 'return', async () => ({
      patch: { returnReason: reason.trim() },
      details: { reason: reason.trim() },
    }));
  }

  withdraw(actor: AuthenticatedActor, id: string, reason?: string): Promise<ScenarioView> {
    return this.byActor(actor, id, 'withdraw', 'withdraw', async () => ({
      patch: {},
      details: { reason: reason?.trim() || null },
    }));
  }

  publish(actor: AuthenticatedActor, id: string, batchId: string): Promise<ScenarioView> {
    return this.byActor(actor, id, 'publish', 'publish', async (manager, scenario, now) => {
      const batch = await manager.getRepository(BatchEntity).findOne({ where: { id: batchId } });
      if (!batch) throw new InvalidReferencesError([{ field: 'batchId', message: 'no such batch' }]);
      if (batch.status !== 'published') throw new BatchNotPublishedError(batchId);
      if (scenario.applicationClosesAt.getTime() <= now.getTime())
        throw new WindowAlreadyClosedError(scenario.applicationClosesAt);
      await this.scheduler.scenarioClose(manager, id, scenario.applicationClosesAt);
      return { patch: { batchId, publishedAt: now }, details: { batchId, batchNumber: batch.number } };
    });
  }

  close(actor: AuthenticatedActor, id: string): Promise<ScenarioView> {
    return this.byActor(actor, id, 'close', 'close', async (_m, scenario, now) => ({
      patch: { closedAt: now },
      details: { by: 'operator', early: now.getTime() < scenario.applicationClosesAt.getTime() },
    }));
  }

  /** Timer: closes the scenario if it is published and its window has ended. Idempotent. */
  async closeIfDue(id: string, now = this.clock.now()): Promise<CloseResult> {
    return this.dataSource.transaction(async (manager) => {
      const scenario = await this.lock(manager, id);
      if (!scenario || scenario.status !== 'published') return { closed: false, reason: 'not_published' };
      if (scenario.applicationClosesAt.getTime() > now.getTime())
        return { closed: false, reason: 'not_due', dueAt: scenario.applicationClosesAt };
      // the exactly-once guard of the close (timer job and sweep may both try); a scenario closes once
      if (!(await claimOnce(manager, `${ScenarioCloseJob.name}:${id}`)))
        return { closed: false, reason: 'not_published' };
      await this.applySystem(
        manager,
        scenario,
        'close',
        { closedAt: now },
        {
          by: 'timer',
          applicationClosesAt: scenario.applicationClosesAt.toISOString(),
        },
      );
      return { closed: true };
    });
  }

  /** Timer sweep: closes every published scenario whose window has ended. Returns the closed ids. */
  async closeDueScenarios(now = this.clock.now()): Promise<string[]> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM scenarios WHERE status = 'published' AND application_closes_at <= $1
        ORDER BY application_closes_at LIMIT 1000`,
      [now],
    );
    const closed: string[] = [];
    for (const { id } of due) {
      try {
        if ((await this.closeIfDue(id, now)).closed) closed.push(id);
      } catch (err) {
        this.logger.error({ err, scenarioId: id }, 'could not close scenario');
      }
    }
    return closed;
  }

  /** Evaluation issue: `awarded → evaluating`, in the caller's transaction. */
  startEvaluation(
    manager: EntityManager,
    id: string,
    details: Record<string, unknown> = {},
  ): Promise<ScenarioEntity> {
    return this.systemTransition(manager, id, 'start_evaluation', {}, details);
  }

  /** Evaluation issue: `evaluating → concluded`, in the caller's transaction. */
  conclude(
    manager: EntityManager,
    id: string,
    details: Record<string, unknown> = {},
  ): Promise<ScenarioEntity> {
    return this.systemTransition(manager, id, 'conclude', {}, details);
  }

  /** Any system-driven transition inside the caller's transaction (award flow, later issues). */
  async systemTransition(
    manager: EntityManager,
    id: string,
    action: ScenarioAction,
    patch: Partial<ScenarioEntity>,
    details: Record<string, unknown> = {},
  ): Promise<ScenarioEntity> {
    const scenario = await this.lock(manager, id);
    if (!scenario) throw new InvalidReferencesError([{ field: 'scenarioId', message: 'no such scenario' }]);
    return this.applySystem(manager, scenario, action, patch, details);
  }

  /**
   * Applies a transition to a locked row and audits it. `actorId` comes from the request context
   * (the caller), or is null for the timers.
   */
  async apply(
    manager: EntityManager,
    scenario: ScenarioEntity,
    action: ScenarioAction,
    patch: Partial<ScenarioEntity>,
    details: Record<string, unknown>,
    system: boolean,
  ): Promise<ScenarioEntity> {
    const to = scenarioMachine.nextState(scenario.status, action);
    await manager.getRepository(ScenarioEntity).update({ id: scenario.id }, { ...patch, status: to });
    await this.audit.record(manager, {
      action: `scenario.${action}`,
      objectType: 'Scenario',
      objectId: scenario.id,
      details: { from: scenario.status, to, ...details },
      ...(system ? { actorId: null, actorOrgId: null } : {}),
    });
    return manager.getRepository(ScenarioEntity).findOneByOrFail({ id: scenario.id });
  }

  lock(manager: EntityManager, id: string): Promise<ScenarioEntity | null> {
    return manager
      .getRepository(ScenarioEntity)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  private applySystem(
    manager: EntityManager,
    scenario: ScenarioEntity,
    action: ScenarioAction,
    patch: Partial<ScenarioEntity>,
    details: Record<string, unknown>,
  ): Promise<ScenarioEntity> {
    return this.apply(manager, scenario, action, patch, details, true);
  }

  private byActor(
    actor: AuthenticatedActor,
    id: string,
    policy: Action,
    action: ScenarioAction,
    prepare: (
      manager: EntityManager,
      scenario: ScenarioEntity,
      now: Date,
    ) => Promise<{ patch: Partial<ScenarioEntity>; details?: Record<string, unknown> }>,
  ): Promise<ScenarioView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await this.lock(manager, id);
      const scenario = await this.access.authorize(actor, policy, 'Scenario', row, id);
      scenarioMachine.nextState(scenario.status, action); // 409 before anything else
      const now = this.clock.now();
      const { patch, details = {} } = await prepare(manager, scenario, now);
      const saved = await this.apply(manager, scenario, action, patch, details, false);
      return toScenarioView(saved, await organizationNames(manager, [saved.issuerOrgId]));
    });
  }
}
