import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig, REDIS, redisKey } from '@aihub/core';
import { TooManyLoginAttemptsError } from '../identity.errors';

/**
 * Fixed-window counters in Redis: failed logins per account, and all attempts per client IP.
 * Shared by every api replica.
 */
@Injectable()
export class LoginRateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private accountKey = (email: string) => redisKey(this.config, 'login', 'fail', email);
  private ipKey = (ip: string) => redisKey(this.config, 'login', 'ip', ip);

  /** Counts this attempt against the IP and refuses when the IP or the account is over its limit. */
  async admit(email: string, ip: string, ipLimit = this.config.auth.loginMaxAttemptsPerIp): Promise<void> {
    const window = this.config.auth.loginWindowSeconds;
    const [[, ipCount], [, ipTtl], [, failures], [, failTtl]] = (await this.redis
      .multi()
      .incr(this.ipKey(ip))
      .ttl(this.ipKey(ip))
      .get(this.accountKey(email))
      .ttl(this.accountKey(email))
      .exec()) as [Error | null, number | string | null][];
    if (Number(ipTtl) < 0) await this.redis.expire(this.ipKey(ip), window);
    if (Number(ipCount) > ipLimit)
      throw new TooManyLoginAttemptsError(Math.max(1, Number(ipTtl) > 0 ? Number(ipTtl) : window));
    if (Number(failures ?? 0) >= this.config.auth.loginMaxFailuresPerAccount) {
      throw new TooManyLoginAttemptsError(Math.max(1, Number(failTtl) > 0 ? Number(failTtl) : window));
    }
  }

  async recordFailure(email: string): Promise<void> {
    const key = this.accountKey(email);
    const count = await this.redis.incr(key);
    if (count === 1) await this.redis.expire(key, this.config.auth.loginWindowSeconds);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.redis.del(this.accountKey(email));
  }
}
