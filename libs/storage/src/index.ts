export * from './buckets';
export * from './storage.errors';
export * from './storage.module';
export * from './ports/object-storage.port';
export * from './keys/object-key';
export * from './streaming/hashing-part-splitter';
export { MinioObjectStorage } from './adapters/minio-object-storage.adapter';
export { EmbeddedS3Emulator } from './emulator/embedded-s3-emulator.service';
export * from './streaming/multipart';
