import { Injectable } from '@nestjs/common';
import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import type { Action, AppAbility, SubjectType } from './app-ability';
import type { AuthUser, Role } from './roles';

/** Rules are written against subject type names with plain-object conditions (columns of the rows). */
type Grant = (
  action: Action | Action[],
  subject: SubjectType | SubjectType[],
  conditions?: Record<string, unknown>,
) => void;
interface Builder {
  can: Grant;
  cannot: Grant;
}

/**
 * THE authorization policy of the platform: every role's rules, in one place.
 * Deny by default: anything not granted here is refused. Services use the same ability to filter
 * list queries (see accessible-query.ts), so lists and single reads can never disagree.
 */
const ROLE_RULES: Record<Role, (b: Builder, user: AuthUser) => void> = {
  operator: ({ can }) => {
    can('manage', 'Organization');
    can('manage', 'User');
    can('read', 'AuditEvent');
    can('manage', 'SystemProbe');
  },
  auditor: ({ can }) => {
    can('read', 'Organization');
    can('read', 'User');
    can('read', 'AuditEvent');
    can('verify', 'AuditLedger');
  },
  gov: () => undefined,
  data_steward: () => undefined,
  enterprise: () => undefined,
  expert: () => undefined,
};

@Injectable()
export class AbilityFactory {
  createFor(user: AuthUser | null): AppAbility {
    const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
    const rules: Builder = {
      can: builder.can as unknown as Grant,
      cannot: builder.cannot as unknown as Grant,
    };
    if (user) {
      // every member reads its own organization and its colleagues (tenancy is by organization)
      rules.can('read', 'Organization', { id: user.organizationId });
      rules.can('read', 'User', { organizationId: user.organizationId });
      for (const role of user.roles) ROLE_RULES[role](rules, user);
    }
    return builder.build();
  }
}
