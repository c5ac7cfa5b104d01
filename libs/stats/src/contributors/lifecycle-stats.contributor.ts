import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ApplicationEntity,
  BatchEntity,
  DOMAIN_CODES,
  PUBLIC_SCENARIO_STATES,
  ScenarioEntity,
  TECH_FIELD_CODES,
} from '@aihub/scenarios';
import { StatsContributor, StatsContributorProvider, StatsCounters } from '../stats-contributor';

const zeros = (codes: readonly string[]): Record<string, number> =>
  Object.fromEntries(codes.map((c) => [c, 0]));

/**
 * The 揭榜挂帅 lifecycle's counters: published batches, public scenarios by domain and tech field
 * (one GROUP BY over the status index), selected applications and their distinct lead organizations.
 */
@StatsContributorProvider()
@Injectable()
export class LifecycleStatsContributor implements StatsContributor {
  readonly provides = [
    'batches',
    'scenarios',
    'scenariosByDomain',
    'scenariosByTechField',
    'awardees',
    'selectedApplications',
  ] as const;

  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    const [batches, groups, awards] = await Promise.all([
      manager.getRepository(BatchEntity).countBy({ status: 'published' }),
      manager
        .getRepository(ScenarioEntity)
        .createQueryBuilder('s')
        .select('s.domain', 'domain')
        .addSelect('s.tech_field', 'techField')
        .addSelect('count(*)::int', 'n')
        .where('s.status = ANY(:states)', { states: [...PUBLIC_SCENARIO_STATES] })
        .groupBy('s.domain')
        .addGroupBy('s.tech_field')
        .getRawMany<{ domain: string; techField: string; n: number }>(),
      manager
        .getRepository(ApplicationEntity)
        .createQueryBuilder('a')
        .select('count(*)::int', 'selected')
        .addSelect('count(DISTINCT a.applicant_org_id)::int', 'organizations')
        .where(`a.status = 'selected'`)
        .getRawOne<{ selected: number; organizations: number }>(),
    ]);
    const byDomain = zeros(DOMAIN_CODES);
    const byTechField = zeros(TECH_FIELD_CODES);
    let total = 0;
    for (const g of groups) {
      total += g.n;
      byDomain[g.domain] = (byDomain[g.domain] ?? 0) + g.n;
      byTechField[g.techField] = (byTechField[g.techField] ?? 0) + g.n;
    }
    return {
      batches,
      scenarios: total,
      scenariosByDomain: byDomain,
      scenariosByTechField: byTechField,
      awardees: awards?.organizations ?? 0,
      selectedApplications: awards?.selected ?? 0,
    };
  }
}
