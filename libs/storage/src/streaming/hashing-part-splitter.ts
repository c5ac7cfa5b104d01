import { createHash, Hash } from 'node:crypto';
import { PayloadTooLargeError } from '@aihub/core';

/** One part of a body, numbered from 1 (S3 part numbers). */
export interface BodyPart {
  partNumber: number;
  data: Buffer;
  /** True for the final part; a body that ends on a part boundary has a full-size last part. */
  isLast: boolean;
}

/**
 * Cuts a byte stream into parts of exactly `partSizeBytes` (the last one shorter), computing the
 * SHA-256 and the size on the way and failing as soon as the size passes `maxBytes`.
 *
 * Memory: one part being filled plus one finished part the consumer holds, so a consumer that uploads
 * part N while this fills part N+1 keeps at most two parts alive. Each part is a fresh buffer that the
 * splitter never touches again once yielded.
 *
 * A finished full part is only yielded once the next chunk (or the end) has arrived, so `isLast` is
 * always right and a body of exactly one part can still be sent as a single PUT.
 */
export class HashingPartSplitter {
  private readonly hash: Hash = createHash('sha256');
  private bytesRead = 0;
  private finished = false;

  constructor(
    private readonly partSizeBytes: number,
    private readonly maxBytes: number = Number.MAX_SAFE_INTEGER,
  ) {
    if (!Number.isSafeInteger(partSizeBytes) || partSizeBytes < 1) {
      throw new RangeError(`partSizeBytes must be a positive integer, got ${partSizeBytes}`);
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`);
    }
  }

  /** Bytes consumed so far (the total once the split is done). */
  get sizeBytes(): number {
    return this.bytesRead;
  }

  /** Hex SHA-256 of the whole body; only available after the last part was yielded. */
  get sha256(): string {
    if (!this.finished) throw new Error('The body has not been read to the end yet');
    return this.digest;
  }

  private digest = '';

  /**
   * Yields the parts of `source`; always at least one (an empty body gives one empty last part).
   * Ending the iteration early (break / throw in the consumer) destroys a Node stream source.
   */
  async *split(source: AsyncIterable<Buffer | string | Uint8Array>): AsyncGenerator<BodyPart> {
    if (this.finished || this.bytesRead > 0) throw new Error('A HashingPartSplitter splits one body only');
    let partNumber = 1;
    let filling: Buffer | undefined;
    let filled = 0;
    let fullPart: Buffer | undefined;

    for await (const raw of source) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
      if (chunk.length === 0) continue;
      this.bytesRead += chunk.length;
      if (this.bytesRead > this.maxBytes) throw new PayloadTooLargeError(this.maxBytes);
      this.hash.update(chunk);

      let offset = 0;
      while (offset < chunk.length) {
        if (fullPart) {
          // more bytes arrived, so the held part is not the last one
          yield { partNumber: partNumber++, data: fullPart, isLast: false };
          fullPart = undefined;
        }
        // allocated lazily so a body that ends on a boundary never allocates an extra part
        filling ??= Buffer.allocUnsafe(this.partSizeBytes);
        const take = Math.min(this.partSizeBytes - filled, chunk.length - offset);
        filling.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === this.partSizeBytes) {
          fullPart = filling;
          filling = undefined;
          filled = 0;
        }
      }
    }

    this.digest = this.hash.digest('hex');
    this.finished = true;
    const lastData = fullPart ?? (filling ? filling.subarray(0, filled) : Buffer.alloc(0));
    yield { partNumber, data: lastData, isLast: true };
  }
}

/** Hex SHA-256 and size of a stream, without keeping it (for reading objects back). */
export async function hashStream(
  source: AsyncIterable<Buffer | string | Uint8Array>,
): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    hash.update(chunk);
    sizeBytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}
