import { createHash, hash } from 'node:crypto';

/**
 * RFC 9162 (RFC 6962) Merkle tree hashing, proofs and verification.
 *
 * Tree sizes and indexes are plain numbers (exact up to 2^53); no 32-bit bit operators are used.
 * A node of the tree over leaves [start, end) is written as a `TreeRange`; a complete, aligned subtree
 * of 2^level leaves starting at leaf `index * 2^level` as a `NodeId` — the unit the ledger stores.
 */
export const HASH_BYTES = 32;

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({d}) = SHA-256(0x00 || d) */
export function leafHash(data: Uint8Array): Buffer {
  // one-shot hashing of a concatenation: about twice as fast as a Hash object for short inputs
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer');
}

/** SHA-256(0x01 || left || right) */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

export interface TreeRange {
  start: number;
  end: number;
}

export interface NodeId {
  level: number;
  index: number;
}

function assertSize(name: string, n: number, min = 0): void {
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}`);
}

/** The largest power of two strictly smaller than n (n >= 2): the RFC 9162 split point. */
export function splitPoint(n: number): number {
  if (n < 2) throw new RangeError('a tree of fewer than 2 leaves has no split');
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The largest power of two smaller than or equal to n (n >= 1). */
function largestPowerOfTwoAtMost(n: number): number {
  let k = 1;
  while (k * 2 <= n) k *= 2;
  return k;
}

/**
 * PATH(m, D[n]) of RFC 9162 §2.1.3.1 as the ranges whose hashes form the proof, leaf side first.
 */
export function inclusionProofRanges(index: number, size: number): TreeRange[] {
  assertSize('size', size, 1);
  assertSize('index', index);
  if (index >= size) throw new RangeError('index must be smaller than the tree size');
  const out: TreeRange[] = [];
  let start = 0;
  let end = size;
  // walk down from the root, collecting siblings; reverse at the end (the proof starts at the leaf)
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
    }
  }
  return out.reverse();
}

/**
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (SUBPROOF with b = true) as ranges, for 0 < m <= n.
 * Empty when m == n.
 */
export function consistencyProofRanges(from: number, to: number): TreeRange[] {
  assertSize('from', from, 1);
  assertSize('to', to, 1);
  if (from > to) throw new RangeError('from must not be larger than to');
  const out: TreeRange[] = [];
  // SUBPROOF(m, D[start:end], b), iteratively: each step appends one range after the recursive part,
  // so collect in reverse and flip at the end
  let m = from;
  let start = 0;
  let end = to;
  let complete = true;
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!complete) out.push({ start, end });
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      out.push({ start: start + k, end });
      end = start + k;
    } else {
      out.push({ start, end: start + k });
      start += k;
      m -= k;
      complete = false;
    }
  }
  return out.reverse();
}

/**
 * The complete aligned subtrees whose hashes make up the node over [start, end), left to right.
 * Every node of an RFC 9162 tree decomposes this way (its start is a multiple of its largest part).
 */
export function subtreeNodes(range: TreeRange): NodeId[] {
  const out: NodeId[] = [];
  let start = range.start;
  let remaining = range.end - range.start;
  if (remaining < 1) throw new RangeError('empty range');
  while (remaining > 0) {
    const width = largestPowerOfTwoAtMost(remaining);
    if (start % width !== 0) throw new RangeError(`range [${range.start}, ${range.end}) is not a tree node`);
    out.push({ level: Math.log2(width), index: start / width });
    start += width;
    remaining -= width;
  }
  return out;
}

/** MTH of a tree node from the stored hashes of the complete subtrees it is made of. */
export function rangeHash(range: TreeRange, hashOf: (node: NodeId) => Buffer): Buffer {
  const parts = subtreeNodes(range).map(hashOf);
  let hash = parts[parts.length - 1];
  for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(parts[i], hash);
  return hash;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** RFC 9162 §2.1.3.2: the root implied by an inclusion proof, or null when the proof has the wrong shape. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  if (leaf.length !== HASH_BYTES || proof.some((p) => p.length !== HASH_BYTES)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return null;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  return computed !== null && computed.equals(root);
}

/** RFC 9162 §2.1.4.2, plus the trivial cases: equal sizes need an empty proof and equal roots. */
export function verifyConsistency(
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (fromRoot.length !== HASH_BYTES || toRoot.length !== HASH_BYTES) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  if (from === to) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (from === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(from)) ? [fromRoot, ...proof] : [...proof];
  let fn = from - 1;
  let sn = to - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}

/** A complete subtree that became known while appending. */
export interface CompletedNode extends NodeId {
  hash: Buffer;
}

/**
 * The right edge of a tree (one hash per set bit of its size): enough to append leaves and to compute
 * the root, in O(log n) memory. `append` reports every complete subtree (level >= 1) it completes,
 * which is what the ledger stores to serve proofs.
 */
export class MerkleFrontier {
  private constructor(
    private treeSize: number,
    /** edge[level] is the hash of the complete subtree of 2^level leaves ending at the right edge */
    private readonly edge: (Buffer | undefined)[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** The nodes whose hashes rebuild the frontier of a tree of `size` leaves. */
  static nodesFor(size: number): NodeId[] {
    assertSize('size', size);
    const out: NodeId[] = [];
    for (let level = 0, n = size; n > 0; level++, n = half(n)) {
      if (isOdd(n)) out.push({ level, index: n - 1 });
    }
    return out;
  }

  /** Rebuilds the frontier of a tree of `size` leaves from stored complete subtree hashes. */
  static restore(size: number, hashOf: (node: NodeId) => Buffer): MerkleFrontier {
    const edge: (Buffer | undefined)[] = [];
    for (const node of MerkleFrontier.nodesFor(size)) edge[node.level] = hashOf(node);
    return new MerkleFrontier(size, edge);
  }

  get size(): number {
    return this.treeSize;
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.treeSize, [...this.edge]);
  }

  /** Appends one leaf hash; calls `onNode` for each complete subtree (level >= 1) it completes. */
  append(leaf: Buffer, onNode?: (node: CompletedNode) => void): void {
    let hash = leaf;
    let level = 0;
    let n = this.treeSize;
    while (isOdd(n)) {
      hash = nodeHash(this.edge[level]!, hash);
      this.edge[level] = undefined;
      level++;
      n = half(n);
      onNode?.({ level, index: n, hash });
    }
    this.edge[level] = hash;
    this.treeSize++;
  }

  /** MTH of the whole tree. */
  root(): Buffer {
    let root: Buffer | undefined;
    for (const hash of this.edge) {
      if (hash) root = root ? nodeHash(hash, root) : hash;
    }
    return root ?? EMPTY_ROOT;
  }
}
