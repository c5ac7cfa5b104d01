import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetFingerprintEntity } from './entities/dataset-fingerprint.entity';
import { DatasetVersionEntity } from './entities/dataset-version.entity';
import { DatasetEntity } from './entities/dataset.entity';

export const DATASET_ENTITIES = [DatasetEntity, DatasetVersionEntity, DatasetFingerprintEntity];

@Module({
  imports: [TypeOrmModule.forFeature(DATASET_ENTITIES)],
})
export class DatasetsModule {}
