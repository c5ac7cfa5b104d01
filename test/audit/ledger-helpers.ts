import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '@aihub/audit';

/** What a client holding only the API's JSON computes: SHA-256(0x00 || JCS(item without leafHash)). */
export function leafHashOfItem(item: Record<string, unknown>): string {
  const { leafHash: _leafHash, ...event } = item;
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(canonicalJson(event), 'utf8')
    .digest('hex');
}

export interface CheckpointJson {
  treeSize: number;
  rootHash: string;
  at: string;
  signature: string;
  publicKey: string;
}

/** Ed25519 over "aihub-audit-checkpoint/v1\n<treeSize>\n<rootHash>\n<at>\n", with the raw key it names. */
export function checkpointSignatureValid(c: CheckpointJson): boolean {
  const spki = Buffer.concat([
    Buffer.from('302a300506032b6570032100', 'hex'),
    Buffer.from(c.publicKey, 'base64'),
  ]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const message = Buffer.from(`aihub-audit-checkpoint/v1\n${c.treeSize}\n${c.rootHash}\n${c.at}\n`, 'utf8');
  return verify(null, message, key, Buffer.from(c.signature, 'base64'));
}

export const unhex = (h: string): Buffer => Buffer.from(h, 'hex');

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
