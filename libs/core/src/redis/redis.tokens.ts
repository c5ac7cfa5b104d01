import type { AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');

/** Key helper: every key the platform writes carries the instance prefix. */
export const redisKey = (config: AppConfig, ...parts: string[]) => [config.redis.prefix, ...parts].join(':');
