import type { MigrationInterface } from 'typeorm';
import { QueueOutbox1763900000000 } from './1763900000000-QueueOutbox';
import { IdentityAndAudit1795430724136 } from './1795430724136-IdentityAndAudit';

/**
 * Every migration, in order. Generated with `npm run migration:generate -- Name`, reviewed, then
 * listed here (explicit imports keep the list usable from compiled code, Jest and the CLI alike).
 */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  QueueOutbox1763900000000,
  IdentityAndAudit1795430724136,
];
