import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consortium members share their awardee's sandbox: the member organizations besides the lead on the
 * sandbox and, copied, on everything under it (access rules are column conditions). Existing rows are
 * filled from the award's provision request, or the application for sandboxes provisioned by hand.
 */
export class SandboxConsortium1796195796874 implements MigrationInterface {
  name = 'SandboxConsortium1796195796874';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sandbox_grants" ADD "consortium_org_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "sandbox_runs" ADD "consortium_org_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "sandbox_extensions" ADD "consortium_org_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "sandbox_exports" ADD "consortium_org_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `ALTER TABLE "sandboxes" ADD "consortium_org_ids" uuid array NOT NULL DEFAULT '{}'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_grants_consortium_org_ids" ON "sandbox_grants" USING gin ("consortium_org_ids") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_exports_consortium_org_ids" ON "sandbox_exports" USING gin ("consortium_org_ids") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandboxes_consortium_org_ids" ON "sandboxes" USING gin ("consortium_org_ids") `,
    );
    await queryRunner.query(
      `UPDATE "sandboxes" s SET "consortium_org_ids" = COALESCE(r."consortium_org_ids", a."consortium_org_ids")
         FROM "applications" a LEFT JOIN "sandbox_provision_requests" r ON r."application_id" = a."id"
        WHERE a."id" = s."application_id" AND cardinality(COALESCE(r."consortium_org_ids", a."consortium_org_ids")) > 0`,
    );
    for (const table of ['sandbox_grants', 'sandbox_runs', 'sandbox_extensions', 'sandbox_exports'])
      await queryRunner.query(
        `UPDATE "${table}" d SET "consortium_org_ids" = s."consortium_org_ids" FROM "sandboxes" s
          WHERE s."id" = d."sandbox_id" AND cardinality(s."consortium_org_ids") > 0`,
      );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."idx_sandboxes_consortium_org_ids"`);
    await queryRunner.query(`DROP INDEX "public"."idx_sandbox_exports_consortium_org_ids"`);
    await queryRunner.query(`DROP INDEX "public"."idx_sandbox_grants_consortium_org_ids"`);
    await queryRunner.query(`ALTER TABLE "sandboxes" DROP COLUMN "consortium_org_ids"`);
    await queryRunner.query(`ALTER TABLE "sandbox_exports" DROP COLUMN "consortium_org_ids"`);
    await queryRunner.query(`ALTER TABLE "sandbox_extensions" DROP COLUMN "consortium_org_ids"`);
    await queryRunner.query(`ALTER TABLE "sandbox_runs" DROP COLUMN "consortium_org_ids"`);
    await queryRunner.query(`ALTER TABLE "sandbox_grants" DROP COLUMN "consortium_org_ids"`);
  }
}
