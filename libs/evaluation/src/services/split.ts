import { createHash, hash, randomBytes } from 'node:crypto';

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
  const hmac = hmacSha256(Buffer.from(secret, 'hex'));
  return (id: string) => {
    const u = hmac(Buffer.from(id, 'utf8')).readUInt32BE(0) / 0x1_0000_0000;
    return u < publicFraction ? 'public' : 'private';
  };
}

const SHA256_BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) with the padded keys prepared once and one-shot hashing per message: the same
 * bytes as `createHmac`, about three times faster on short ids (scoring splits every row of a file).
 */
export function hmacSha256(key: Buffer): (message: Buffer) => Buffer {
  const block = Buffer.alloc(SHA256_BLOCK);
  (key.length > SHA256_BLOCK ? createHash('sha256').update(key).digest() : key).copy(block);
  const inner = Buffer.from(block.map((b) => b ^ 0x36));
  const outer = Buffer.from(block.map((b) => b ^ 0x5c));
  return (message: Buffer) =>
    hash(
      'sha256',
      Buffer.concat([outer, hash('sha256', Buffer.concat([inner, message]), 'buffer')]),
      'buffer',
    );
}
