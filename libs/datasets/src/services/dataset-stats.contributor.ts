import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StatsContributor, StatsContributorProvider, StatsCounters } from '@aihub/stats/stats-contributor';
import { DatasetEntity } from '../entities/dataset.entity';

/** `datasets` (registered datasets) and `datasetRows` (Σ rowCount of each dataset's latest version). */
@StatsContributorProvider()
@Injectable()
export class DatasetStatsContributor implements StatsContributor {
  readonly provides = ['datasets', 'datasetRows'] as const;

  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    const row = await manager
      .getRepository(DatasetEntity)
      .createQueryBuilder('d')
      .leftJoin('dataset_versions', 'v', 'v.dataset_id = d.id AND v.version = d.latest_version')
      .select('COUNT(d.id)', 'datasets')
      .addSelect('COALESCE(SUM(v.row_count), 0)', 'rows')
      .getRawOne<{ datasets: string; rows: string }>();
    return { datasets: Number(row?.datasets ?? 0), datasetRows: Number(row?.rows ?? 0) };
  }
}
