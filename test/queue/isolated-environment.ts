import {
  type AppConfig,
  dropDatabase,
  ensureDatabase,
  loadConfig,
  parseDatabaseUrl,
  runMigrations,
} from '@aihub/core';

export interface IsolatedEnvironment {
  /** environment for this suite, and for the child processes it starts */
  env: Record<string, string>;
  config: AppConfig;
  dispose(): Promise<void>;
}

/**
 * A database and Redis prefix of this suite's own, derived from the run's: other suites start api apps
 * whose outbox relays (and maybe workers) would otherwise take this suite's outbox rows and jobs.
 * The Redis keys start with the run's prefix, so the global teardown removes them.
 */
export async function createIsolatedEnvironment(
  name: string,
  overrides: Record<string, string> = {},
): Promise<IsolatedEnvironment> {
  const base = loadConfig();
  const url = new URL(base.database.url);
  url.pathname = `${url.pathname}_${name}`;
  const env: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >),
    DATABASE_URL: url.toString(),
    REDIS_PREFIX: `${base.redis.prefix}_${name}`,
    ...overrides,
  };
  const config = loadConfig(env);
  await ensureDatabase(config.database.adminUrl, config.database.url);
  await runMigrations(config.database);
  return {
    env,
    config,
    dispose: () => dropDatabase(config.database.adminUrl, parseDatabaseUrl(config.database.url).database),
  };
}
