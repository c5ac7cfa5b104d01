import { createHash } from 'node:crypto';
import { leafHash, MerkleFrontier, nodeHash, splitPoint } from './merkle';
import { completeLevels, foldRight, hashAt, parentLevel, prefixParts } from './tree-levels';

/** RFC 9162 MTH straight from the definition. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0];
  const k = splitPoint(leaves.length);
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const leavesOf = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

describe('bulk tree levels', () => {
  it('hashes a known pair (RFC 6962 test vector: leaves "" and "\\x00")', () => {
    // certificate-transparency merkle_tree_test: MTH of the first two test leaves
    const pair = Buffer.concat([leafHash(Buffer.alloc(0)), leafHash(Buffer.from([0]))]);
    expect(parentLevel(pair, 1).toString('hex')).toBe(
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    );
  });

  it.each(Array.from({ length: 64 }, (_, i) => i + 1))(
    'gives every complete subtree and every prefix root of %i leaves as the reference does',
    (n) => {
      const leaves = leavesOf(n);
      const levels = completeLevels(Buffer.concat(leaves), n);
      // every complete subtree, as the sequencer stores them
      const stored = new Map<string, Buffer>();
      const frontier = MerkleFrontier.empty();
      for (const leaf of leaves) frontier.append(leaf, (c) => stored.set(`${c.level}/${c.index}`, c.hash));
      let count = 0;
      levels.forEach((level, l) => {
        expect(level.length).toBe(Math.floor(n / 2 ** l) * 32);
        for (let p = 0; p < level.length / 32; p++) {
          const expected = l === 0 ? leaves[p] : stored.get(`${l}/${p}`);
          expect(hashAt(level, p).equals(expected!)).toBe(true);
          if (l > 0) count++;
        }
      });
      expect(count).toBe(stored.size);
      // the root of every prefix from its complete parts
      for (let size = 1; size <= n; size++) {
        const root = foldRight(prefixParts(size).map(([l, p]) => hashAt(levels[l], p)));
        expect(root.toString('hex')).toBe(mth(leaves.slice(0, size)).toString('hex'));
      }
    },
  );

  it('splits a size into its complete subtrees, largest first', () => {
    expect(prefixParts(1)).toEqual([[0, 0]]);
    expect(prefixParts(13)).toEqual([
      [3, 0],
      [2, 2],
      [0, 12],
    ]);
    expect(prefixParts(2 ** 20)).toEqual([[20, 0]]);
    expect(prefixParts(2 ** 40 - 1)).toHaveLength(40);
    expect(prefixParts(0)).toEqual([]);
  });

  it('refuses to hash pairs it does not have', () => {
    expect(() => parentLevel(Buffer.alloc(96), 2)).toThrow(RangeError);
  });
});
