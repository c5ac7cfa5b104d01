import { MigrationInterface, QueryRunner } from 'typeorm';

export class Datasets1796183973023 implements MigrationInterface {
  name = 'Datasets1796183973023';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "datasets" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" text NOT NULL, "description" text NOT NULL DEFAULT '', "grade" text NOT NULL, "open_attribute" text NOT NULL, "fields" jsonb NOT NULL, "organization_id" uuid NOT NULL, "created_by" uuid, "latest_version" integer NOT NULL DEFAULT '0', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1bf831e43c559a240303e23d038" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_datasets_created_at_id" ON "datasets"  ("created_at", "id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_datasets_organization_name" ON "datasets"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "dataset_versions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "dataset_id" uuid NOT NULL, "version" integer NOT NULL, "kind" text NOT NULL, "archive_format" text, "sha256" character(64) NOT NULL, "size_bytes" bigint NOT NULL, "row_count" bigint NOT NULL, "columns" text array NOT NULL DEFAULT '{}', "storage_key" text NOT NULL, "file_name" text NOT NULL, "status" text NOT NULL DEFAULT 'available', "created_by" uuid, "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2335c164f3df47dabfe7d0fc6e5" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_dataset_versions_dataset_version" ON "dataset_versions"  ("dataset_id", "version") `,
    );
    await queryRunner.query(
      `CREATE TABLE "dataset_fingerprints" ("version_id" uuid NOT NULL, "storage_key" text NOT NULL, "sha256" character(64) NOT NULL, "size" bigint NOT NULL, "direct_columns" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP(3) WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_5d41574ee7a03561a4187446388" PRIMARY KEY ("version_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "datasets" ADD CONSTRAINT "FK_565fe9f8a8f63ae600634c2acbd" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "dataset_versions" ADD CONSTRAINT "FK_59250594d45b0202fdc42d55ecc" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "dataset_fingerprints" ADD CONSTRAINT "FK_5d41574ee7a03561a4187446388" FOREIGN KEY ("version_id") REFERENCES "dataset_versions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "dataset_fingerprints" DROP CONSTRAINT "FK_5d41574ee7a03561a4187446388"`,
    );
    await queryRunner.query(
      `ALTER TABLE "dataset_versions" DROP CONSTRAINT "FK_59250594d45b0202fdc42d55ecc"`,
    );
    await queryRunner.query(`ALTER TABLE "datasets" DROP CONSTRAINT "FK_565fe9f8a8f63ae600634c2acbd"`);
    await queryRunner.query(`DROP TABLE "dataset_fingerprints"`);
    await queryRunner.query(`DROP TABLE "dataset_versions"`);
    await queryRunner.query(`DROP TABLE "datasets"`);
  }
}
