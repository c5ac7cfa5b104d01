import type { EntityManager } from 'typeorm';

/**
 * Claims the effect of one job, inside the caller's transaction: true the first time a key is claimed,
 * false forever after (once that transaction commits). Handlers apply their effect only when it returns
 * true, in the same transaction, so a redelivered job (worker crash, lock lost) has no second effect.
 * A concurrent claim of the same key waits for the first transaction and then gets false.
 *
 * Keys are `<job name>:<business id>`, e.g. `system.probe:<probe id>`.
 */
export async function claimOnce(manager: EntityManager, key: string): Promise<boolean> {
  if (!manager.queryRunner?.isTransactionActive) {
    // without a transaction the claim would commit on its own and the effect could still be lost
    throw new Error('claimOnce must run inside the transaction that applies the job effect.');
  }
  const claimed: unknown[] = await manager.query(
    'INSERT INTO processed_jobs (job_key) VALUES ($1) ON CONFLICT (job_key) DO NOTHING RETURNING job_key',
    [key],
  );
  return claimed.length === 1;
}
