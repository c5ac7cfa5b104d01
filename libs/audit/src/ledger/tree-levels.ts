import { hash } from 'node:crypto';
import { HASH_BYTES, nodeHash } from './merkle';

/**
 * Bulk RFC 9162 tree hashing over packed hashes (32 bytes each, position order), for verification of a
 * whole ledger: a level of complete subtrees is one Buffer, and the level above hashes each adjacent
 * pair of it — no per-node objects, one SHA-256 call per node.
 */

/** The `count` parent hashes of the first 2·count hashes of `children`: SHA-256(0x01 || left || right). */
export function parentLevel(children: Buffer, count: number): Buffer {
  if (children.length < 2 * count * HASH_BYTES) throw new RangeError('not enough children');
  const out = Buffer.allocUnsafe(count * HASH_BYTES);
  const scratch = Buffer.allocUnsafe(1 + 2 * HASH_BYTES);
  scratch[0] = 0x01;
  // a million calls per million leaves, so per-call costs count (measured: ~1 µs -> ~0.4 µs per node):
  // plain loops copy 64 bytes faster than Buffer.copy, and the digest as a 'binary' string (latin1, one
  // char per byte) costs half what a Buffer result does (which allocates an ArrayBuffer per call)
  for (let p = 0; p < count; p++) {
    const from = 2 * p * HASH_BYTES;
    for (let i = 0; i < 2 * HASH_BYTES; i += 4) {
      scratch[i + 1] = children[from + i];
      scratch[i + 2] = children[from + i + 1];
      scratch[i + 3] = children[from + i + 2];
      scratch[i + 4] = children[from + i + 3];
    }
    const digest = hash('sha256', scratch, 'binary');
    const to = p * HASH_BYTES;
    for (let i = 0; i < HASH_BYTES; i++) out[to + i] = digest.charCodeAt(i);
  }
  return out;
}

/**
 * Every level of complete subtrees over `count` packed leaf hashes: levels[0] is the leaves, levels[L]
 * the floor(count / 2^L) hashes of the complete subtrees of 2^L leaves, up to the highest non-empty level.
 */
export function completeLevels(leaves: Buffer, count: number): Buffer[] {
  const levels = [leaves.subarray(0, count * HASH_BYTES)];
  for (let n = Math.floor(count / 2); n > 0; n = Math.floor(n / 2)) {
    levels.push(parentLevel(levels[levels.length - 1], n));
  }
  return levels;
}

/** The hash at `position` of a packed level (a view, not a copy). */
export const hashAt = (level: Buffer, position: number): Buffer =>
  level.subarray(position * HASH_BYTES, (position + 1) * HASH_BYTES);

/**
 * The complete subtrees that make up the first `size` leaves (one per set bit of size, largest first), as
 * [level, position] pairs: the RFC 9162 root of those leaves folds their hashes from the right.
 */
export function prefixParts(size: number): [number, number][] {
  const parts: [number, number][] = [];
  let top = 0;
  while (2 ** (top + 1) <= size) top++;
  let offset = 0;
  for (let level = top; level >= 0; level--) {
    const width = 2 ** level;
    if (size - offset >= width) {
      parts.push([level, offset / width]);
      offset += width;
    }
  }
  return parts;
}

/** Folds subtree hashes (left to right) into the root of their concatenation: h0 · (h1 · (… · hn)). */
export function foldRight(parts: Buffer[]): Buffer {
  let root = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) root = nodeHash(parts[i], root);
  return root;
}
