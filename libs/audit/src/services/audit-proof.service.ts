import { Injectable } from '@nestjs/common';
import type { CheckpointView, ConsistencyProofView, InclusionProofView } from '../dto/audit.dto';
import { CheckpointNotFoundError, invalidParam, TreeSizeNotFoundError } from '../audit.errors';
import { consistencyProofRanges, inclusionProofRanges, rangeHash, subtreeNodes } from '../ledger/merkle';
import { LedgerStore, toCheckpointView } from './ledger-store.service';

/**
 * Public reads of the ledger: the latest signed checkpoint and RFC 9162 proofs. A proof needs
 * O(log n) stored subtree hashes, read in one query; nothing is recomputed over the whole tree.
 */
@Injectable()
export class AuditProofService {
  constructor(private readonly store: LedgerStore) {}

  async latestCheckpoint(): Promise<CheckpointView> {
    const latest = await this.store.latestCheckpoint();
    if (!latest) throw new CheckpointNotFoundError();
    return toCheckpointView(latest);
  }

  async inclusion(index: number, treeSize: number): Promise<InclusionProofView> {
    if (index >= treeSize) throw invalidParam('index', 'index must be smaller than treeSize');
    await this.assertTreeSize(treeSize);
    const ranges = inclusionProofRanges(index, treeSize);
    const hashOf = await this.store.requireNodes([
      { level: 0, index },
      ...ranges.flatMap((r) => subtreeNodes(r)),
    ]);
    return {
      index,
      treeSize,
      leafHash: hashOf({ level: 0, index }).toString('hex'),
      proof: ranges.map((r) => rangeHash(r, hashOf).toString('hex')),
    };
  }

  async consistency(from: number, to: number): Promise<ConsistencyProofView> {
    if (from > to) throw invalidParam('from', 'from must not be larger than to');
    await this.assertTreeSize(to);
    const ranges = consistencyProofRanges(from, to);
    const hashOf = await this.store.requireNodes(ranges.flatMap((r) => subtreeNodes(r)));
    return { from, to, proof: ranges.map((r) => rangeHash(r, hashOf).toString('hex')) };
  }

  private async assertTreeSize(treeSize: number): Promise<void> {
    const current = await this.store.treeSize();
    if (treeSize > current) throw new TreeSizeNotFoundError(treeSize, current);
  }
}
