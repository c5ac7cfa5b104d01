import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The ledger tables, including audit_events (created by IdentityAndAudit). */
const LEDGER_TABLES = ['audit_events', 'audit_ledger_entries', 'audit_tree_nodes', 'audit_checkpoints'];

/**
 * libs/audit: the tamper-evident ledger (docs/audit-ledger.md).
 * Tables as generated from the entities; the rest is hand-written (TypeORM does not model it):
 * - append-only: statement triggers refuse UPDATE, DELETE and TRUNCATE on every ledger table, for every
 *   role including the owner, and the application role's own UPDATE/DELETE/TRUNCATE privileges are
 *   revoked as well. Only a superuser who disables the triggers can change history, and the signed
 *   checkpoints make that detectable (POST /audit/verify, scripts/audit-verify.mjs);
 * - wake-up: a statement trigger on audit_events NOTIFYs the sequencer, but only while it is idle, so
 *   busy periods pay no NOTIFY (NOTIFY serializes committing transactions in PostgreSQL);
 * - the single row of audit_sequencer_state.
 */
export class AuditLedger1795432871523 implements MigrationInterface {
  name = 'AuditLedger1795432871523';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_checkpoints" ("tree_size" bigint NOT NULL, "root_hash" bytea NOT NULL, "at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "signature" bytea NOT NULL, "public_key" bytea NOT NULL, CONSTRAINT "ck_audit_checkpoints_signature" CHECK (octet_length("signature") = 64 AND octet_length("public_key") = 32), CONSTRAINT "ck_audit_checkpoints_shape" CHECK ("tree_size" >= 1 AND octet_length("root_hash") = 32), CONSTRAINT "PK_b0c1fcdd36d0abc4d88dea6f56d" PRIMARY KEY ("tree_size"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_ledger_entries" ("leaf_index" bigint NOT NULL, "event_seq" bigint NOT NULL, "leaf_hash" bytea NOT NULL, "sequenced_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_audit_ledger_entries_leaf_hash" CHECK (octet_length("leaf_hash") = 32), CONSTRAINT "ck_audit_ledger_entries_leaf_index" CHECK ("leaf_index" >= 0), CONSTRAINT "PK_5627939f1bb7001b58cea6c6928" PRIMARY KEY ("leaf_index"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_audit_ledger_entries_event_seq" ON "audit_ledger_entries"  ("event_seq") `,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_sequencer_state" ("id" smallint NOT NULL, "idle" boolean NOT NULL DEFAULT true, "horizon_seq" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_335919f7e5740a9376de8e581d7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "audit_tree_nodes" ("level" smallint NOT NULL, "position" bigint NOT NULL, "hash" bytea NOT NULL, CONSTRAINT "ck_audit_tree_nodes_hash" CHECK (octet_length("hash") = 32), CONSTRAINT "ck_audit_tree_nodes_shape" CHECK ("level" BETWEEN 1 AND 62 AND "position" >= 0), CONSTRAINT "PK_be44053fe4ef725547ec22772be" PRIMARY KEY ("level", "position"))`,
    );
    await queryRunner.query(
      `INSERT INTO "audit_sequencer_state" ("id", "idle", "horizon_seq") VALUES (1, true, 0)`,
    );
    await queryRunner.query(
      `CREATE FUNCTION "audit_ledger_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'audit ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END
       $$`,
    );
    for (const table of LEDGER_TABLES) {
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_ledger_append_only"()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_no_truncate" BEFORE TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION "audit_ledger_append_only"()`,
      );
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM CURRENT_USER`);
    }
    await queryRunner.query(
      `CREATE FUNCTION "audit_events_wake_sequencer"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM "audit_sequencer_state" WHERE "idle") THEN
           PERFORM pg_notify('aihub_audit', '');
         END IF;
         RETURN NULL;
       END
       $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "audit_events_wake_sequencer" AFTER INSERT ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_wake_sequencer"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "audit_events_wake_sequencer" ON "audit_events"`);
    await queryRunner.query(`DROP FUNCTION "audit_events_wake_sequencer"()`);
    for (const table of LEDGER_TABLES) {
      await queryRunner.query(`GRANT UPDATE, DELETE, TRUNCATE ON "${table}" TO CURRENT_USER`);
      await queryRunner.query(`DROP TRIGGER "${table}_no_truncate" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_append_only" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION "audit_ledger_append_only"()`);
    await queryRunner.query(`DROP TABLE "audit_tree_nodes"`);
    await queryRunner.query(`DROP TABLE "audit_sequencer_state"`);
    await queryRunner.query(`DROP TABLE "audit_ledger_entries"`);
    await queryRunner.query(`DROP TABLE "audit_checkpoints"`);
  }
}
