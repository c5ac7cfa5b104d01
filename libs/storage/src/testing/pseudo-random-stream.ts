import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';

const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * A deterministic stream of `totalBytes` pseudo-random bytes (AES-128-CTR keystream keyed by `seed`),
 * generated on the fly: only one chunk exists at a time, so tests and benchmarks can push gigabytes
 * without holding them. Same seed and size -> same bytes, on every machine.
 */
export function pseudoRandomStream(
  totalBytes: number,
  seed = 'aihub',
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Readable {
  if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) throw new RangeError('totalBytes must be >= 0');
  const keyAndIv = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', keyAndIv.subarray(0, 16), keyAndIv.subarray(16, 32));
  const zeros = Buffer.alloc(chunkBytes);
  let remaining = totalBytes;
  return new Readable({
    highWaterMark: chunkBytes,
    read() {
      if (remaining === 0) {
        this.push(null);
        return;
      }
      const size = Math.min(chunkBytes, remaining);
      remaining -= size;
      this.push(cipher.update(size === chunkBytes ? zeros : zeros.subarray(0, size)));
    },
  });
}

/** The bytes of {@link pseudoRandomStream}, for small sizes where holding them is fine. */
export async function pseudoRandomBytes(totalBytes: number, seed = 'aihub'): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of pseudoRandomStream(totalBytes, seed)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
