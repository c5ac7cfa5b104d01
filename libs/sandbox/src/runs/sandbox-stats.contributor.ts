import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StatsContributor, StatsContributorProvider, StatsCounters } from '@aihub/stats/stats-contributor';
import { SandboxRunEntity } from './sandbox-run.entity';

/** `sandboxRuns` of GET /stats: every run submitted to a sandbox, whatever its outcome. */
@StatsContributorProvider()
@Injectable()
export class SandboxStatsContributor implements StatsContributor {
  readonly provides = ['sandboxRuns'] as const;

  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    return { sandboxRuns: await manager.getRepository(SandboxRunEntity).count() };
  }
}
