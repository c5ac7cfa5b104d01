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
const LOCAL_MAX_MS = 1000;
const LOCAL_MAX_ENTRIES = 500;

@Injectable()
export class ShortLivedCache {
  private readonly logger = new Logger(ShortLivedCache.name);
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Process-local copies for `memoryFirst` callers: key → value and when it stops being served. */
  private readonly local = new Map<string, { value: unknown; until: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `memoryFirst`: hot public answers (the anonymous catalog) are also kept in this process for at most
   * one second, sparing the Redis round trip and JSON parse on every request; the staleness bound
   * becomes ttl + 1 s.
   */
  async get<T>(
    keyParts: string[],
    ttlSeconds: number,
    compute: () => Promise<T>,
    opts: { memoryFirst?: boolean } = {},
  ): Promise<T> {
    if (ttlSeconds <= 0) return compute();
    const key = redisKey(this.config, 'cache', ...keyParts);
    if (opts.memoryFirst) {
      const hit = this.local.get(key);
      if (hit && hit.until > Date.now()) return hit.value as T;
    }
    const value = await this.fetch(key, ttlSeconds, compute);
    if (opts.memoryFirst) this.remember(key, value, Math.min(ttlSeconds * 1000, LOCAL_MAX_MS));
    return value;
  }

  private remember(key: string, value: unknown, ms: number): void {
    this.local.delete(key);
    this.local.set(key, { value, until: Date.now() + ms });
    // insertion order is age order: drop the oldest beyond the bound
    while (this.local.size > LOCAL_MAX_ENTRIES) this.local.delete(this.local.keys().next().value as string);
  }

  private async fetch<T>(key: string, ttlSeconds: number, compute: () => Promise<T>): Promise<T> {
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
