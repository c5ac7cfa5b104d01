import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuthenticatedActor } from '@aihub/authz';
import { Clock, ValidationFailedError } from '@aihub/core';
import type { ApplicationView, FormalCheckDto } from '../dto/application.dto';
import { ApplicationEntity } from '../entities/application.entity';
import type { ApplicationAction } from '../lifecycle/state-machine';
import { InvalidReferencesError } from '../scenarios.errors';
import type { FormalCheckDecision } from '../vocabularies';
import { ApplicationsService } from './applications.service';
import { LifecycleNotifier } from './lifecycle-notifier.service';

const ACTION: Record<FormalCheckDecision, ApplicationAction> = {
  pass: 'formal_pass',
  return: 'return',
  reject: 'reject',
};

/** The operator's formal check (形式审查) of submitted applications, and the expert shortlist hook. */
@Injectable()
export class FormalCheckService {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly notifier: LifecycleNotifier,
    private readonly clock: Clock,
  ) {}

  /** pass → formal_passed, return → returned (the applicant edits and resubmits), reject → rejected. */
  async check(actor: AuthenticatedActor, id: string, dto: FormalCheckDto): Promise<ApplicationView> {
    const reason = dto.reason?.trim() || null;
    if (dto.decision !== 'pass' && !reason)
      throw new ValidationFailedError([
        { field: 'reason', message: `a reason is required to ${dto.decision}` },
      ]);
    return this.applications.withLockedApplication(actor, id, 'review', async (manager, app, scenario) => {
      const saved = await this.applications.transition(
        manager,
        app,
        ACTION[dto.decision],
        {
          formalCheckDecision: dto.decision,
          formalCheckReason: reason,
          formalCheckedAt: this.clock.now(),
          formalCheckedBy: actor.user.id,
        },
        { decision: dto.decision, reason },
      );
      await this.notifier.formalCheck(manager, saved, scenario, dto.decision, reason);
      return this.applications.view(manager, saved);
    });
  }

  /** Expert review (later issue): `formal_passed → shortlisted`, in the caller's transaction. */
  async shortlist(manager: EntityManager, applicationId: string, details: Record<string, unknown> = {}) {
    const app = await manager
      .getRepository(ApplicationEntity)
      .findOne({ where: { id: applicationId }, lock: { mode: 'pessimistic_write' } });
    if (!app) throw new InvalidReferencesError([{ field: 'applicationId', message: 'no such application' }]);
    return this.applications.transition(manager, app, 'shortlist', {}, details);
  }
}
