import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  StatsContributor,
  StatsContributorProvider,
  type StatsCounters,
} from '@aihub/stats/stats-contributor';

/** `GET /stats` submissions: every submission received (any state). */
@StatsContributorProvider()
@Injectable()
export class SubmissionStatsContributor implements StatsContributor {
  readonly provides = ['submissions'] as const;

  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    const [row]: { n: string }[] = await manager.query('SELECT count(*) AS n FROM submissions');
    return { submissions: Number(row.n) };
  }
}
