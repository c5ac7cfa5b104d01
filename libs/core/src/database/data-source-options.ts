import type { DataSourceOptions } from 'typeorm';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { MIGRATIONS } from './migrations';

export function dataSourceOptions(db: { url: string; poolSize: number; ssl: boolean }): DataSourceOptions {
  return {
    type: 'postgres',
    url: db.url,
    ssl: db.ssl ? { rejectUnauthorized: true } : false,
    namingStrategy: new SnakeNamingStrategy(),
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // extensions are created at setup with the admin role (database-admin.ts); gen_random_uuid() is built in
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: { max: db.poolSize, application_name: 'aihub' },
  };
}
