import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * libs/queue: the transactional outbox, exactly-once effect keys and the pipeline probe.
 * Tables and indexes as generated from the entities; the NOTIFY trigger is hand-written (TypeORM does not
 * model triggers): one notification per inserting statement, delivered by PostgreSQL at commit, so the
 * relay wakes up only for committed jobs.
 */
export class QueueOutbox1763900000000 implements MigrationInterface {
  name = 'QueueOutbox1763900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "outbox" ("id" BIGSERIAL NOT NULL, "queue" text NOT NULL, "job_name" text NOT NULL, "job_id" text NOT NULL, "payload" jsonb NOT NULL, "job_options" jsonb NOT NULL, "delay_ms" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "dispatched_at" TIMESTAMP WITH TIME ZONE, "failed_attempts" integer NOT NULL DEFAULT '0', "last_error" text, CONSTRAINT "PK_340ab539f309f03bdaa14aa7649" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_outbox_job" ON "outbox" ("queue", "job_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_outbox_dispatched_at" ON "outbox" ("dispatched_at") WHERE "dispatched_at" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_outbox_pending" ON "outbox" ("id") WHERE "dispatched_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "processed_jobs" ("job_key" text NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a113a3d407290929529641e5d41" PRIMARY KEY ("job_key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "system_probes" ("id" uuid NOT NULL, "requested_by" uuid, "duration_ms" integer NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "completions" integer NOT NULL DEFAULT '0', "requested_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, "completed_by" text, CONSTRAINT "PK_2b7b6cd114134f1caf9e9c590ac" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_system_probes_requested_at" ON "system_probes" ("requested_at") `,
    );
    await queryRunner.query(
      `CREATE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('aihub_outbox', '');
         RETURN NULL;
       END
       $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox" FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "outbox_notify" ON "outbox"`);
    await queryRunner.query(`DROP FUNCTION "outbox_notify"()`);
    await queryRunner.query(`DROP INDEX "public"."idx_system_probes_requested_at"`);
    await queryRunner.query(`DROP TABLE "system_probes"`);
    await queryRunner.query(`DROP TABLE "processed_jobs"`);
    await queryRunner.query(`DROP INDEX "public"."idx_outbox_pending"`);
    await queryRunner.query(`DROP INDEX "public"."idx_outbox_dispatched_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_outbox_job"`);
    await queryRunner.query(`DROP TABLE "outbox"`);
  }
}
