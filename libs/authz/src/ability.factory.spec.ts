import { AbilityFactory } from './ability.factory';
import { accessibleSql } from './accessible-query';
import type { AuthUser, Role } from './roles';
import { asSubject } from './subject';

const user = (roles: Role[], organizationId = 'org-1'): AuthUser => ({
  id: 'user-1',
  email: 'u@test',
  displayName: 'u',
  organizationId,
  organizationType: 'enterprise',
  roles,
});

describe('AbilityFactory', () => {
  const factory = new AbilityFactory();

  it('denies everything to anonymous callers', () => {
    const a = factory.createFor(null);
    for (const s of ['Organization', 'User', 'AuditEvent', 'SystemProbe'] as const)
      expect(a.can('read', s)).toBe(false);
  });

  it('lets members read their own organization only', () => {
    const a = factory.createFor(user(['enterprise']));
    expect(a.can('read', asSubject('Organization', { id: 'org-1' }))).toBe(true);
    expect(a.can('read', asSubject('Organization', { id: 'org-2' }))).toBe(false);
    expect(a.can('create', 'Organization')).toBe(false);
    expect(a.can('read', 'AuditEvent')).toBe(false);
  });

  it('gives operators organizations and users, auditors read-only plus ledger verification', () => {
    const op = factory.createFor(user(['operator']));
    expect(op.can('create', 'Organization')).toBe(true);
    expect(op.can('update', asSubject('User', { organizationId: 'elsewhere' }))).toBe(true);
    expect(op.can('verify', 'AuditLedger')).toBe(false);
    const auditor = factory.createFor(user(['auditor']));
    expect(auditor.can('read', asSubject('Organization', { id: 'any' }))).toBe(true);
    expect(auditor.can('create', 'Organization')).toBe(false);
    expect(auditor.can('verify', 'AuditLedger')).toBe(true);
  });
});

describe('accessibleSql', () => {
  const factory = new AbilityFactory();

  it('turns conditional rules into a parameterized WHERE', () => {
    const { sql, params } = accessibleSql(
      factory.createFor(user(['enterprise'], 'org-9')),
      'read',
      'Organization',
      'o',
    );
    expect(sql).toMatch(/^o\.id = :casl_\d+$/);
    expect(Object.values(params)).toEqual(['org-9']);
  });

  it('is TRUE for an unconditional rule and FALSE when nothing is granted', () => {
    expect(accessibleSql(factory.createFor(user(['operator'])), 'read', 'Organization', 'o').sql).toBe(
      'TRUE',
    );
    expect(accessibleSql(factory.createFor(user(['enterprise'])), 'read', 'AuditEvent', 'e').sql).toBe(
      'FALSE',
    );
    expect(accessibleSql(factory.createFor(null), 'read', 'User', 'u').sql).toBe('FALSE');
  });

  it('snake-cases columns', () => {
    const { sql } = accessibleSql(factory.createFor(user(['gov'], 'org-3')), 'read', 'User', 'u');
    expect(sql).toMatch(/^u\.organization_id = :casl_\d+$/);
  });
});
