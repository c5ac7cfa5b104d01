import { createHash } from 'node:crypto';
import {
  consistencyProofRanges,
  EMPTY_ROOT,
  inclusionProofRanges,
  leafHash,
  MerkleFrontier,
  NodeId,
  nodeHash,
  rangeHash,
  rootFromInclusionProof,
  splitPoint,
  subtreeNodes,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const hex = (b: Buffer) => b.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

/** Naive RFC 9162 reference straight from the definitions (recursive MTH, PATH, SUBPROOF). */
const naive = {
  mth(leaves: Buffer[]): Buffer {
    if (leaves.length === 0) return createHash('sha256').digest();
    if (leaves.length === 1) return leaves[0];
    const k = splitPoint(leaves.length);
    return nodeHash(naive.mth(leaves.slice(0, k)), naive.mth(leaves.slice(k)));
  },
  path(m: number, leaves: Buffer[]): Buffer[] {
    if (leaves.length <= 1) return [];
    const k = splitPoint(leaves.length);
    return m < k
      ? [...naive.path(m, leaves.slice(0, k)), naive.mth(leaves.slice(k))]
      : [...naive.path(m - k, leaves.slice(k)), naive.mth(leaves.slice(0, k))];
  },
  subproof(m: number, leaves: Buffer[], b: boolean): Buffer[] {
    if (m === leaves.length) return b ? [] : [naive.mth(leaves)];
    const k = splitPoint(leaves.length);
    return m <= k
      ? [...naive.subproof(m, leaves.slice(0, k), b), naive.mth(leaves.slice(k))]
      : [...naive.subproof(m - k, leaves.slice(k), false), naive.mth(leaves.slice(0, k))];
  },
  proof(m: number, leaves: Buffer[]): Buffer[] {
    return naive.subproof(m, leaves, true);
  },
};

/** The way the ledger stores a tree: leaf hashes plus every completed subtree reported by append. */
function storedTree(leaves: Buffer[]) {
  const nodes = new Map<string, Buffer>();
  const frontier = MerkleFrontier.empty();
  const roots: Buffer[] = [];
  leaves.forEach((leaf, i) => {
    nodes.set(`0/${i}`, leaf);
    frontier.append(leaf, (n) => nodes.set(`${n.level}/${n.index}`, n.hash));
    roots.push(frontier.root());
  });
  const hashOf = (n: NodeId) => {
    const h = nodes.get(`${n.level}/${n.index}`);
    if (!h) throw new Error(`node ${n.level}/${n.index} not stored`);
    return h;
  };
  return {
    nodes,
    roots,
    frontier,
    hashOf,
    inclusion: (m: number, n: number) => inclusionProofRanges(m, n).map((r) => rangeHash(r, hashOf)),
    consistency: (m: number, n: number) => consistencyProofRanges(m, n).map((r) => rangeHash(r, hashOf)),
  };
}

describe('Merkle tree hashing (RFC 6962/9162 known answers)', () => {
  // transparency-dev/merkle rfc6962_test.go
  it('hashes the empty tree, leaves and nodes', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(Buffer.alloc(0)))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(hex(leafHash(Buffer.from('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('separates leaves from nodes and depends on order', () => {
    const a = leafHash(Buffer.from('Hello'));
    const b = leafHash(Buffer.from('World'));
    expect(a.equals(b)).toBe(false);
    expect(nodeHash(a, b).equals(leafHash(Buffer.concat([a, b])))).toBe(false);
    expect(nodeHash(a, b).equals(nodeHash(b, a))).toBe(false);
  });
});

describe('the 8-leaf reference tree (certificate-transparency / transparency-dev vectors)', () => {
  const leafData = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ];
  const leaves = leafData.map((d) => leafHash(unhex(d)));
  const roots = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  // [leaf index (0-based), tree size, proof]
  const inclusion: [number, number, string[]][] = [
    [0, 1, []],
    [
      0,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      5,
      8,
      [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
    [
      1,
      5,
      [
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
  ];
  const consistency: [number, number, string[]][] = [
    [1, 1, []],
    [
      1,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      6,
      8,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [
      2,
      5,
      [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
    [
      6,
      7,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
  ];
  const tree = storedTree(leaves);

  it('computes the root of every prefix', () => {
    expect(tree.roots.map(hex)).toEqual(roots);
    for (let n = 1; n <= 8; n++) expect(hex(naive.mth(leaves.slice(0, n)))).toBe(roots[n - 1]);
  });

  it.each(inclusion)(
    'generates and verifies the inclusion proof of leaf %d in tree size %d',
    (m, n, proof) => {
      expect(tree.inclusion(m, n).map(hex)).toEqual(proof);
      expect(verifyInclusion(m, n, leaves[m], proof.map(unhex), unhex(roots[n - 1]))).toBe(true);
    },
  );

  it.each(consistency)('generates and verifies the consistency proof %d -> %d', (m, n, proof) => {
    expect(tree.consistency(m, n).map(hex)).toEqual(proof);
    expect(verifyConsistency(m, n, unhex(roots[m - 1]), unhex(roots[n - 1]), proof.map(unhex))).toBe(true);
  });

  it('rejects corrupted inclusion proofs', () => {
    const [m, n, proofHex] = inclusion[2];
    const proof = proofHex.map(unhex);
    const root = unhex(roots[n - 1]);
    const leaf = leaves[m];
    const some = unhex('abacaba000000000000000000000000000000000000000000060061e00123456');
    const bad: [number, number, Buffer, Buffer[], Buffer][] = [
      [m - 1, n, leaf, proof, root],
      [m + 1, n, leaf, proof, root],
      [m ^ 2, n, leaf, proof, root],
      [m, n * 2, leaf, proof, root],
      [m, n / 2, leaf, proof, root],
      [m, n, leafHash(Buffer.from('WrongLeaf')), proof, root],
      [m, n, leaf, proof, EMPTY_ROOT],
      [m, n, leaf, proof, some],
      [m, n, leaf, [...proof, root], root],
      [m, n, leaf, [root, ...proof], root],
      [m, n, leaf, proof.slice(0, -1), root],
      [m, n, leaf, [proof[0], some, ...proof.slice(1)], root],
      [m, n, leaf, [...proof, Buffer.alloc(0)], root],
      ...proof.map((_, i): [number, number, Buffer, Buffer[], Buffer] => {
        const copy = proof.map((p) => Buffer.from(p));
        copy[i][0] ^= 8;
        return [m, n, leaf, copy, root];
      }),
    ];
    for (const [bm, bn, bl, bp, br] of bad) expect(verifyInclusion(bm, bn, bl, bp, br)).toBe(false);
    expect(rootFromInclusionProof(8, 8, leaf, proof)).toBeNull();
  });

  it('rejects corrupted consistency proofs', () => {
    const [m, n, proofHex] = consistency[2];
    const proof = proofHex.map(unhex);
    const r1 = unhex(roots[m - 1]);
    const r2 = unhex(roots[n - 1]);
    const bad: [number, number, Buffer, Buffer, Buffer[]][] = [
      [m - 1, n, r1, r2, proof],
      [m + 1, n, r1, r2, proof],
      [m ^ 2, n, r1, r2, proof],
      [m, n * 2, r1, r2, proof],
      [m, n / 2, r1, r2, proof],
      [m, n, r2, r1, proof],
      [m, n, EMPTY_ROOT, r2, proof],
      [m, n, r1, r2, []],
      [m, n, r1, r2, [...proof, r1]],
      [m, n, r1, r2, [r2, ...proof]],
      [m, n, r1, r2, [proof[0], ...proof]],
      [m, n, r1, r2, proof.slice(0, -1)],
      ...proof.map((_, i): [number, number, Buffer, Buffer, Buffer[]] => {
        const copy = proof.map((p) => Buffer.from(p));
        copy[i][0] ^= 16;
        return [m, n, r1, r2, copy];
      }),
    ];
    for (const [a, b, ra, rb, p] of bad) expect(verifyConsistency(a, b, ra, rb, p)).toBe(false);
    // trivial cases
    expect(verifyConsistency(3, 3, r1, r1, [])).toBe(true);
    expect(verifyConsistency(3, 3, r1, r2, [])).toBe(false);
    expect(verifyConsistency(3, 3, r1, r1, [r1])).toBe(false);
    expect(verifyConsistency(4, 3, r1, r2, proof)).toBe(false);
  });
});

describe('trees of 1..64 leaves against the naive reference', () => {
  const leaves = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`leaf-${i}`)));
  const tree = storedTree(leaves);

  it('stores exactly the complete subtrees, and the frontier gives every root', () => {
    // 64 leaves: 32 + 16 + 8 + 4 + 2 + 1 interior nodes
    expect(tree.nodes.size - 64).toBe(63);
    for (let n = 1; n <= 64; n++) {
      const root = naive.mth(leaves.slice(0, n));
      expect(hex(tree.roots[n - 1])).toBe(hex(root));
      // restoring the frontier from stored nodes reproduces the root and keeps appending correctly
      const restored = MerkleFrontier.restore(n, tree.hashOf);
      expect(hex(restored.root())).toBe(hex(root));
      if (n < 64) {
        restored.append(leaves[n]);
        expect(hex(restored.root())).toBe(hex(tree.roots[n]));
      }
    }
  });

  it('gives every inclusion proof of every size, matching the reference and verifying', () => {
    for (let n = 1; n <= 64; n++) {
      const root = tree.roots[n - 1];
      for (let m = 0; m < n; m++) {
        const proof = tree.inclusion(m, n);
        expect(proof.map(hex)).toEqual(naive.path(m, leaves.slice(0, n)).map(hex));
        expect(verifyInclusion(m, n, leaves[m], proof, root)).toBe(true);
        if (n > 1) expect(verifyInclusion(m, n, leaves[(m + 1) % n], proof, root)).toBe(false);
      }
    }
  });

  it('gives every consistency proof between every pair of sizes, matching the reference and verifying', () => {
    for (let n = 1; n <= 64; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = tree.consistency(m, n);
        expect(proof.map(hex)).toEqual(naive.proof(m, leaves.slice(0, n)).map(hex));
        expect(verifyConsistency(m, n, tree.roots[m - 1], tree.roots[n - 1], proof)).toBe(true);
        // against any other root it fails
        if (m < n) expect(verifyConsistency(m, n, tree.roots[m - 1], tree.roots[n - 2], proof)).toBe(false);
      }
    }
  });

  it('decomposes every node range into aligned complete subtrees only', () => {
    expect(subtreeNodes({ start: 0, end: 7 })).toEqual([
      { level: 2, index: 0 },
      { level: 1, index: 2 },
      { level: 0, index: 6 },
    ]);
    expect(() => subtreeNodes({ start: 1, end: 3 })).toThrow(/not a tree node/);
  });

  it('keeps proofs logarithmic for large trees', () => {
    const n = 1_000_000;
    expect(inclusionProofRanges(0, n)).toHaveLength(20);
    expect(inclusionProofRanges(n - 1, n).length).toBeLessThanOrEqual(20);
    expect(consistencyProofRanges(123_457, n).length).toBeLessThanOrEqual(21);
    // ranges never need more than log2(n) stored nodes each
    for (const r of inclusionProofRanges(765_432, n)) expect(subtreeNodes(r).length).toBeLessThanOrEqual(20);
  });
});
