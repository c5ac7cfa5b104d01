import { MigrationInterface, QueryRunner } from 'typeorm';

export class SandboxesGrantsRunsExports1796184540954 implements MigrationInterface {
  name = 'SandboxesGrantsRunsExports1796184540954';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "sandbox_export_decisions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "export_id" uuid NOT NULL, "review_id" uuid NOT NULL, "decider_id" uuid NOT NULL, "approve" boolean NOT NULL, "reason" text NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5544b27db0570112bbd8060d96d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_export_decisions_review_id" ON "sandbox_export_decisions"  ("review_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_export_decisions_decider" ON "sandbox_export_decisions"  ("export_id", "decider_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_export_reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "export_id" uuid NOT NULL, "provider_org_id" uuid, "grade" text NOT NULL, "required_approvals" integer NOT NULL, "status" text NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_sandbox_export_reviews_provider" UNIQUE ("export_id", "provider_org_id"), CONSTRAINT "PK_5bdc58c9d24192baa1cf4e35885" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_export_reviews_export_id" ON "sandbox_export_reviews"  ("export_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_export_reviews_provider_org_id" ON "sandbox_export_reviews"  ("provider_org_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_exports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "run_id" uuid NOT NULL, "sandbox_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "files" jsonb NOT NULL, "justification" text NOT NULL, "status" text NOT NULL DEFAULT 'checking', "checks" jsonb NOT NULL DEFAULT '[]', "idempotency_key" text, "requested_by" uuid, "released_key" text, "decided_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2ebceed4bf0c5c7436645760344" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_sandbox_exports_run_id" ON "sandbox_exports"  ("run_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_exports_organization_id" ON "sandbox_exports"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_exports_created_at_id" ON "sandbox_exports"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_exports_idempotency" ON "sandbox_exports"  ("run_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_grants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sandbox_id" uuid NOT NULL, "sandbox_org_id" uuid NOT NULL, "dataset_id" uuid NOT NULL, "dataset_version_id" uuid NOT NULL, "dataset_name" text NOT NULL, "grade" text NOT NULL, "provider_org_id" uuid NOT NULL, "view" text NOT NULL, "status" text NOT NULL DEFAULT 'requested', "salt" bytea, "fingerprint_key" text, "fingerprint_count" integer, "requested_by" uuid, "decided_by" uuid, "approved_at" TIMESTAMP(3) WITH TIME ZONE, "ended_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f7e3f37b6332e08276c49b467c0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_grants_sandbox_id" ON "sandbox_grants"  ("sandbox_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_grants_provider_org_id" ON "sandbox_grants"  ("provider_org_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_grants_created_at_id" ON "sandbox_grants"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_grants_live" ON "sandbox_grants"  ("sandbox_id", "dataset_version_id", "view") WHERE "status" IN ('requested', 'active')`,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_runs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sandbox_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "command" jsonb NOT NULL, "status" text NOT NULL DEFAULT 'queued', "idempotency_key" text, "bundle_key" text NOT NULL, "bundle_sha256" text NOT NULL, "bundle_size_bytes" bigint NOT NULL, "exit_code" integer, "reason" text, "notes" jsonb NOT NULL DEFAULT '[]', "started_at" TIMESTAMP(3) WITH TIME ZONE, "finished_at" TIMESTAMP(3) WITH TIME ZONE, "cpu_seconds" double precision, "max_memory_mb" double precision, "wall_seconds" double precision, "outputs" jsonb NOT NULL DEFAULT '[]', "mounts" jsonb NOT NULL DEFAULT '[]', "log_bytes" integer NOT NULL DEFAULT '0', "log_truncated" boolean NOT NULL DEFAULT false, "redacted_lines" integer NOT NULL DEFAULT '0', "cancel_requested_at" TIMESTAMP(3) WITH TIME ZONE, "requested_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f76f3cbad10146e1efc0a3dde9c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_runs_organization_id" ON "sandbox_runs"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_runs_sandbox_created" ON "sandbox_runs"  ("sandbox_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_runs_idempotency" ON "sandbox_runs"  ("sandbox_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_extensions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "sandbox_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "days" integer NOT NULL, "reason" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "requested_by" uuid, "decided_by" uuid, "decision_reason" text, "decided_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_25c9fc7220bc7ee6f1ef37c757f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_extensions_sandbox_id" ON "sandbox_extensions"  ("sandbox_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_extensions_pending" ON "sandbox_extensions"  ("sandbox_id") WHERE "status" = 'pending'`,
    );
    await queryRunner.query(
      `CREATE TABLE "sandboxes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "application_id" uuid, "provision_request_id" uuid, "status" text NOT NULL DEFAULT 'active', "cpus" double precision NOT NULL, "memory_mb" integer NOT NULL, "disk_mb" integer NOT NULL, "run_timeout_seconds" integer NOT NULL, "expires_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "suspended_reason" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_460f16cb8e40f3832bb990c74f2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_sandboxes_scenario_id" ON "sandboxes"  ("scenario_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_sandboxes_organization_id" ON "sandboxes"  ("organization_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandboxes_application_id" ON "sandboxes"  ("application_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandboxes_status_expires_at" ON "sandboxes"  ("status", "expires_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandboxes_created_at_id" ON "sandboxes"  ("created_at", "id") `,
    );
    // sandbox.provision: the award writes sandbox_provision_requests in the publicity's closing
    // transaction; this trigger adds the job that consumes the row in that same transaction (the outbox
    // row of SandboxProvisionJob: queue sandbox, job id sandbox.provision/<request id>), so a sandbox
    // exists moments after the award without the scenarios lib knowing about sandboxes.
    await queryRunner.query(`
      CREATE FUNCTION sandbox_provision_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO outbox (queue, job_name, job_id, payload, job_options, delay_ms)
        VALUES ('sandbox', 'sandbox.provision', 'sandbox.provision/' || NEW.id::text,
                jsonb_build_object('requestId', NEW.id::text),
                '{"attempts":5,"backoff":{"type":"exponential","delay":2000}}'::jsonb, 0);
        RETURN NEW;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER trg_sandbox_provision_enqueue AFTER INSERT ON sandbox_provision_requests
      FOR EACH ROW WHEN (NEW.status = 'pending') EXECUTE FUNCTION sandbox_provision_enqueue()`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `DROP TRIGGER IF EXISTS trg_sandbox_provision_enqueue ON sandbox_provision_requests`,
    );
    await queryRunner.query(`DROP FUNCTION IF EXISTS sandbox_provision_enqueue()`);
    await queryRunner.query(`DROP TABLE "sandboxes"`);
    await queryRunner.query(`DROP TABLE "sandbox_extensions"`);
    await queryRunner.query(`DROP TABLE "sandbox_runs"`);
    await queryRunner.query(`DROP TABLE "sandbox_grants"`);
    await queryRunner.query(`DROP TABLE "sandbox_exports"`);
    await queryRunner.query(`DROP TABLE "sandbox_export_reviews"`);
    await queryRunner.query(`DROP TABLE "sandbox_export_decisions"`);
  }
}
