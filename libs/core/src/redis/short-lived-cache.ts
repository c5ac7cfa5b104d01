import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/app-config';
import { SerializedJson } from '../http/serialized-json';
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
  private readonly inFlight = new Map<string, Promise<string>>();
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
    return this.cached(keyParts, ttlSeconds, compute, opts, 'value', (text) => JSON.parse(text) as T);
  }

  /**
   * Like `get`, but the answer stays in its serialized form (what Redis holds), ready to be sent as an
   * HTTP body: no JSON.parse on a Redis hit and no JSON.stringify or ETag hashing per request.
   */
  async getSerialized(
    keyParts: string[],
    ttlSeconds: number,
    compute: () => Promise<unknown>,
    opts: { memoryFirst?: boolean } = {},
  ): Promise<SerializedJson> {
    if (ttlSeconds <= 0) return SerializedJson.of(await compute());
    return this.cached(keyParts, ttlSeconds, compute, opts, 'serialized', (text) => new SerializedJson(text));
  }

  private async cached<T>(
    keyParts: string[],
    ttlSeconds: number,
    compute: () => Promise<unknown>,
    opts: { memoryFirst?: boolean },
    form: 'value' | 'serialized',
    decode: (text: string) => T,
  ): Promise<T> {
    const key = redisKey(this.config, 'cache', ...keyParts);
    // process-local copies are keyed by form too: `get` and `getSerialized` of one key never mix
    const localKey = `${key}\u0000${form}`;
    if (opts.memoryFirst) {
      const hit = this.local.get(localKey);
      if (hit && hit.until > Date.now()) return hit.value as T;
    }
    const value = decode(await this.fetch(key, ttlSeconds, compute));
    if (opts.memoryFirst) this.remember(localKey, value, Math.min(ttlSeconds * 1000, LOCAL_MAX_MS));
    return value;
  }

  private remember(key: string, value: unknown, ms: number): void {
    this.local.delete(key);
    this.local.set(key, { value, until: Date.now() + ms });
    // insertion order is age order: drop the oldest beyond the bound
    while (this.local.size > LOCAL_MAX_ENTRIES) this.local.delete(this.local.keys().next().value as string);
  }

  /** The serialized answer: from Redis, else computed once per key at a time and stored. */
  private async fetch(key: string, ttlSeconds: number, compute: () => Promise<unknown>): Promise<string> {
    try {
      const cached = await this.redis.get(key);
      if (cached !== null) return cached;
    } catch (err) {
      this.logger.warn({ err, key }, 'cache unavailable; computing');
    }
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = compute()
        .then((value) => JSON.stringify(value))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const text = await pending;
    await this.redis.set(key, text, 'EX', ttlSeconds).catch((err: unknown) => {
      this.logger.warn({ err, key }, 'could not cache');
    });
    return text;
  }
}
