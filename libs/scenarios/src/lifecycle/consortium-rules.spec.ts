import { consortiumErrors, KnownOrganization } from './consortium-rules';

const LEAD = '00000000-0000-4000-8000-000000000001';
const id = (n: number) => `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;
const known = new Map<string, KnownOrganization>([
  ...[1, 2, 3, 4, 5].map((n) => [id(n), { id: id(n), type: 'enterprise' }] as const),
  [id(50), { id: id(50), type: 'government' }],
  [id(51), { id: id(51), type: 'platform' }],
]);
const members = (...ns: number[]) => ns.map((n) => ({ organizationId: id(n) }));

describe('consortium rules', () => {
  it('accepts no members and up to four distinct enterprises', () => {
    expect(consortiumErrors(LEAD, [], known)).toEqual([]);
    expect(consortiumErrors(LEAD, members(1), known)).toEqual([]);
    expect(consortiumErrors(LEAD, members(1, 2, 3, 4), known)).toEqual([]);
  });

  it('refuses a fifth member', () => {
    expect(consortiumErrors(LEAD, members(1, 2, 3, 4, 5), known)).toEqual([
      { field: 'consortium', message: expect.stringMatching(/at most 4/) },
    ]);
  });

  it('refuses the lead as a member', () => {
    expect(consortiumErrors(LEAD, [{ organizationId: LEAD }], known)).toEqual([
      { field: 'consortium[0].organizationId', message: expect.stringMatching(/lead/) },
    ]);
    // case does not hide it
    expect(consortiumErrors(LEAD, [{ organizationId: LEAD.toUpperCase() }], known)).toHaveLength(1);
  });

  it('refuses duplicates, naming the repeated entry', () => {
    expect(consortiumErrors(LEAD, members(1, 2, 1), known)).toEqual([
      { field: 'consortium[2].organizationId', message: expect.stringMatching(/different/) },
    ]);
  });

  it('refuses unknown organizations and non-enterprises', () => {
    expect(consortiumErrors(LEAD, members(1, 99, 50, 51), known)).toEqual([
      { field: 'consortium[1].organizationId', message: 'no such organization' },
      { field: 'consortium[2].organizationId', message: expect.stringMatching(/enterprises/) },
      { field: 'consortium[3].organizationId', message: expect.stringMatching(/enterprises/) },
    ]);
  });
});
