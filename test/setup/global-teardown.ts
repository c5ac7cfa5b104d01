import { rmSync } from 'node:fs';
import Redis from 'ioredis';
import { loadConfig } from '../../libs/core/src/config/app-config';
import { dropDatabase, parseDatabaseUrl } from '../../libs/core/src/database/database-admin';

export default async function globalTeardown(): Promise<void> {
  const config = loadConfig();
  if (process.env.AIHUB_KEEP_TEST_DB !== '1') {
    await dropDatabase(config.database.adminUrl, parseDatabaseUrl(config.database.url).database);
  }
  const redis = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
  rmSync(config.dataDir, { recursive: true, force: true });
}
