import { randomBytes } from 'node:crypto';
import { sipHash24, sipKey } from './siphash';

/** A fresh per-phase secret for the public/private split (hex, 32 bytes). */
export const newSplitSecret = (): string => randomBytes(32).toString('hex');

/**
 * The public/private split: SipHash-2-4 keyed with the first 16 bytes of the phase secret over the id's
 * UTF-8 bytes; the high 32 bits / 2^32 are compared with `publicFraction`. Deterministic per phase (the
 * same id is always on the same side, whatever the submission) and, without the secret, not inferable
 * from the ids. SipHash rather than HMAC-SHA256: it runs for every row of every file scored, and an HMAC
 * object per row cost more than the rest of the scoring together.
 */
export function splitPartitioner(
  secret: string,
  publicFraction: number,
): (id: string) => 'public' | 'private' {
  const secretBytes = Buffer.from(secret, 'hex');
  if (secretBytes.length < 16) throw new RangeError('a split secret has at least 16 bytes');
  const key = sipKey(secretBytes.subarray(0, 16));
  let buffer = Buffer.allocUnsafe(256);
  return (id: string) => {
    if (id.length * 3 > buffer.length) buffer = Buffer.allocUnsafe(id.length * 3);
    // ASCII ids (nearly all) are copied byte by byte: cheaper than a call into the UTF-8 encoder per row
    let length = id.length;
    for (let i = 0; i < length; i++) {
      const c = id.charCodeAt(i);
      if (c > 0x7f) {
        length = buffer.write(id, 0, 'utf8');
        break;
      }
      buffer[i] = c;
    }
    const u = sipHash24(key, buffer, length)[0] / 0x1_0000_0000;
    return u < publicFraction ? 'public' : 'private';
  };
}
