import type { LoggerService } from '@nestjs/common';

/** The part of an ioredis client the check needs. */
export interface RedisConfigReader {
  config(subcommand: 'GET', parameter: string): Promise<unknown>;
  info(section: string): Promise<string>;
}

/**
 * Reads Redis' `maxmemory-policy`. Anything but `noeviction` lets Redis drop queued jobs under memory
 * pressure, so it is worth a warning. Managed Redis often disables CONFIG: then INFO is asked instead,
 * and if both fail the policy is reported as unknown.
 */
export async function readEvictionPolicy(redis: RedisConfigReader): Promise<string | undefined> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch {
    // CONFIG disabled or renamed: fall through to INFO
  }
  try {
    const info = await redis.info('memory');
    return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  } catch {
    return undefined;
  }
}

export async function warnUnlessNoEviction(redis: RedisConfigReader, logger: LoggerService): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy === undefined) {
    logger.warn(
      'Could not read the Redis maxmemory-policy; it must be "noeviction" or queued jobs may be lost.',
    );
  } else if (policy !== 'noeviction') {
    logger.warn(`Redis maxmemory-policy is "${policy}"; it must be "noeviction" or queued jobs may be lost.`);
  }
}
