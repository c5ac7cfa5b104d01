import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// relative imports: Jest's global setup does not apply moduleNameMapper
import { loadConfig } from '../../libs/core/src/config/app-config';
import { ensureDatabase } from '../../libs/core/src/database/database-admin';
import { runMigrations } from '../../libs/core/src/database/migrate';

/**
 * One database, one Redis prefix and one data folder per test run, so runs never see each other
 * (nor a developer's running platform). Workers inherit these variables.
 */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), `aihub-test-${runId}-`));
  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: `postgres://aihub_test:aihub_dev_only@127.0.0.1:5432/aihub_test_${runId}`,
    REDIS_PREFIX: `aihub_test_${runId}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    S3_BUCKET_PREFIX: `t${runId.replace(/_/g, '-')}`.toLowerCase(),
    AIHUB_TEST_RUN_ID: runId,
  });
  const config = loadConfig();
  await ensureDatabase(config.database.adminUrl, config.database.url);
  await runMigrations(config.database);
}
