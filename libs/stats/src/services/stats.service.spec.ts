import { EMPTY_COUNTERS, StatsContributorConflictError, StatsCounterKey } from '../stats-contributor';
import { assertDisjoint, mergeCounters, toStatsView } from './stats.service';

describe('stats contributor registry', () => {
  it('refuses two contributors claiming the same counter, or an unknown one', () => {
    expect(() =>
      assertDisjoint([
        { name: 'A', provides: ['batches', 'scenarios'] },
        { name: 'B', provides: ['datasets'] },
      ]),
    ).not.toThrow();
    expect(() =>
      assertDisjoint([
        { name: 'A', provides: ['batches'] },
        { name: 'B', provides: ['batches'] },
      ]),
    ).toThrow(new StatsContributorConflictError('batches is provided by both A and B'));
    expect(() => assertDisjoint([{ name: 'C', provides: ['bogus' as StatsCounterKey] }])).toThrow(
      /unknown bogus/,
    );
  });

  it('reads 0 for counters nobody provides and ignores values a contributor did not declare', () => {
    const merged = mergeCounters([
      { provides: ['batches'], values: { batches: 3, submissions: 99 } },
      { provides: ['scenariosByDomain'], values: { scenariosByDomain: { health: 2 } } },
    ]);
    expect(merged).toEqual({ ...EMPTY_COUNTERS, batches: 3, scenariosByDomain: { health: 2 } });
    expect(merged.submissions).toBe(0);
  });

  it('shapes the response', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const view = toStatsView(
      { ...EMPTY_COUNTERS, scenarios: 5, scenariosByTechField: { text_processing: 5 } },
      at,
    );
    expect(view).toEqual({
      batches: 0,
      scenarios: { total: 5, byDomain: {}, byTechField: { text_processing: 5 } },
      enterprises: 0,
      awardees: 0,
      selectedApplications: 0,
      datasets: 0,
      datasetRows: 0,
      sandboxRuns: 0,
      submissions: 0,
      generatedAt: '2026-01-01T00:00:00.000Z',
    });
  });
});
