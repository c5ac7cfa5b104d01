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
    can(['create', 'read', 'publish'], 'Batch');
    can(['read', 'publish', 'review', 'close', 'award'], 'Scenario');
    can('read', 'Dataset');
    can(['read', 'review'], 'Application');
    can(['read', 'review'], 'Objection');
    // sandboxes: provision, suspend/resume (review), decide extensions; read runs' unredacted logs (review);
    // review the exports of runs that mounted no dataset (no provider to ask)
    can(['create', 'read', 'review'], 'Sandbox');
    can(['read', 'review'], 'SandboxExtension');
    can('read', ['DatasetGrant', 'SandboxExport']);
    can(['read', 'review'], 'SandboxRun');
    can(['read', 'review'], 'SandboxExportReview', { providerOrgId: null });
    // expert review: the pool, panels, every expert's assignments, result publication
    can('manage', 'Expert');
    can(['create', 'read', 'update', 'close'], 'Panel');
    can('read', 'PanelAssignment');
    can(['read', 'publish'], 'ScenarioResult');
    // evaluation: specs, ground truth, closing phases; every submission (support)
    can(['read', 'update', 'close'], 'Evaluation');
    can('read', 'Submission');
  },
  auditor: ({ can }) => {
    can('read', 'Organization');
    can('read', 'User');
    can('read', 'AuditEvent');
    can('verify', 'AuditLedger');
    can('read', ['Batch', 'Scenario', 'Application']);
    can('read', 'Dataset');
    can('read', ['Sandbox', 'SandboxExtension', 'DatasetGrant', 'SandboxRun', 'SandboxExport']);
    can('read', ['Expert', 'Panel', 'PanelAssignment', 'ScenarioResult']);
    can('read', ['Evaluation', 'Submission']);
  },
  gov: ({ can }, user) => {
    // the issuer: its own organization's scenarios, and the applications to them once submitted
    can('create', 'Scenario');
    can(['read', 'update', 'submit', 'withdraw', 'award'], 'Scenario', { issuerOrgId: user.organizationId });
    can('read', 'Application', { issuerOrgId: user.organizationId, submittedAt: { $ne: null } });
    // its own department's datasets (to attach them to its scenarios)
    can('read', 'Dataset', { organizationId: user.organizationId });
    // the expert panels of its scenarios and their results (they feed its award proposal)
    can('read', 'Panel', { issuerOrgId: user.organizationId });
  },
  data_steward: ({ can }, user) => {
    // the provider: registers datasets and uploads versions of its own organization's datasets
    can('create', 'Dataset');
    can(['read', 'update'], 'Dataset', { organizationId: user.organizationId });
    // the provider: grants of its own datasets, and the export reviews its organization owes
    can(['read', 'review'], 'DatasetGrant', { providerOrgId: user.organizationId });
    can(['read', 'review'], 'SandboxExportReview', { providerOrgId: user.organizationId });
  },
  enterprise: ({ can }, user) => {
    can('create', 'Application');
    can(['read', 'update', 'submit', 'withdraw'], 'Application', { applicantOrgId: user.organizationId });
    // its own sandboxes (update = request grants, runs, extensions), runs (update = cancel) and exports:
    // the awardee (lead) org's, and those of a consortium it is a member of, with the same rights
    // (`consortiumOrgIds` is copied from the sandbox onto every row under it)
    const member = () => ({ consortiumOrgIds: { $all: [user.organizationId] } });
    can(['read', 'update'], 'Sandbox', { organizationId: user.organizationId });
    can(['read', 'update'], 'Sandbox', member());
    can(['create', 'read'], 'SandboxExtension', { organizationId: user.organizationId });
    can(['create', 'read'], 'SandboxExtension', member());
    can(['create', 'read'], 'DatasetGrant', { sandboxOrgId: user.organizationId });
    can(['create', 'read'], 'DatasetGrant', member());
    can(['create', 'read', 'update'], 'SandboxRun', { organizationId: user.organizationId });
    can(['create', 'read', 'update'], 'SandboxRun', member());
    can(['create', 'read', 'download'], 'SandboxExport', { organizationId: user.organizationId });
    can(['create', 'read', 'download'], 'SandboxExport', member());
    // evaluation: submit (eligibility per phase is checked by the service), read and select its own
    can('create', 'Submission');
    can(['read', 'update'], 'Submission', { organizationId: user.organizationId });
  },
  expert: ({ can }, user) => {
    // its own pool entry, and its own panel seats: read the subjects (blind) and score them
    can('read', 'Expert', { id: user.id });
    can(['read', 'update'], 'PanelAssignment', { expertId: user.id });
  },
};

@Injectable()
export class AbilityFactory {
  createFor(user: AuthUser | null): AppAbility {
    const builder = new AbilityBuilder<AppAbility>(createMongoAbility);
    const rules: Builder = {
      can: builder.can as unknown as Grant,
      cannot: builder.cannot as unknown as Grant,
    };
    // the public catalog, also for anonymous callers: published batches, scenarios from publication on
    // (keep in sync with PUBLIC_SCENARIO_STATES in libs/scenarios), publicities (公示)
    rules.can('read', 'Batch', { status: 'published' });
    rules.can('read', 'Scenario', {
      status: { $in: ['published', 'closed', 'awarding', 'awarded', 'evaluating', 'concluded'] },
    });
    rules.can('read', 'Publicity');
    // dataset metadata (never contents): open datasets, and conditional ones attached to a scenario the
    // caller can read (`linkedToVisibleScenario` is computed per caller by libs/datasets, docs/datasets.md)
    rules.can('read', 'Dataset', { openAttribute: 'open' });
    rules.can('read', 'Dataset', { openAttribute: 'conditional', linkedToVisibleScenario: true });
    // published final results (after their results publicity passed)
    rules.can('read', 'ScenarioResult', { status: 'published' });
    if (user) {
      // any logged-in user may file a (real-name) objection to an open publicity
      rules.can('create', 'Objection');
      // every member reads its own organization and its colleagues (tenancy is by organization)
      rules.can('read', 'Organization', { id: user.organizationId });
      rules.can('read', 'User', { organizationId: user.organizationId });
      // in-app notifications: only the recipient, whatever its roles
      rules.can(['read', 'update'], 'Notification', { userId: user.id });
      for (const role of user.roles) ROLE_RULES[role](rules, user);
    }
    return builder.build();
  }
}
