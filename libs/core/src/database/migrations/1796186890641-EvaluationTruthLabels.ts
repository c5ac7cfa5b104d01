import { MigrationInterface, QueryRunner } from 'typeorm';

export class EvaluationTruthLabels1796186890641 implements MigrationInterface {
  name = 'EvaluationTruthLabels1796186890641';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evaluation_specs" ADD "truth_labels" jsonb`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "evaluation_specs" DROP COLUMN "truth_labels"`);
  }
}
