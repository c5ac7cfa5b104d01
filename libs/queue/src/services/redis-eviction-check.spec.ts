import type { LoggerService } from '@nestjs/common';
import { loadConfig } from '@aihub/core';
import Redis from 'ioredis';
import { readEvictionPolicy, type RedisConfigReader, warnUnlessNoEviction } from './redis-eviction-check';

const recordingLogger = () => {
  const warnings: string[] = [];
  const logger: LoggerService = {
    log: () => undefined,
    error: () => undefined,
    warn: (m: string) => warnings.push(m),
  };
  return { logger, warnings };
};

/** A Redis whose CONFIG and INFO answer as a managed service might. */
const redisAnswering = (config: () => Promise<unknown>, info: () => Promise<string>): RedisConfigReader => ({
  config,
  info,
});

describe('Redis eviction policy check', () => {
  it('reads the policy of the real Redis', async () => {
    const redis = new Redis(loadConfig().redis.url, { maxRetriesPerRequest: 1 });
    try {
      expect(await readEvictionPolicy(redis)).toMatch(/^[a-z-]+$/);
    } finally {
      await redis.quit();
    }
  });

  it('stays quiet for noeviction', async () => {
    const { logger, warnings } = recordingLogger();
    await warnUnlessNoEviction(
      redisAnswering(
        async () => ['maxmemory-policy', 'noeviction'],
        async () => '',
      ),
      logger,
    );
    expect(warnings).toEqual([]);
  });

  it('warns for an evicting policy', async () => {
    const { logger, warnings } = recordingLogger();
    await warnUnlessNoEviction(
      redisAnswering(
        async () => ['maxmemory-policy', 'allkeys-lru'],
        async () => '',
      ),
      logger,
    );
    expect(warnings).toEqual([expect.stringContaining('"allkeys-lru"')]);
  });

  it('falls back to INFO when CONFIG is disabled, and warns when neither answers', async () => {
    const disabled = async () => {
      throw new Error("ERR unknown command 'CONFIG'");
    };
    expect(
      await readEvictionPolicy(
        redisAnswering(disabled, async () => '# Memory\r\nmaxmemory_policy:volatile-lru\r\n'),
      ),
    ).toBe('volatile-lru');

    const { logger, warnings } = recordingLogger();
    await warnUnlessNoEviction(
      redisAnswering(disabled, async () => {
        throw new Error('NOPERM');
      }),
      logger,
    );
    expect(warnings).toEqual([expect.stringContaining('Could not read')]);
  });
});
