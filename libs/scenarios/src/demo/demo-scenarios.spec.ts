import { scenarioRuleErrors } from '../lifecycle/scenario-rules';
import { DOMAIN_CODES, LAYER_CODES, TECH_FIELD_CODES } from '../vocabularies';
import { DEMO_APPLICATIONS } from './demo-applications';
import { DEMO_BATCHES, DEMO_SCENARIOS } from './demo-scenarios';
import { demoWindow } from './demo-seed.service';

describe('demo content', () => {
  it('has 38 distinct scenarios in three batches, across the six core domains and all tech fields', () => {
    expect(DEMO_BATCHES.map((b) => b.title)).toEqual(['第一期需求清单', '第二期需求清单', '第三期需求清单']);
    expect(DEMO_SCENARIOS).toHaveLength(38);
    expect(new Set(DEMO_SCENARIOS.map((s) => s.title)).size).toBe(38);
    expect(new Set(DEMO_SCENARIOS.map((s) => s.batch))).toEqual(new Set([1, 2, 3]));
    const domains = new Set(DEMO_SCENARIOS.map((s) => s.domain));
    for (const d of [
      'city_appearance',
      'government_services',
      'elderly_care',
      'public_safety',
      'health',
      'epidemic_prevention',
    ])
      expect(domains).toContain(d);
    expect(new Set(DEMO_SCENARIOS.map((s) => s.techField))).toEqual(new Set(TECH_FIELD_CODES));
    expect(new Set(DEMO_SCENARIOS.map((s) => s.layer))).toEqual(new Set(LAYER_CODES));
    for (const s of DEMO_SCENARIOS) expect(DOMAIN_CODES).toContain(s.domain);
  });

  it('writes Chinese text: a one-line summary and a description of 2–4 sentences with figures', () => {
    for (const s of DEMO_SCENARIOS) {
      expect(s.title).toMatch(/\p{Script=Han}/u);
      expect(s.summary).toMatch(/。$/);
      const sentences = s.description.split('。').filter(Boolean);
      expect({ title: s.title, sentences: sentences.length >= 2 && sentences.length <= 4 }).toEqual({
        title: s.title,
        sentences: true,
      });
      expect(s.description).toMatch(/\d/);
    }
  });

  it('satisfies the scenario rules with the windows it gets relative to now', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    for (const [i, s] of DEMO_SCENARIOS.entries()) {
      const batch = DEMO_BATCHES.find((b) => b.number === s.batch)!;
      const w = demoWindow(s, i, new Date(now.getTime() - batch.publishedDaysAgo * 86_400_000), now);
      expect(
        scenarioRuleErrors({ ...s, applicationOpensAt: w.opensAt, applicationClosesAt: w.closesAt }),
      ).toEqual([]);
      if (s.window === 'closed') expect(w.closesAt.getTime()).toBeLessThan(now.getTime());
      if (s.window === 'open') expect(w.opensAt < now && w.closesAt > now).toBe(true);
      if (s.window === 'upcoming') expect(w.opensAt.getTime()).toBeGreaterThan(now.getTime());
    }
    expect(DEMO_SCENARIOS.filter((s) => s.stage === 'publicity')).toHaveLength(1);
    expect(DEMO_SCENARIOS.filter((s) => s.stage === 'awarded')).toHaveLength(1);
  });

  it('plans applications for existing scenarios, within the default cap of 3 per company and batch', () => {
    const byTitle = new Map(DEMO_SCENARIOS.map((s) => [s.title, s]));
    const perCompanyBatch = new Map<string, number>();
    for (const a of DEMO_APPLICATIONS) {
      const s = byTitle.get(a.scenario);
      expect({ scenario: a.scenario, known: !!s }).toEqual({ scenario: a.scenario, known: true });
      if (s!.window === 'upcoming') throw new Error(`${a.scenario}: cannot apply before the window opens`);
      const key = `${a.company}:${s!.batch}`;
      perCompanyBatch.set(key, (perCompanyBatch.get(key) ?? 0) + 1);
    }
    expect(Math.max(...perCompanyBatch.values())).toBeLessThanOrEqual(3);
    expect(new Set(DEMO_APPLICATIONS.map((a) => a.target))).toEqual(
      new Set([
        'draft',
        'submitted',
        'returned',
        'formal_passed',
        'rejected',
        'withdrawn',
        'proposed',
        'selected',
        'not_selected',
      ]),
    );
  });
});
