import { createHmac, randomBytes } from 'node:crypto';

/** A fresh per-phase secret for the public/private split (hex, 32 bytes). */
export const newSplitSecret = (): string => randomBytes(32).toString('hex');

/**
 * The public/private split: HMAC-SHA256(secret, id), first 4 bytes as an unsigned integer / 2^32 compared with
 * `publicFraction`. Deterministic per phase (the same id is always on the same side, whatever the submission)
 * and, without the secret, not inferable from the ids.
 */
export function splitPartitioner(
  secret: string,
  publicFraction: number,
): (id: string) => 'public' | 'private' {
  const key = Buffer.from(secret, 'hex');
  return (id: string) => {
    const u = createHmac('sha256', key).update(id, 'utf8').digest().readUInt32BE(0) / 0x1_0000_0000;
    return u < publicFraction ? 'public' : 'private';
  };
}
