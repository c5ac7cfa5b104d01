import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, Clock, ShortLivedCache } from '@aihub/core';
import type { StatsView } from '../dto/stats.dto';
import {
  EMPTY_COUNTERS,
  StatsContributor,
  StatsContributorConflictError,
  StatsContributorProvider,
  StatsCounterKey,
  StatsCounters,
} from '../stats-contributor';

/** Checks the contributors claim disjoint counters; exported for unit tests. */
export function assertDisjoint(contributors: { name: string; provides: readonly StatsCounterKey[] }[]): void {
  const owner = new Map<StatsCounterKey, string>();
  for (const c of contributors) {
    for (const key of c.provides) {
      if (!(key in EMPTY_COUNTERS))
        throw new StatsContributorConflictError(`${c.name} provides unknown ${key}`);
      const other = owner.get(key);
      if (other) throw new StatsContributorConflictError(`${key} is provided by both ${other} and ${c.name}`);
      owner.set(key, c.name);
    }
  }
}

/** Merges contributions over the empty counters, keeping only what each contributor declared. */
export function mergeCounters(
  parts: { provides: readonly StatsCounterKey[]; values: Partial<StatsCounters> }[],
): StatsCounters {
  const counters: StatsCounters = { ...EMPTY_COUNTERS };
  for (const part of parts) {
    for (const key of part.provides) {
      const value = part.values[key];
      if (value !== undefined) (counters as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return counters;
}

export const toStatsView = (c: StatsCounters, generatedAt: Date): StatsView => ({
  batches: c.batches,
  scenarios: { total: c.scenarios, byDomain: c.scenariosByDomain, byTechField: c.scenariosByTechField },
  enterprises: c.enterprises,
  awardees: c.awardees,
  selectedApplications: c.selectedApplications,
  datasets: c.datasets,
  datasetRows: c.datasetRows,
  sandboxRuns: c.sandboxRuns,
  submissions: c.submissions,
  generatedAt: generatedAt.toISOString(),
});

/**
 * `GET /stats`: asks every registered contributor (in parallel, each a few aggregate queries), merges,
 * and keeps the answer in Redis for `STATS_CACHE_SECONDS`. A Redis failure only costs the cache.
 */
@Injectable()
export class StatsService implements OnModuleInit {
  private readonly logger = new Logger(StatsService.name);
  private contributors: StatsContributor[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cache: ShortLivedCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const found = this.discovery
      .getProviders({ metadataKey: StatsContributorProvider.KEY })
      .map((w) => w.instance as StatsContributor | undefined)
      .filter((c): c is StatsContributor => !!c);
    const unique = [...new Set(found)];
    assertDisjoint(unique.map((c) => ({ name: c.constructor.name, provides: c.provides })));
    this.contributors = unique;
    this.logger.log(
      `stats contributors: ${unique.map((c) => `${c.constructor.name}(${c.provides.join(', ')})`).join('; ')}`,
    );
  }

  /** the counter keys some contributor provides (the rest read 0) */
  get providedCounters(): StatsCounterKey[] {
    return this.contributors.flatMap((c) => [...c.provides]);
  }

  get(): Promise<StatsView> {
    return this.cache.get(['stats', 'v1'], this.config.stats.cacheSeconds, () => this.compute());
  }

  async compute(): Promise<StatsView> {
    const generatedAt = this.clock.now();
    const parts = await Promise.all(
      this.contributors.map(async (c) => ({
        provides: c.provides,
        values: await c.contribute(this.dataSource.manager),
      })),
    );
    return toStatsView(mergeCounters(parts), generatedAt);
  }
}
