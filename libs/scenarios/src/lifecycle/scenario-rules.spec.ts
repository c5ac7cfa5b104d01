import { awardeeCountError, scenarioRuleErrors, ScenarioRuleInput } from './scenario-rules';

const base: ScenarioRuleInput = {
  awardMode: 'single',
  maxAwardees: 1,
  applicationOpensAt: new Date('2026-03-01T00:00:00Z'),
  applicationClosesAt: new Date('2026-04-01T00:00:00Z'),
  sandboxDays: 90,
};
const fields = (i: Partial<ScenarioRuleInput>) => scenarioRuleErrors({ ...base, ...i }).map((e) => e.field);

describe('scenario rules', () => {
  it('accepts a valid single and parallel scenario', () => {
    expect(fields({})).toEqual([]);
    for (const n of [2, 3, 4, 5]) expect(fields({ awardMode: 'parallel', maxAwardees: n })).toEqual([]);
  });

  it('needs the window to open before it closes', () => {
    expect(fields({ applicationClosesAt: base.applicationOpensAt })).toEqual(['applicationClosesAt']);
    expect(fields({ applicationClosesAt: new Date('2026-02-01T00:00:00Z') })).toEqual([
      'applicationClosesAt',
    ]);
  });

  it('ties maxAwardees to the award mode', () => {
    expect(fields({ maxAwardees: 2 })).toEqual(['maxAwardees']);
    for (const n of [0, 1, 6])
      expect(fields({ awardMode: 'parallel', maxAwardees: n })).toEqual(['maxAwardees']);
  });

  it('bounds sandboxDays to 1–365', () => {
    expect(fields({ sandboxDays: 1 })).toEqual([]);
    expect(fields({ sandboxDays: 365 })).toEqual([]);
    for (const d of [0, 366, 1.5]) expect(fields({ sandboxDays: d })).toEqual(['sandboxDays']);
  });
});

describe('awardeeCountError', () => {
  it('single takes exactly one', () => {
    expect(awardeeCountError('single', 1, 1)).toBeNull();
    expect(awardeeCountError('single', 1, 2)).toMatch(/exactly one/);
    expect(awardeeCountError('single', 1, 0)).toMatch(/exactly one/);
  });
  it('parallel takes 1..maxAwardees', () => {
    expect(awardeeCountError('parallel', 3, 1)).toBeNull();
    expect(awardeeCountError('parallel', 3, 3)).toBeNull();
    expect(awardeeCountError('parallel', 3, 4)).toMatch(/between 1 and 3/);
  });
});
