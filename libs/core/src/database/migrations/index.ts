import type { MigrationInterface } from 'typeorm';
import { QueueOutbox1763900000000 } from './1763900000000-QueueOutbox';
import { IdentityAndAudit1795430724136 } from './1795430724136-IdentityAndAudit';
import { Notifications1795432253593 } from './1795432253593-Notifications';
import { AuditLedger1795432871523 } from './1795432871523-AuditLedger';
import { AuditEventDetailsJcs1796185769559 } from './1796185769559-AuditEventDetailsJcs';
import { Lifecycle1795433089694 } from './1795433089694-Lifecycle';
import { Datasets1796183973023 } from './1796183973023-Datasets';
import { Evaluation1796184301108 } from './1796184301108-Evaluation';
import { EvaluationTruthLabels1796186890641 } from './1796186890641-EvaluationTruthLabels';
import { SandboxesGrantsRunsExports1796184540954 } from './1796184540954-SandboxesGrantsRunsExports';
import { Review1796184795296 } from './1796184795296-Review';
import { SandboxConsortium1796195796874 } from './1796195796874-SandboxConsortium';

/**
 * Every migration, in order. Generated with `npm run migration:generate -- Name`, reviewed, then
 * listed here (explicit imports keep the list usable from compiled code, Jest and the CLI alike).
 */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  QueueOutbox1763900000000,
  IdentityAndAudit1795430724136,
  Notifications1795432253593,
  AuditLedger1795432871523,
  Lifecycle1795433089694,
  Datasets1796183973023,
  Evaluation1796184301108,
  SandboxesGrantsRunsExports1796184540954,
  Review1796184795296,
  AuditEventDetailsJcs1796185769559,
  EvaluationTruthLabels1796186890641,
  SandboxConsortium1796195796874,
];
