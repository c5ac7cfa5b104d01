import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from '@aihub/identity';
import { ApplicationEntity, BatchEntity, ScenarioEntity } from '@aihub/scenarios';
import { LifecycleStatsContributor } from './contributors/lifecycle-stats.contributor';
import { OrganizationStatsContributor } from './contributors/organization-stats.contributor';
import { StatsController } from './controllers/stats.controller';
import { StatsService } from './services/stats.service';

/**
 * Public platform statistics (`GET /stats`). Counters come from `StatsContributor` providers found
 * anywhere in the app (see stats-contributor.ts and docs/stats.md); this module brings the ones of
 * identity and the scenario lifecycle (and registers their entities, so it works in any composition).
 */
@Module({
  imports: [
    DiscoveryModule,
    TypeOrmModule.forFeature([OrganizationEntity, BatchEntity, ScenarioEntity, ApplicationEntity]),
  ],
  controllers: [StatsController],
  providers: [StatsService, OrganizationStatsContributor, LifecycleStatsContributor],
  exports: [StatsService],
})
export class StatsModule {}
