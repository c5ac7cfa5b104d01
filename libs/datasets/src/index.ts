export * from './governance';
export * from './schema/dataset-schema';
export * from './entities/dataset.entity';
export * from './entities/dataset-version.entity';
export * from './entities/dataset-fingerprint.entity';
export * from './datasets.module';
