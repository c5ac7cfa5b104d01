import { MigrationInterface, QueryRunner } from 'typeorm';

export class Review1796184795296 implements MigrationInterface {
  name = 'Review1796184795296';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "experts" ("id" uuid NOT NULL, "affiliation_org_id" uuid NOT NULL, "expertise" text array NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8ecb9ec7e8b977b177fde797e6a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_experts_affiliation_org_id" ON "experts"  ("affiliation_org_id") `,
    );
    await queryRunner.query(`CREATE INDEX "idx_experts_created_at_id" ON "experts"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE TABLE "panel_members" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "panel_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "position" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_02b94bfd5935db3ae179578b686" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_panel_members_expert_id" ON "panel_members"  ("expert_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_members_panel_expert" ON "panel_members"  ("panel_id", "expert_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "panel_recusals" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "panel_id" uuid NOT NULL, "subject_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "kind" text NOT NULL, "reason" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_093ff67830f7b22a8223000028f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_panel_recusals_panel_id" ON "panel_recusals"  ("panel_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_recusals_subject_expert" ON "panel_recusals"  ("subject_id", "expert_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "panel_scores" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "panel_id" uuid NOT NULL, "round" integer NOT NULL, "subject_id" uuid NOT NULL, "expert_id" uuid NOT NULL, "scores" jsonb NOT NULL, "total" numeric(9,4) NOT NULL, "comment" text, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_bc867d63ee1212f3d391a1c7d12" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_scores_round_subject_expert" ON "panel_scores"  ("panel_id", "round", "subject_id", "expert_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "panel_results" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "panel_id" uuid NOT NULL, "round" integer NOT NULL, "subject_id" uuid NOT NULL, "aggregate" double precision, "rank" integer, "expert_totals" jsonb NOT NULL, "recused_expert_ids" uuid array NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_018bbc56c75c74e845c1c9de2cb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_results_round_subject" ON "panel_results"  ("panel_id", "round", "subject_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "panel_subjects" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "panel_id" uuid NOT NULL, "application_id" uuid NOT NULL, "organization_ids" uuid array NOT NULL, "submission_id" uuid, "code" text NOT NULL, "position" integer NOT NULL, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_34d2cba3f71ccaa6318961eec65" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_subjects_panel_code" ON "panel_subjects"  ("panel_id", "code") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_panel_subjects_panel_application" ON "panel_subjects"  ("panel_id", "application_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "scenario_results" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "panel_id" uuid NOT NULL, "panel_round" integer NOT NULL, "status" text NOT NULL DEFAULT 'publicity', "weights" jsonb NOT NULL, "metric" text, "items" jsonb NOT NULL, "publicity_id" uuid, "published_at" TIMESTAMP(3) WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b8314e163d35a8d53dd4db11625" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_scenario_results_live" ON "scenario_results"  ("scenario_id") WHERE "status" <> 'failed'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_scenario_results_scenario_created" ON "scenario_results"  ("scenario_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "panels" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "scenario_id" uuid NOT NULL, "issuer_org_id" uuid NOT NULL, "stage" text NOT NULL, "blind" boolean NOT NULL DEFAULT true, "rubric" jsonb NOT NULL, "aggregation" text NOT NULL, "status" text NOT NULL DEFAULT 'open', "round" integer NOT NULL DEFAULT '1', "shortlist_size" integer, "closed_at" TIMESTAMP(3) WITH TIME ZONE, "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_28351db7a5287474802f65f837b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_panels_issuer_org_id" ON "panels"  ("issuer_org_id") `);
    await queryRunner.query(`CREATE INDEX "idx_panels_created_at_id" ON "panels"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_panels_scenario_created" ON "panels"  ("scenario_id", "created_at", "id") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "panels"`);
    await queryRunner.query(`DROP TABLE "scenario_results"`);
    await queryRunner.query(`DROP TABLE "panel_subjects"`);
    await queryRunner.query(`DROP TABLE "panel_results"`);
    await queryRunner.query(`DROP TABLE "panel_scores"`);
    await queryRunner.query(`DROP TABLE "panel_recusals"`);
    await queryRunner.query(`DROP TABLE "panel_members"`);
    await queryRunner.query(`DROP TABLE "experts"`);
  }
}
