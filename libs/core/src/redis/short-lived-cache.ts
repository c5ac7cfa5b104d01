import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { REDIS, redisKey } from './redis.tokens';

/**
 * Answers shared by every caller (public statistics, the anonymous catalog) kept in Redis for a few
 * seconds. Misses for the same key in one process share one computation; a Redis failure only costs the
 * cache, never the answer.
 */
@Injectable()
export class ShortLivedCache {
  private readonly logger = new Logger(ShortLivedCache.name);
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get<T>(keyParts: string[], ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
    if (ttlSeconds <= 0) return compute();
    const key = redisKey(this.config, 'cache', ...keyParts);
    try {
      const cached = await this.redis.get(key);
      if (cached !== null) return JSON.parse(cached) as T;
    } catch (err) {
      this.logger.warn({ err, key }, 'cache unavailable; computing');
    }
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = compute().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const value = await pending;
    await this.redis.set(key, JSON.stringify(value), 'EX', ttlSeconds).catch((err: unknown) => {
      this.logger.warn({ err, key }, 'could not cache');
    });
    return value;
  }
}
