import { Injectable } from '@nestjs/common';
import { AuditService } from '@aihub/audit';
import { Action, Actor, assertCanRead, asSubject, SubjectType } from '@aihub/authz';
import { ForbiddenError } from '@aihub/core';

/**
 * Object-level checks of the sandbox lib: a row the caller may not read is 404 (other tenants cannot
 * probe); a row it may read but not act on is 403, and the denial is audited like the guard's.
 */
@Injectable()
export class SandboxAccess {
  constructor(private readonly audit: AuditService) {}

  async authorize<T extends object>(
    actor: Actor,
    action: Action,
    type: Exclude<SubjectType, 'all'>,
    row: T | null | undefined,
    id: string,
  ): Promise<T> {
    const found = assertCanRead(actor.ability, type, row, id);
    if (action !== 'read' && !actor.ability.can(action, asSubject(type, found)))
      await this.deny(actor, action, type, id);
    return found;
  }

  can(actor: Actor, action: Action, type: Exclude<SubjectType, 'all'>, row: object): boolean {
    return actor.ability.can(action, asSubject(type, row));
  }

  async deny(
    actor: Actor,
    action: Action | string,
    type: string,
    id: string,
    detail?: string,
  ): Promise<never> {
    await this.audit.recordDetached({
      action: 'authz.denied',
      objectType: type,
      objectId: id,
      outcome: 'denied',
      details: { reason: `${action} ${type}`, roles: actor.user?.roles ?? [] },
    });
    throw new ForbiddenError(detail ?? `You are not allowed to ${action} this ${type}.`);
  }
}
