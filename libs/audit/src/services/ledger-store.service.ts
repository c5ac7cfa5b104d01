import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CheckpointView } from '../dto/audit.dto';
import type { NodeId } from '../ledger/merkle';

export interface CheckpointRow {
  treeSize: number;
  rootHash: Buffer;
  at: Date;
  signature: Buffer;
  publicKey: Buffer;
}

export const toCheckpointView = (c: CheckpointRow): CheckpointView => ({
  treeSize: c.treeSize,
  rootHash: c.rootHash.toString('hex'),
  at: c.at.toISOString(),
  signature: c.signature.toString('base64'),
  publicKey: c.publicKey.toString('base64'),
});

export const nodeKey = (n: NodeId): string => `${n.level}/${n.index}`;

const NODE_BATCH = 5000;

interface RawCheckpoint {
  tree_size: string;
  root_hash: Buffer;
  at: Date;
  signature: Buffer;
  public_key: Buffer;
}

const fromRaw = (r: RawCheckpoint): CheckpointRow => ({
  treeSize: Number(r.tree_size),
  rootHash: r.root_hash,
  at: r.at,
  signature: r.signature,
  publicKey: r.public_key,
});

/** Reads of the stored tree: sizes, complete-subtree hashes (level 0 = leaf hashes) and checkpoints. */
@Injectable()
export class LedgerStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private q(manager?: EntityManager) {
    return manager ?? this.dataSource.manager;
  }

  /** Number of entries (highest leaf index + 1; entries are contiguous unless someone tampered). */
  async treeSize(manager?: EntityManager): Promise<number> {
    const [row] = (await this.q(manager).query(
      'SELECT leaf_index::text AS i FROM audit_ledger_entries ORDER BY leaf_index DESC LIMIT 1',
    )) as { i: string }[];
    return row ? Number(row.i) + 1 : 0;
  }

  /** The stored hashes of the given complete subtrees, in one round trip per 5000 nodes. */
  async nodes(nodes: NodeId[], manager?: EntityManager): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const unique = [...new Map(nodes.map((n) => [nodeKey(n), n])).values()];
    for (let i = 0; i < unique.length; i += NODE_BATCH) {
      const batch = unique.slice(i, i + NODE_BATCH);
      const leaves = batch.filter((n) => n.level === 0).map((n) => String(n.index));
      const inner = batch.filter((n) => n.level > 0);
      const rows = (await this.q(manager).query(
        `SELECT 0 AS level, leaf_index::text AS position, leaf_hash AS hash
           FROM audit_ledger_entries WHERE leaf_index = ANY($1::bigint[])
         UNION ALL
         SELECT n.level, n.position::text, n.hash
           FROM unnest($2::smallint[], $3::bigint[]) AS k(level, position)
           JOIN audit_tree_nodes n ON n.level = k.level AND n.position = k.position`,
        [leaves, inner.map((n) => n.level), inner.map((n) => String(n.index))],
      )) as { level: number; position: string; hash: Buffer }[];
      for (const r of rows) out.set(`${r.level}/${r.position}`, r.hash);
    }
    return out;
  }

  /** Like `nodes`, but every node must exist: a missing one means the stored tree is incomplete. */
  async requireNodes(nodes: NodeId[], manager?: EntityManager): Promise<(n: NodeId) => Buffer> {
    const found = await this.nodes(nodes, manager);
    return (n) => {
      const hash = found.get(nodeKey(n));
      if (!hash) throw new Error(`audit tree node ${nodeKey(n)} is missing from the store`);
      return hash;
    };
  }

  async latestCheckpoint(manager?: EntityManager): Promise<CheckpointRow | null> {
    const [row] = (await this.q(manager).query(
      // order by the column, not by its text output (which would put '3' after '203')
      `SELECT c.tree_size::text, c.root_hash, c.at, c.signature, c.public_key
         FROM audit_checkpoints c ORDER BY c.tree_size DESC LIMIT 1`,
    )) as RawCheckpoint[];
    return row ? fromRaw(row) : null;
  }

  async allCheckpoints(manager?: EntityManager): Promise<CheckpointRow[]> {
    const rows = (await this.q(manager).query(
      `SELECT c.tree_size::text, c.root_hash, c.at, c.signature, c.public_key
         FROM audit_checkpoints c ORDER BY c.tree_size`,
    )) as RawCheckpoint[];
    return rows.map(fromRaw);
  }
}
