import { AbilityFactory, asSubject, type AuthUser } from '@aihub/authz';
import { PUBLIC_SCENARIO_STATES, SCENARIO_STATES } from './state-machine';

const user = (roles: AuthUser['roles'], organizationId: string): AuthUser => ({
  id: 'u',
  email: 'u@test',
  displayName: 'u',
  organizationId,
  organizationType: 'government',
  roles,
});

describe('lifecycle rules of the ability factory', () => {
  const factory = new AbilityFactory();

  it('shows anonymous callers exactly the public scenario states (kept in sync with the state machine)', () => {
    const anonymous = factory.createFor(null);
    const visible = SCENARIO_STATES.filter((status) =>
      anonymous.can('read', asSubject('Scenario', { status, issuerOrgId: 'gov-1' })),
    );
    expect(visible).toEqual([...PUBLIC_SCENARIO_STATES]);
  });

  it('shows the issuer all of its own scenarios, and no one else’s drafts', () => {
    const gov = factory.createFor(user(['gov'], 'gov-1'));
    for (const status of SCENARIO_STATES) {
      expect(gov.can('read', asSubject('Scenario', { status, issuerOrgId: 'gov-1' }))).toBe(true);
      expect(gov.can('submit', asSubject('Scenario', { status, issuerOrgId: 'gov-2' }))).toBe(false);
    }
    expect(gov.can('read', asSubject('Scenario', { status: 'draft', issuerOrgId: 'gov-2' }))).toBe(false);
  });

  it('gives each transition to its owner', () => {
    const gov = factory.createFor(user(['gov'], 'gov-1'));
    const op = factory.createFor(user(['operator'], 'platform'));
    const ent = factory.createFor(user(['enterprise'], 'ent-1'));
    const own = asSubject('Scenario', { status: 'draft', issuerOrgId: 'gov-1' });
    for (const a of ['update', 'submit', 'withdraw', 'award'] as const) {
      expect(gov.can(a, own)).toBe(true);
      expect(ent.can(a, own)).toBe(false);
    }
    for (const a of ['publish', 'review', 'close'] as const) {
      expect(op.can(a, own)).toBe(true);
      expect(gov.can(a, own)).toBe(false);
    }
    expect(op.can('update', own)).toBe(false);
    expect(op.can('submit', own)).toBe(false);
    expect(op.can('award', own)).toBe(true);
  });

  it('lets the issuer read applications to its scenarios only once submitted', () => {
    const gov = factory.createFor(user(['gov'], 'gov-1'));
    expect(gov.can('read', asSubject('Application', { issuerOrgId: 'gov-1', submittedAt: null }))).toBe(
      false,
    );
    expect(gov.can('read', asSubject('Application', { issuerOrgId: 'gov-1', submittedAt: new Date() }))).toBe(
      true,
    );
    expect(gov.can('read', asSubject('Application', { issuerOrgId: 'gov-2', submittedAt: new Date() }))).toBe(
      false,
    );
    expect(
      gov.can('update', asSubject('Application', { issuerOrgId: 'gov-1', submittedAt: new Date() })),
    ).toBe(false);
  });

  it('identifies objectors to operators only', () => {
    expect(factory.createFor(user(['operator'], 'p')).can('read', 'Objection')).toBe(true);
    for (const roles of [
      ['gov'],
      ['enterprise'],
      ['auditor'],
      ['expert'],
      ['data_steward'],
    ] as AuthUser['roles'][]) {
      const a = factory.createFor(user(roles, 'x'));
      expect(a.can('read', 'Objection')).toBe(false);
      expect(a.can('create', 'Objection')).toBe(true);
    }
    expect(factory.createFor(null).can('create', 'Objection')).toBe(false);
  });
});
