import { subject as caslSubject } from '@casl/ability';
import { NotFoundError } from '@aihub/core';
import type { Action, AppAbility, SubjectObject, SubjectType } from './app-ability';

/** Tags a row with its subject type for instance-level checks. */
export const asSubject = <T extends object>(type: Exclude<SubjectType, 'all'>, row: T): SubjectObject =>
  caslSubject(type, { ...row } as Record<string, unknown>) as SubjectObject;

/**
 * Object-level read check: a row the caller may not read is reported as not found,
 * so other tenants' objects cannot even be probed for existence.
 */
export function assertCanRead<T extends object>(
  ability: AppAbility,
  type: Exclude<SubjectType, 'all'>,
  row: T | null | undefined,
  id?: string,
  action: Action = 'read',
): T {
  if (!row || !ability.can(action, asSubject(type, row))) throw new NotFoundError(type, id);
  return row;
}
