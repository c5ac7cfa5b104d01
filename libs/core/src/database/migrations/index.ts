import type { MigrationInterface } from 'typeorm';

/**
 * Every migration, in order. Generated with `npm run migration:generate -- Name`, reviewed, then
 * listed here (explicit imports keep the list usable from compiled code, Jest and the CLI alike).
 */
export const MIGRATIONS: (new () => MigrationInterface)[] = [];
