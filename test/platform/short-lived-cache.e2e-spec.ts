import type Redis from 'ioredis';
import { REDIS, redisKey, ShortLivedCache } from '@aihub/core';
import { createTestApp, TestApp, uniqueSuffix } from '../utils/test-app';

describe('ShortLivedCache (e2e, real Redis)', () => {
  let t: TestApp;
  let cache: ShortLivedCache;
  let redis: Redis;

  beforeAll(async () => {
    t = await createTestApp();
    cache = t.get(ShortLivedCache);
    redis = t.get<Redis>(REDIS);
  });
  afterAll(() => t.close());

  it('shares one answer through Redis for the ttl', async () => {
    const parts = ['test', uniqueSuffix()];
    let computed = 0;
    const compute = async () => ({ n: ++computed });
    expect(await cache.get(parts, 30, compute)).toEqual({ n: 1 });
    expect(await cache.get(parts, 30, compute)).toEqual({ n: 1 });
    expect(await redis.ttl(redisKey(t.config, 'cache', ...parts))).toBeGreaterThan(25);
    await redis.del(redisKey(t.config, 'cache', ...parts));
    // without memoryFirst, deleting the shared copy is seen at once
    expect(await cache.get(parts, 30, compute)).toEqual({ n: 2 });
  });

  it('with memoryFirst answers from the process for at most a second, then from Redis again', async () => {
    const parts = ['test', uniqueSuffix()];
    let computed = 0;
    const compute = async () => ({ n: ++computed });
    expect(await cache.get(parts, 30, compute, { memoryFirst: true })).toEqual({ n: 1 });
    const storedBy = Date.now(); // the local copy was taken before this instant
    await redis.del(redisKey(t.config, 'cache', ...parts));
    // the local copy still answers right after the shared one is gone…
    expect(await cache.get(parts, 30, compute, { memoryFirst: true })).toEqual({ n: 1 });
    // …but never for a call that starts a second after it was taken (polled, with a deadline)
    let value = { n: 1 };
    let lastStaleCallAt = storedBy;
    while (value.n === 1 && Date.now() - storedBy < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      const callAt = Date.now();
      value = await cache.get(parts, 30, compute, { memoryFirst: true });
      if (value.n === 1) lastStaleCallAt = callAt;
    }
    expect(value).toEqual({ n: 2 });
    expect(lastStaleCallAt - storedBy).toBeLessThan(1000);
  });

  it('computes every time when the ttl is 0', async () => {
    let computed = 0;
    const compute = async () => ++computed;
    await cache.get(['test', uniqueSuffix()], 0, compute, { memoryFirst: true });
    await cache.get(['test', uniqueSuffix()], 0, compute, { memoryFirst: true });
    expect(computed).toBe(2);
  });
});
