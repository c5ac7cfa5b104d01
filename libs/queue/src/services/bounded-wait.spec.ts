import { setTimeout as sleep } from 'node:timers/promises';
import { settlesWithin } from './bounded-wait';

describe('settlesWithin', () => {
  it('is true for work that settles in time, failed or not, and for no work', async () => {
    expect(await settlesWithin(sleep(5), 1_000)).toBe(true);
    expect(await settlesWithin(Promise.reject(new Error('failed')), 1_000)).toBe(true);
    expect(await settlesWithin(undefined, 1)).toBe(true);
  });

  it('is false for work still running at the deadline', async () => {
    const started = Date.now();
    expect(await settlesWithin(new Promise(() => undefined), 50)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
