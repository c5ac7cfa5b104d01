import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import type { LedgerProblemKind, LedgerProblemView, VerifyResultView } from '../dto/audit.dto';
import { eventLeafHash, LedgerEventRow, toLedgerEvent } from '../ledger/ledger-event';
import { CompletedNode, MerkleFrontier } from '../ledger/merkle';
import { verifyCheckpointSignature } from '../ledger/signing';
import { CheckpointSigner } from './checkpoint-signer.service';
import { CheckpointRow, LedgerStore } from './ledger-store.service';

const CHUNK = 20_000;
const MAX_PROBLEMS = 20;
const PLACEHOLDER = Buffer.alloc(32);

interface EntryRow extends LedgerEventRow {
  i: string;
  h: Buffer;
  present: boolean;
}

/** Stored complete-subtree hashes of one chunk, per level, as dense arrays. */
interface ChunkNodes {
  lo: number[];
  hashes: (Buffer | undefined)[][];
}

interface Chunk {
  start: number;
  rows: EntryRow[];
  nodes: ChunkNodes;
}

/** What verification found; problems whose position an exact finding explains are not repeated. */
class Findings {
  readonly problems: LedgerProblemView[] = [];
  firstBadIndex: number | undefined;
  failed = false;
  private lastExact = -1;

  private add(p: LedgerProblemView): void {
    this.failed = true;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
  }

  /** A problem at exactly this index (the stored event or entry differs). */
  exact(index: number, kind: LedgerProblemKind, detail: string): void {
    this.lastExact = Math.max(this.lastExact, index);
    if (this.firstBadIndex === undefined || index < this.firstBadIndex) this.firstBadIndex = index;
    this.add({ kind, index, detail });
  }

  private readonly pending: { start: number; end: number; problem: LedgerProblemView }[] = [];

  /**
   * A problem somewhere in [start, end) (a stored subtree or a signed root that does not match): unless
   * an exact finding lies there, `start` is the best bound. Decided once the entry after `end` has been
   * examined, since that one can still reveal an exact position inside the range (a shifted entry).
   */
  ranged(start: number, end: number, kind: LedgerProblemKind, detail: string, treeSize?: number): void {
    const problem = { kind, index: start, detail, ...(treeSize !== undefined ? { treeSize } : {}) };
    this.pending.push({ start, end, problem });
  }

  /** Decides the ranged findings that end at or before `examined` (the last index examined). */
  settle(examined = Number.POSITIVE_INFINITY): void {
    while (this.pending.length && this.pending[0].end <= examined) {
      const { start, problem } = this.pending.shift()!;
      if (this.lastExact >= start) continue;
      if (this.firstBadIndex === undefined || start < this.firstBadIndex) this.firstBadIndex = start;
      this.add(problem);
    }
  }

  /** A problem without a ledger position (a checkpoint's signature, events outside the ledger). */
  general(kind: LedgerProblemKind, detail: string, treeSize?: number): void {
    this.add({ kind, detail, ...(treeSize !== undefined ? { treeSize } : {}) });
  }
}

/**
 * Full verification of the ledger from what is stored: recomputes every leaf from its event (the API's
 * JSON form, JCS, SHA-256), rebuilds the tree, and compares with the stored leaves, the stored subtree
 * hashes and every signed checkpoint (signature, signer key and root). Reads the ledger in chunks, one
 * chunk ahead of the hashing.
 */
@Injectable()
export class AuditVerifier {
  private readonly logger = new Logger(AuditVerifier.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly signer: CheckpointSigner,
  ) {}

  async verify(): Promise<VerifyResultView> {
    const startedAt = performance.now();
    // checkpoints first: the entries of every checkpoint read committed with it, so the size read next covers them
    const checkpoints = await this.store.allCheckpoints();
    const [size, horizon] = await Promise.all([this.store.treeSize(), this.horizonSeq()]);
    const orphans = this.eventsNotInLedger(horizon);
    orphans.catch(() => undefined); // awaited below; do not let an early failure go unhandled
    const findings = new Findings();
    const trusted = this.checkSignatures(checkpoints, findings);

    const frontier = MerkleFrontier.empty();
    let nextCheckpoint = 0;
    let lastGoodSize = 0;
    const checkRoots = () => {
      while (nextCheckpoint < trusted.length && trusted[nextCheckpoint].treeSize <= frontier.size) {
        const cp = trusted[nextCheckpoint++];
        if (cp.treeSize !== frontier.size) continue; // cannot happen: sizes are visited one by one
        if (frontier.root().equals(cp.rootHash)) lastGoodSize = cp.treeSize;
        else
          findings.ranged(
            lastGoodSize,
            cp.treeSize,
            'checkpoint_root_mismatch',
            `the stored events do not give the root signed at tree size ${cp.treeSize}`,
            cp.treeSize,
          );
      }
    };

    // +1 / -1 while consecutive entries hold events sequenced one index lower / higher (see explainMismatch)
    let shift: -1 | 0 | 1 = 0;
    let pending = size > 0 ? this.fetchChunk(0, Math.min(CHUNK, size)) : undefined;
    let expected = 0;
    while (pending) {
      const chunk = await pending;
      const end = Math.min(chunk.start + CHUNK, size);
      pending = end < size ? this.fetchChunk(end, Math.min(end + CHUNK, size)) : undefined;
      pending?.catch(() => undefined); // awaited on the next turn
      const onNode = (n: CompletedNode) => {
        const stored = this.storedNode(chunk.nodes, n);
        if (!stored || !stored.equals(n.hash)) {
          const width = 2 ** n.level;
          findings.ranged(
            n.index * width,
            (n.index + 1) * width,
            'node_mismatch',
            `stored hash of leaves [${n.index * width}, ${(n.index + 1) * width}) ${stored ? 'differs' : 'is missing'}`,
          );
        }
      };
      for (const row of chunk.rows) {
        const index = Number(row.i);
        for (; expected < index; expected++) {
          findings.exact(expected, 'missing_entry', `ledger entry ${expected} is missing`);
          frontier.append(PLACEHOLDER, onNode);
          checkRoots();
        }
        let leaf: Buffer;
        if (!row.present) {
          findings.exact(index, 'missing_event', `the event of ledger entry ${index} is missing`);
          leaf = row.h;
          shift = 0;
        } else {
          leaf = eventLeafHash(toLedgerEvent(index, row));
          if (leaf.equals(row.h)) {
            shift = 0;
          } else {
            shift = this.explainMismatch(index, row, shift, findings);
          }
        }
        findings.settle(index);
        frontier.append(leaf, onNode);
        checkRoots();
        expected = index + 1;
      }
      for (; expected < end; expected++) {
        findings.exact(expected, 'missing_entry', `ledger entry ${expected} is missing`);
        frontier.append(PLACEHOLDER, onNode);
        checkRoots();
      }
    }
    findings.settle();
    if (nextCheckpoint < trusted.length) {
      // entries were removed from the end: the first missing one is the first bad index
      findings.exact(
        size,
        'checkpoint_beyond_ledger',
        `checkpoint signed at tree size ${trusted[trusted.length - 1].treeSize}, but the ledger has only ${size} entries`,
      );
    }
    const { count, firstSeq } = await orphans;
    if (count > 0) {
      findings.general(
        'event_not_in_ledger',
        `${count} committed event(s) older than the sequencer horizon are not in the ledger (first seq ${firstSeq})`,
      );
    }
    const result: VerifyResultView = {
      ok: !findings.failed,
      treeSize: frontier.size,
      rootHash: frontier.root().toString('hex'),
      ...(findings.firstBadIndex !== undefined ? { firstBadIndex: findings.firstBadIndex } : {}),
      checkpointsChecked: checkpoints.length,
      eventsNotInLedger: count,
      problems: findings.problems,
      durationMs: Math.round(performance.now() - startedAt),
    };
    if (!result.ok) {
      this.logger.warn(
        { firstBadIndex: result.firstBadIndex, problems: result.problems.slice(0, 3) },
        'audit ledger verification failed',
      );
    }
    return result;
  }

  /**
   * A stored leaf that its event does not hash to. If the event hashes to the stored leaf with the index
   * one lower (or higher), entries were shifted: an entry was inserted just before this run of shifted
   * entries (or one was removed here), and that is the first bad index — even when the intruder also
   * computed a matching leaf hash for what they inserted. Otherwise the event itself was changed or
   * moved. Returns the shift of this entry, so a run of shifted entries is reported once.
   */
  private explainMismatch(index: number, row: EntryRow, shift: -1 | 0 | 1, findings: Findings): -1 | 0 | 1 {
    if (index > 0 && eventLeafHash(toLedgerEvent(index - 1, row)).equals(row.h)) {
      if (shift !== 1) {
        findings.exact(
          index - 1,
          'entry_inserted',
          `an entry was inserted at ${index - 1}; the entries after it are shifted`,
        );
      }
      return 1;
    }
    if (eventLeafHash(toLedgerEvent(index + 1, row)).equals(row.h)) {
      if (shift !== -1) {
        findings.exact(
          index,
          'entry_removed',
          `an entry was removed at ${index}; the entries after it are shifted`,
        );
      }
      return -1;
    }
    findings.exact(index, 'leaf_mismatch', `event ${index} does not hash to its stored leaf`);
    return 0;
  }

  /** Checkpoints with a valid signature by this platform's key, in tree-size order; the rest are findings. */
  private checkSignatures(checkpoints: CheckpointRow[], findings: Findings): CheckpointRow[] {
    const trusted: CheckpointRow[] = [];
    for (const cp of checkpoints) {
      const fields = {
        treeSize: cp.treeSize,
        rootHash: cp.rootHash.toString('hex'),
        at: cp.at.toISOString(),
      };
      if (!cp.publicKey.equals(this.signer.publicKey)) {
        findings.general(
          'checkpoint_unknown_key',
          `checkpoint at tree size ${cp.treeSize} names a key that is not this platform's`,
          cp.treeSize,
        );
      } else if (!verifyCheckpointSignature(cp.publicKey, fields, cp.signature)) {
        findings.general(
          'checkpoint_bad_signature',
          `checkpoint at tree size ${cp.treeSize} has an invalid signature`,
          cp.treeSize,
        );
      } else {
        trusted.push(cp);
      }
    }
    return trusted;
  }

  private async fetchChunk(start: number, end: number): Promise<Chunk> {
    const levels: number[] = [];
    const lows: number[] = [];
    const highs: number[] = [];
    // subtrees completed by the leaves of [start, end): level L, positions whose last leaf is in the chunk
    for (let level = 1, width = 2; width <= end; level++, width *= 2) {
      const lo = Math.ceil((start + 1) / width) - 1;
      const hi = Math.floor(end / width) - 1;
      if (hi >= lo) {
        levels.push(level);
        lows.push(lo);
        highs.push(hi);
      }
    }
    const [rows, nodeRows] = await Promise.all([
      this.dataSource.query(
        `SELECT l.leaf_index::text AS i, l.leaf_hash AS h, e.seq IS NOT NULL AS present,
                e.at, e.actor_id AS "actorId", e.action, e.object_type AS "objectType",
                e.object_id AS "objectId", e.outcome, e.ip, e.details
           FROM audit_ledger_entries l
           LEFT JOIN audit_events e ON e.seq = l.event_seq
          WHERE l.leaf_index >= $1 AND l.leaf_index < $2
          ORDER BY l.leaf_index`,
        [start, end],
      ) as Promise<EntryRow[]>,
      levels.length
        ? (this.dataSource.query(
            `SELECT n.level, n.position::text AS position, n.hash
               FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, hi)
               JOIN audit_tree_nodes n ON n.level = r.level AND n.position BETWEEN r.lo AND r.hi`,
            [levels, lows.map(String), highs.map(String)],
          ) as Promise<{ level: number; position: string; hash: Buffer }[]>)
        : Promise.resolve([]),
    ]);
    const nodes: ChunkNodes = { lo: [], hashes: [] };
    levels.forEach((level, k) => {
      nodes.lo[level] = lows[k];
      nodes.hashes[level] = [];
    });
    for (const n of nodeRows) nodes.hashes[n.level][Number(n.position) - nodes.lo[n.level]] = n.hash;
    return { start, rows, nodes };
  }

  private storedNode(nodes: ChunkNodes, n: CompletedNode): Buffer | undefined {
    const lo = nodes.lo[n.level];
    return lo === undefined ? undefined : nodes.hashes[n.level][n.index - lo];
  }

  private async horizonSeq(): Promise<string> {
    const [row] = (await this.dataSource.query(
      'SELECT horizon_seq::text AS h FROM audit_sequencer_state WHERE id = 1',
    )) as { h: string }[];
    return row?.h ?? '0';
  }

  private async eventsNotInLedger(horizon: string): Promise<{ count: number; firstSeq: string | null }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, min(e.seq)::text AS "firstSeq"
         FROM audit_events e
        WHERE e.seq <= $1 AND NOT EXISTS (SELECT 1 FROM audit_ledger_entries l WHERE l.event_seq = e.seq)`,
      [horizon],
    )) as { count: number; firstSeq: string | null }[];
    return row;
  }
}
