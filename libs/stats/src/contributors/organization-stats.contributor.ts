import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OrganizationEntity } from '@aihub/identity';
import { StatsContributor, StatsContributorProvider, StatsCounters } from '../stats-contributor';

/** Identity's counter. Organizations are few (hundreds), so a count over the table is cheap. */
@StatsContributorProvider()
@Injectable()
export class OrganizationStatsContributor implements StatsContributor {
  readonly provides = ['enterprises'] as const;

  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    const enterprises = await manager.getRepository(OrganizationEntity).countBy({ type: 'enterprise' });
    return { enterprises };
  }
}
