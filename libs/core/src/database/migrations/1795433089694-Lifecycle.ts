import { MigrationInterface, QueryRunner } from 'typeorm';

export class Lifecycle1795433089694 implements MigrationInterface {
  name = 'Lifecycle1795433089694';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "batches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "number" integer NOT NULL, "title" text NOT NULL, "status" text NOT NULL DEFAULT 'draft', "published_at" TIMESTAMP(3) WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_55e7ff646e969b61d37eea5be7a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "uq_batches_number" ON "batches"  ("number") `);
    await queryRunner.query(
      `CREATE TABLE "scenarios" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" text NOT NULL, "summary" text NOT NULL, "description" text NOT NULL, "domain" text NOT NULL, "tech_field" text NOT NULL, "layer" text NOT NULL, "award_mode" text NOT NULL, "max_awardees" integer NOT NULL, "application_opens_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "application_closes_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "sandbox_days" integer NOT NULL DEFAULT '90', "dataset_ids" uuid array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'draft', "issuer_org_id" uuid NOT NULL, "created_by" uuid, "batch_id" uuid, "return_reason" text, "submitted_at" TIMESTAMP(3) WITH TIME ZONE, "published_at" TIMESTAMP(3) WITH TIME ZONE, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a2af4912aab626639cca306b987" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_scenarios_issuer_org_id" ON "scenarios"  ("issuer_org_id") `);
    await queryRunner.query(`CREATE INDEX "idx_scenarios_batch_id" ON "scenarios"  ("batch_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_scenarios_status_closes_at" ON "scenarios"  ("status", "application_closes_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_scenarios_created_at_id" ON "scenarios"  ("created_at", "id") `,
    );
    // hand-written: catalog search `q` (ILIKE '%…%' on title/summary) through trigram GIN indexes. pg_trgm
    // is a trusted extension (the database owner may create it); setup creates it too. Trigrams need >= 3
    // characters of the pattern: shorter queries still answer correctly, by scanning the filtered rows.
    // Chinese text gets trigrams when the database's LC_CTYPE is a UTF-8 locale (C.UTF-8, zh_CN.UTF-8 …).
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX "idx_scenarios_title_trgm" ON "scenarios" USING gin ("title" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_scenarios_summary_trgm" ON "scenarios" USING gin ("summary" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE TABLE "applications" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "applicant_org_id" uuid NOT NULL, "issuer_org_id" uuid NOT NULL, "batch_id" uuid NOT NULL, "proposal" text NOT NULL, "consortium_org_ids" uuid array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'draft', "created_by" uuid, "submitted_at" TIMESTAMP(3) WITH TIME ZONE, "last_submitted_at" TIMESTAMP(3) WITH TIME ZONE, "formal_check_decision" text, "formal_check_reason" text, "formal_checked_at" TIMESTAMP(3) WITH TIME ZONE, "formal_checked_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_938c0a27255637bde919591888f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_applications_scenario_id" ON "applications"  ("scenario_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_applications_issuer_org_id" ON "applications"  ("issuer_org_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_applications_created_at_id" ON "applications"  ("created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_applications_applicant_batch" ON "applications"  ("applicant_org_id", "batch_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_applications_scenario_applicant" ON "applications"  ("scenario_id", "applicant_org_id") WHERE "status" <> 'withdrawn'`,
    );
    await queryRunner.query(
      `CREATE TABLE "application_attachments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "file_name" text NOT NULL, "kind" text NOT NULL, "content_type" text NOT NULL, "size_bytes" bigint NOT NULL, "sha256" character(64) NOT NULL, "storage_key" text NOT NULL, "uploaded_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_55686e36ab264ea9f11fa7f08d1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_application_attachments_application_created" ON "application_attachments"  ("application_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "publicities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "kind" text NOT NULL, "status" text NOT NULL DEFAULT 'open', "outcome" text, "subjects" jsonb NOT NULL DEFAULT '[]', "starts_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_e1b7d35068a3c94abe81b9bcadc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_publicities_scenario_id" ON "publicities"  ("scenario_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_publicities_open_scenario_kind" ON "publicities"  ("scenario_id", "kind") WHERE "status" = 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_publicities_starts_at_id" ON "publicities"  ("starts_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_publicities_status_ends_at" ON "publicities"  ("status", "ends_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "objections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "publicity_id" uuid NOT NULL, "objector_id" uuid NOT NULL, "objector_org_id" uuid NOT NULL, "reason" text NOT NULL, "status" text NOT NULL DEFAULT 'pending', "resolution" text, "resolved_by" uuid, "resolved_at" TIMESTAMP(3) WITH TIME ZONE, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6bb81f77d9eabef4f46e9c0934f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_objections_objector_id" ON "objections"  ("objector_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_objections_publicity_created" ON "objections"  ("publicity_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sandbox_provision_requests" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "application_id" uuid NOT NULL, "scenario_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "consortium_org_ids" uuid array NOT NULL DEFAULT '{}', "publicity_id" uuid NOT NULL, "sandbox_days" integer NOT NULL, "dataset_ids" uuid array NOT NULL DEFAULT '{}', "status" text NOT NULL DEFAULT 'pending', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f04a7a0c8a7780eaffe0a08407c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_sandbox_provision_requests_application" ON "sandbox_provision_requests"  ("application_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_provision_requests_scenario_id" ON "sandbox_provision_requests"  ("scenario_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_sandbox_provision_requests_status_created" ON "sandbox_provision_requests"  ("status", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "scenarios" ADD CONSTRAINT "FK_bc03471682ed4b9e6379acab904" FOREIGN KEY ("issuer_org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "scenarios" ADD CONSTRAINT "FK_78d98331b99c728e2df8edf27e7" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "applications" ADD CONSTRAINT "FK_6fa56024ca38b4cecbc2122d5e0" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "applications" ADD CONSTRAINT "FK_a64aa1aaf8eadf13d0bd373b0e4" FOREIGN KEY ("applicant_org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "application_attachments" ADD CONSTRAINT "FK_b950de2119dd0bc7150a14c85bf" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "publicities" ADD CONSTRAINT "FK_ad92a2f89af0fddae6decf411f8" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "objections" ADD CONSTRAINT "FK_fbb39ddabf35e6339a6a8fc5783" FOREIGN KEY ("publicity_id") REFERENCES "publicities"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "objections" ADD CONSTRAINT "FK_6b6776a4a4240b3dfb0665a49ab" FOREIGN KEY ("objector_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sandbox_provision_requests" ADD CONSTRAINT "FK_3bebed57ad2fe7d06df42301c81" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "sandbox_provision_requests" DROP CONSTRAINT "FK_3bebed57ad2fe7d06df42301c81"`,
    );
    await queryRunner.query(`ALTER TABLE "objections" DROP CONSTRAINT "FK_6b6776a4a4240b3dfb0665a49ab"`);
    await queryRunner.query(`ALTER TABLE "objections" DROP CONSTRAINT "FK_fbb39ddabf35e6339a6a8fc5783"`);
    await queryRunner.query(`ALTER TABLE "publicities" DROP CONSTRAINT "FK_ad92a2f89af0fddae6decf411f8"`);
    await queryRunner.query(
      `ALTER TABLE "application_attachments" DROP CONSTRAINT "FK_b950de2119dd0bc7150a14c85bf"`,
    );
    await queryRunner.query(`ALTER TABLE "applications" DROP CONSTRAINT "FK_a64aa1aaf8eadf13d0bd373b0e4"`);
    await queryRunner.query(`ALTER TABLE "applications" DROP CONSTRAINT "FK_6fa56024ca38b4cecbc2122d5e0"`);
    await queryRunner.query(`ALTER TABLE "scenarios" DROP CONSTRAINT "FK_78d98331b99c728e2df8edf27e7"`);
    await queryRunner.query(`ALTER TABLE "scenarios" DROP CONSTRAINT "FK_bc03471682ed4b9e6379acab904"`);
    await queryRunner.query(`DROP TABLE "sandbox_provision_requests"`);
    await queryRunner.query(`DROP TABLE "objections"`);
    await queryRunner.query(`DROP TABLE "publicities"`);
    await queryRunner.query(`DROP TABLE "application_attachments"`);
    await queryRunner.query(`DROP TABLE "applications"`);
    await queryRunner.query(`DROP TABLE "scenarios"`);
    await queryRunner.query(`DROP TABLE "batches"`);
  }
}
