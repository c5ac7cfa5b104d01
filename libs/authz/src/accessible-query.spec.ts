import { AbilityBuilder, createMongoAbility } from '@casl/ability';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '@aihub/core';
import { AbilityFactory } from './ability.factory';
import { accessibleSql } from './accessible-query';
import type { Action, AppAbility, SubjectType } from './app-ability';
import type { AuthUser, Role } from './roles';
import { asSubject } from './subject';

const user = (roles: Role[], organizationId: string): AuthUser => ({
  id: randomUUID(),
  email: 'u@test',
  displayName: 'u',
  organizationId,
  organizationType: roles.includes('enterprise') ? 'enterprise' : 'government',
  roles,
});

const factory = new AbilityFactory();

describe('accessibleSql: array membership ($all)', () => {
  // CASL lists the later rule first: compare the OR's terms as a set
  const terms = (sql: string) => /^\((.*)\)$/.exec(sql)![1].split(' OR ').sort();

  it('turns a consortium membership rule into `@>` beside the lead rule', () => {
    const { sql, params } = accessibleSql(
      factory.createFor(user(['enterprise'], 'org-9')),
      'read',
      'Sandbox',
      's',
    );
    const [member, lead] = terms(sql);
    expect(member).toMatch(/^s\.consortium_org_ids @> :casl_\d+$/);
    expect(lead).toMatch(/^s\.organization_id = :casl_\d+$/);
    expect(params[member.split(':')[1]]).toEqual(['org-9']);
    expect(params[lead.split(':')[1]]).toBe('org-9');
  });

  it('uses the column the subject names for the lead (grants: sandbox_org_id)', () => {
    const { sql } = accessibleSql(
      factory.createFor(user(['enterprise'], 'org-9')),
      'read',
      'DatasetGrant',
      'g',
    );
    expect(terms(sql).map((t) => t.replace(/:casl_\d+/, ':p'))).toEqual([
      'g.consortium_org_ids @> :p',
      'g.sandbox_org_id = :p',
    ]);
  });

  it('refuses an $all without a non-empty list (it would match every row)', () => {
    for (const operand of [[], 'org-1']) {
      const b = new AbilityBuilder<AppAbility>(createMongoAbility);
      (b.can as (a: string, s: string, c: object) => void)('read', 'Sandbox', {
        consortiumOrgIds: { $all: operand },
      });
      expect(() => accessibleSql(b.build(), 'read', 'Sandbox', 's')).toThrow(/\$all on consortiumOrgIds/);
    }
  });

  it('gives a consortium member the lead’s rights on the sandbox and everything under it, never reviews', () => {
    const member = factory.createFor(user(['enterprise'], 'member'));
    const row = { organizationId: 'lead', sandboxOrgId: 'lead', consortiumOrgIds: ['other', 'member'] };
    expect(member.can('update', asSubject('Sandbox', row))).toBe(true);
    expect(member.can('create', asSubject('SandboxExtension', row))).toBe(true);
    expect(member.can('create', asSubject('DatasetGrant', row))).toBe(true);
    expect(member.can('update', asSubject('SandboxRun', row))).toBe(true);
    expect(member.can('download', asSubject('SandboxExport', row))).toBe(true);
    expect(member.can('review', asSubject('DatasetGrant', row))).toBe(false);
    expect(member.can('review', asSubject('SandboxExtension', row))).toBe(false);
    const stranger = factory.createFor(user(['enterprise'], 'stranger'));
    expect(stranger.can('read', asSubject('Sandbox', row))).toBe(false);
    expect(stranger.can('read', asSubject('SandboxExport', { ...row, consortiumOrgIds: [] }))).toBe(false);
  });
});

/**
 * The guard (CASL on a row) and lists (the SQL) must select the same rows: each caller's ability is
 * checked row by row in JS and as a WHERE over the same rows in PostgreSQL (uuid and uuid[] columns).
 */
describe('accessibleSql agrees with the guard (PostgreSQL)', () => {
  let ds: DataSource;
  const [lead, lead2, m1, m2, stranger, provider, other] = Array.from({ length: 7 }, () => randomUUID());
  interface Row {
    id: string;
    organizationId: string;
    sandboxOrgId: string;
    providerOrgId: string;
    consortiumOrgIds: string[];
  }
  const row = (organizationId: string, consortiumOrgIds: string[], providerOrgId = provider): Row => ({
    id: randomUUID(),
    organizationId,
    sandboxOrgId: organizationId,
    providerOrgId,
    consortiumOrgIds,
  });
  const rows = [
    row(lead, []),
    row(lead, [m1, m2]),
    row(lead2, [m2], other),
    row(m1, [lead]),
    row(other, [lead2, other], other),
  ];
  const CASES: [SubjectType, Action[]][] = [
    ['Sandbox', ['read', 'update', 'review']],
    ['SandboxExtension', ['create', 'read', 'review']],
    ['DatasetGrant', ['create', 'read', 'review']],
    ['SandboxRun', ['create', 'read', 'update', 'review']],
    ['SandboxExport', ['create', 'read', 'download']],
  ];

  beforeAll(async () => {
    ds = new DataSource({ ...dataSourceOptions({ ...loadConfig().database, poolSize: 1 }), migrations: [] });
    await ds.initialize();
  });
  afterAll(() => ds?.destroy());

  async function selected(ability: AppAbility, action: Action, subject: SubjectType): Promise<string[]> {
    const { sql, params } = accessibleSql(ability, action, subject, 'x');
    const values = rows
      .map((_, i) => `(:id${i}::uuid, :org${i}::uuid, :org${i}::uuid, :prov${i}::uuid, :cons${i}::uuid[])`)
      .join(', ');
    const all: Record<string, unknown> = { ...params };
    rows.forEach((r, i) =>
      Object.assign(all, {
        [`id${i}`]: r.id,
        [`org${i}`]: r.organizationId,
        [`prov${i}`]: r.providerOrgId,
        [`cons${i}`]: r.consortiumOrgIds,
      }),
    );
    const [query, bound] = ds.driver.escapeQueryWithParameters(
      `SELECT x.id FROM (VALUES ${values}) AS x(id, organization_id, sandbox_org_id, provider_org_id, consortium_org_ids) WHERE ${sql}`,
      all,
    );
    return ((await ds.query(query, bound)) as { id: string }[]).map((r) => r.id).sort();
  }

  it.each([
    ['the lead', ['enterprise'], () => lead, [0, 1, 3]],
    ['a member of two consortia', ['enterprise'], () => m2, [1, 2]],
    ['a member that also leads', ['enterprise'], () => m1, [1, 3]],
    ['a stranger', ['enterprise'], () => stranger, []],
  ] as [string, Role[], () => string, number[]][])(
    'selects for %s exactly what the guard allows',
    async (_who, roles, org, readable) => {
      const ability = factory.createFor(user(roles, org()));
      for (const [subject, actions] of CASES)
        for (const action of actions) {
          const expected = rows
            .filter((r) => ability.can(action, asSubject(subject as 'Sandbox', r)))
            .map((r) => r.id)
            .sort();
          expect({ subject, action, ids: await selected(ability, action, subject) }).toEqual({
            subject,
            action,
            ids: expected,
          });
        }
      // and the rules mean what they should: these rows, for reading the sandbox
      expect(await selected(ability, 'read', 'Sandbox')).toEqual(readable.map((i) => rows[i].id).sort());
    },
  );

  it('leaves stewards (grants of their datasets) and operators (everything) as they were', async () => {
    const steward = factory.createFor(user(['data_steward'], provider));
    expect(await selected(steward, 'read', 'DatasetGrant')).toEqual(
      rows
        .filter((r) => r.providerOrgId === provider)
        .map((r) => r.id)
        .sort(),
    );
    expect(await selected(steward, 'read', 'Sandbox')).toEqual([]);
    const operator = factory.createFor(user(['operator'], other));
    expect(await selected(operator, 'read', 'Sandbox')).toEqual(rows.map((r) => r.id).sort());
    expect(await selected(operator, 'read', 'SandboxExport')).toEqual(rows.map((r) => r.id).sort());
  });
});
