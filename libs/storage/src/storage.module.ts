import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { connectToObjectStorage, MINIO_CONNECTION } from './adapters/minio-connection';
import { MinioObjectStorage } from './adapters/minio-object-storage.adapter';
import { EmbeddedS3Emulator } from './emulator/embedded-s3-emulator.service';
import { OBJECT_STORAGE } from './ports/object-storage.port';

/**
 * Object storage for every lib: inject `OBJECT_STORAGE` (the {@link ObjectStorage} port). Needs the
 * global `APP_CONFIG` from `ConfigModule.forRoot()`. Without S3_ENDPOINT it starts the embedded
 * emulator; buckets are created at boot; everything is closed by `app.close()`.
 */
@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        EmbeddedS3Emulator,
        {
          provide: MINIO_CONNECTION,
          inject: [APP_CONFIG, EmbeddedS3Emulator],
          useFactory: (config: AppConfig, emulator: EmbeddedS3Emulator) =>
            connectToObjectStorage(config, emulator),
        },
        MinioObjectStorage,
        { provide: OBJECT_STORAGE, useExisting: MinioObjectStorage },
      ],
      exports: [OBJECT_STORAGE],
    };
  }
}
