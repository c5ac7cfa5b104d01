import { MigrationInterface, QueryRunner } from 'typeorm';

export class Evaluation1796184301108 implements MigrationInterface {
  name = 'Evaluation1796184301108';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "evaluation_phases" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "name" text NOT NULL, "starts_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "mode" text NOT NULL, "metric" text NOT NULL, "metric_params" jsonb, "daily_limit" integer NOT NULL, "total_limit" integer, "max_file_mb" integer NOT NULL, "public_fraction" double precision NOT NULL, "open" boolean NOT NULL DEFAULT false, "command" jsonb, "code_limits" jsonb, "inputs_key" text, "split_secret" text NOT NULL, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "results_published_at" TIMESTAMP(3) WITH TIME ZONE, "position" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba76738bb970cfc24cb7faa4502" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_evaluation_phases_scenario_id" ON "evaluation_phases"  ("scenario_id", "starts_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "evaluation_specs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "id_column" text NOT NULL DEFAULT 'id', "target_column" text, "ground_truth_key" text, "ground_truth_sha256" text, "ground_truth_size_bytes" bigint, "ground_truth_rows" integer, "ground_truth_uploaded_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0a5cdbf9a747a8ebecb3591e988" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_evaluation_specs_scenario_id" ON "evaluation_specs"  ("scenario_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "submissions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "phase_id" uuid NOT NULL, "scenario_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "submitted_by" uuid NOT NULL, "status" text NOT NULL DEFAULT 'queued', "file_name" text NOT NULL, "storage_key" text NOT NULL, "sha256" text NOT NULL, "size_bytes" bigint NOT NULL, "idempotency_key" text, "quota_day" date NOT NULL, "public_score" double precision, "private_score" double precision, "error" jsonb, "selected_final" boolean NOT NULL DEFAULT false, "attempts" integer NOT NULL DEFAULT '0', "scored_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10b3be95b8b2fb1e482e07d706b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_submissions_idempotency" ON "submissions"  ("organization_id", "phase_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_submissions_phase_status" ON "submissions"  ("phase_id", "status") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_submissions_phase_org_created" ON "submissions"  ("phase_id", "organization_id", "created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "submissions"`);
    await queryRunner.query(`DROP TABLE "evaluation_specs"`);
    await queryRunner.query(`DROP TABLE "evaluation_phases"`);
  }
}
