import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * libs/audit: `details` also as RFC 8785 canonical text, written by AuditService.record and shown and
 * hashed by the ledger, so that verification can rebuild every event's hashed JSON inside PostgreSQL
 * (docs/audit-ledger.md); a CHECK keeps it the same JSON as `details`. Events recorded before stay null
 * (the table is append-only) and are shown and hashed from `details` as before.
 */
export class AuditEventDetailsJcs1796185769559 implements MigrationInterface {
  name = 'AuditEventDetailsJcs1796185769559';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" ADD "details_jcs" text`);
    await queryRunner.query(
      `ALTER TABLE "audit_events" ADD CONSTRAINT "ck_audit_events_details_jcs" CHECK ("details_jcs" IS NULL OR "details_jcs"::jsonb = "details")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_events" DROP CONSTRAINT "ck_audit_events_details_jcs"`);
    await queryRunner.query(`ALTER TABLE "audit_events" DROP COLUMN "details_jcs"`);
  }
}
