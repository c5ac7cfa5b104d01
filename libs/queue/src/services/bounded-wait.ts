import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits for `work` at most `timeoutMs`; true if it settled in time. Shutdown uses it so an unreachable
 * Redis or PostgreSQL cannot keep a process from exiting.
 */
export async function settlesWithin(work: Promise<unknown> | undefined, timeoutMs: number): Promise<boolean> {
  if (!work) return true;
  const timer = new AbortController();
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      sleep(timeoutMs, false, { signal: timer.signal }),
    ]);
  } finally {
    timer.abort();
  }
}
