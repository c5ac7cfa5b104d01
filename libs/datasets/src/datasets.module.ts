import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from '@aihub/identity';
import { DatasetsController } from './controllers/datasets.controller';
import { DatasetFingerprintEntity } from './entities/dataset-fingerprint.entity';
import { DatasetVersionEntity } from './entities/dataset-version.entity';
import { DatasetEntity } from './entities/dataset.entity';
import { DatasetAccess } from './services/dataset-access.service';
import { DatasetCatalogService } from './services/dataset-catalog.service';
import { DatasetStatsContributor } from './services/dataset-stats.contributor';
import { DatasetVersionsService } from './services/dataset-versions.service';
import { DatasetsService } from './services/datasets.service';
import { FingerprintService } from './services/fingerprint.service';
import { MaterializationService } from './services/materialization.service';

export const DATASET_ENTITIES = [DatasetEntity, DatasetVersionEntity, DatasetFingerprintEntity];

const SERVICES = [
  DatasetAccess,
  DatasetsService,
  DatasetVersionsService,
  DatasetCatalogService,
  MaterializationService,
  FingerprintService,
];

/**
 * The dataset registry (metadata API), versions streamed into private storage, derived views and the
 * local materialization cache, row fingerprints. Needs AuditModule and StorageModule (global). The
 * worker imports it for materialization (its controller is inert there).
 */
@Module({
  imports: [TypeOrmModule.forFeature([...DATASET_ENTITIES, OrganizationEntity])],
  controllers: [DatasetsController],
  providers: [...SERVICES, DatasetStatsContributor],
  exports: SERVICES,
})
export class DatasetsModule {}
