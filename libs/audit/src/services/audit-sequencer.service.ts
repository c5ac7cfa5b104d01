import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { HorizonTracker } from '../ledger/horizon';
import { eventLeafHash, LEDGER_EVENT_COLUMNS, LedgerEventRow, toLedgerEvent } from '../ledger/ledger-event';
import { CompletedNode, MerkleFrontier } from '../ledger/merkle';
import { CheckpointSigner } from './checkpoint-signer.service';
import { CheckpointRow, LedgerStore } from './ledger-store.service';

/** pg_try_advisory_xact_lock(int4, int4) keys: 'AUDI' 'TSEQ'. One sequencer at a time, cluster-wide. */
const LOCK_KEYS = [0x41554449, 0x54534551] as const;
/** events sequenced per transaction */
const BATCH = 5000;
/** at most one checkpoint per second */
export const CHECKPOINT_INTERVAL_MS = 1000;
const HORIZON_GRACE_MS = 3000;
/** every so often (and at start) the sequencer also re-scans this many seq values below its horizon */
const SWEEP_EVERY_MS = 5 * 60_000;
const SWEEP_WINDOW = 100_000n;

export interface SequenceResult {
  /** false when another process holds the sequencer lock (nothing was done here) */
  leader: boolean;
  /** entries added by this call */
  sequenced: number;
  /** ledger size afterwards */
  treeSize: number;
  /** the checkpoint signed by this call, if any */
  checkpoint: CheckpointRow | null;
  /** when entries wait for the one-second checkpoint spacing: milliseconds until a checkpoint may be signed */
  checkpointDueInMs: number | null;
}

interface PassResult extends SequenceResult {
  drained: boolean;
  lastSeq: bigint | null;
}

interface PassState {
  xmin: string;
  xmax: string;
  last_seq: string;
  horizon: string;
  idle: boolean;
  tree_size: string | null;
  cp_size: string | null;
  cp_age_ms: string | null;
}

interface CandidateRow extends LedgerEventRow {
  seq: string;
}

/**
 * Assigns contiguous ledger indexes to committed audit events, in the order it sees them commit, and
 * extends the Merkle tree: leaf hashes into audit_ledger_entries, every completed subtree into
 * audit_tree_nodes (what proofs read), and — when there are new entries and the last checkpoint is at
 * least a second old — a signed checkpoint. One transaction per batch, under a transaction-level advisory
 * lock, so any number of processes may call it; exactly one does the work at a time.
 *
 * The worker runs it continuously (AuditSequencerRunner); tests and tools call `sequencePending()` or
 * `sync()` directly.
 */
@Injectable()
export class AuditSequencer {
  private readonly logger = new Logger(AuditSequencer.name);
  private readonly horizon = new HorizonTracker(HORIZON_GRACE_MS);
  /** the committed tree's right edge, when this process knows it (checked against the database each pass) */
  private frontier?: MerkleFrontier;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
    private readonly signer: CheckpointSigner,
  ) {}

  /** Sequences every committed event now and signs a checkpoint if one is due. Calls run one at a time. */
  sequencePending(): Promise<SequenceResult> {
    const run = this.tail.then(() => this.drain());
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Sequences everything committed before the call and returns a checkpoint covering all of it, waiting
   * out the one-second spacing (and for another process that holds the lock) if needed. For tests and tools.
   */
  async sync(timeoutMs = 30_000): Promise<CheckpointRow> {
    const deadline = performance.now() + timeoutMs;
    let target: number | null = null;
    for (;;) {
      const result = await this.sequencePending();
      // a drain this process led has seen every event committed before the call
      if (result.leader && target === null) target = result.treeSize;
      if (target !== null) {
        const latest = await this.store.latestCheckpoint();
        if (latest && latest.treeSize >= target) return latest;
      }
      if (performance.now() > deadline)
        throw new Error('audit sequencer: no checkpoint covers the ledger in time');
      const wait = result.checkpointDueInMs ?? 50;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, Math.min(wait, 1000))));
    }
  }

  private async drain(): Promise<SequenceResult> {
    const startedAt = performance.now();
    const sweep = startedAt - this.lastSweepAt >= SWEEP_EVERY_MS;
    const total: SequenceResult = {
      leader: true,
      sequenced: 0,
      treeSize: 0,
      checkpoint: null,
      checkpointDueInMs: null,
    };
    let cursor: bigint | null = null;
    for (;;) {
      const pass = await this.pass(cursor, sweep);
      if (!pass.leader) return { ...total, leader: false };
      total.sequenced += pass.sequenced;
      total.treeSize = pass.treeSize;
      total.checkpoint = pass.checkpoint ?? total.checkpoint;
      total.checkpointDueInMs = pass.checkpointDueInMs;
      if (pass.drained) break;
      cursor = pass.lastSeq;
    }
    if (sweep) this.lastSweepAt = startedAt;
    if (total.sequenced) {
      this.logger.debug(
        `sequenced ${total.sequenced} audit events in ${Math.round(performance.now() - startedAt)} ms; tree size ${total.treeSize}`,
      );
    }
    return total;
  }

  private async pass(cursor: bigint | null, sweep: boolean): Promise<PassResult> {
    let next: MerkleFrontier | undefined;
    try {
      const result = await this.dataSource.transaction(async (m) => {
        const [{ locked }] = (await m.query('SELECT pg_try_advisory_xact_lock($1, $2) AS locked', [
          ...LOCK_KEYS,
        ])) as { locked: boolean }[];
        if (!locked) return null;
        // first statement after the lock, before this transaction has an id of its own
        const [s] = (await m.query(
          `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
                  pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
                  (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM audit_events_seq_seq)::text AS last_seq,
                  st.horizon_seq::text AS horizon,
                  st.idle,
                  (SELECT leaf_index + 1 FROM audit_ledger_entries ORDER BY leaf_index DESC LIMIT 1)::text AS tree_size,
                  cp.tree_size::text AS cp_size,
                  floor(extract(epoch FROM clock_timestamp() - cp.at) * 1000)::text AS cp_age_ms
             FROM audit_sequencer_state st
             LEFT JOIN LATERAL (SELECT tree_size, at FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1) cp ON TRUE
            WHERE st.id = 1`,
        )) as PassState[];
        if (!s) throw new Error('audit_sequencer_state has no row 1 (migrations not applied?)');
        const settled = this.horizon.observe(
          performance.now(),
          BigInt(s.last_seq),
          BigInt(s.xmin),
          BigInt(s.xmax),
        );

        const treeSize = Number(s.tree_size ?? 0);
        const frontier =
          this.frontier && this.frontier.size === treeSize
            ? this.frontier.clone()
            : await this.restoreFrontier(m, treeSize);

        const horizon = BigInt(s.horizon);
        const from = cursor ?? (sweep ? (horizon > SWEEP_WINDOW ? horizon - SWEEP_WINDOW : 0n) : horizon);
        const rows = (await m.query(
          `SELECT e.seq::text AS seq, ${LEDGER_EVENT_COLUMNS}
             FROM audit_events e
            WHERE e.seq > $1
              AND NOT EXISTS (SELECT 1 FROM audit_ledger_entries l WHERE l.event_seq = e.seq)
            ORDER BY e.seq
            LIMIT $2`,
          [from.toString(), BATCH],
        )) as CandidateRow[];

        if (rows.length) await this.append(m, frontier, rows);

        let checkpoint: CheckpointRow | null = null;
        let checkpointDueInMs: number | null = null;
        if (frontier.size > Number(s.cp_size ?? 0)) {
          const age = s.cp_age_ms === null ? Number.POSITIVE_INFINITY : Number(s.cp_age_ms);
          if (age >= CHECKPOINT_INTERVAL_MS) checkpoint = await this.signCheckpoint(m, frontier);
          else checkpointDueInMs = CHECKPOINT_INTERVAL_MS - age;
        }

        const drained = rows.length < BATCH;
        const newHorizon = drained && settled !== null && settled > horizon ? settled : horizon;
        const idle = drained && rows.length === 0 && checkpointDueInMs === null;
        if (newHorizon !== horizon || idle !== s.idle) {
          await m.query(
            `UPDATE audit_sequencer_state
                SET horizon_seq = GREATEST(horizon_seq, $1::bigint), idle = $2, updated_at = now()
              WHERE id = 1`,
            [newHorizon.toString(), idle],
          );
        }
        next = frontier;
        const passResult: PassResult = {
          leader: true,
          sequenced: rows.length,
          treeSize: frontier.size,
          checkpoint,
          checkpointDueInMs,
          drained,
          lastSeq: rows.length ? BigInt(rows[rows.length - 1].seq) : null,
        };
        return passResult;
      });
      if (!result) return { ...emptyPass(), leader: false };
      this.frontier = next;
      return result;
    } catch (err) {
      // the in-memory tree may be ahead of what committed: rebuild it from the database next time
      this.frontier = undefined;
      this.horizon.reset();
      throw err;
    }
  }

  private async restoreFrontier(m: EntityManager, size: number): Promise<MerkleFrontier> {
    const hashOf = await this.store.requireNodes(MerkleFrontier.nodesFor(size), m);
    return MerkleFrontier.restore(size, hashOf);
  }

  private async append(m: EntityManager, frontier: MerkleFrontier, rows: CandidateRow[]): Promise<void> {
    const indexes: string[] = [];
    const seqs: string[] = [];
    const leaves: Buffer[] = [];
    const nodes: CompletedNode[] = [];
    for (const row of rows) {
      const index = frontier.size;
      const leaf = eventLeafHash(toLedgerEvent(index, row));
      frontier.append(leaf, (n) => nodes.push(n));
      indexes.push(String(index));
      seqs.push(row.seq);
      leaves.push(leaf);
    }
    await m.query(
      `INSERT INTO audit_ledger_entries (leaf_index, event_seq, leaf_hash)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bytea[])`,
      [indexes, seqs, leaves],
    );
    if (nodes.length) {
      await m.query(
        `INSERT INTO audit_tree_nodes (level, position, hash)
         SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])`,
        [nodes.map((n) => n.level), nodes.map((n) => String(n.index)), nodes.map((n) => n.hash)],
      );
    }
  }

  private async signCheckpoint(m: EntityManager, frontier: MerkleFrontier): Promise<CheckpointRow> {
    // the database clock, to the millisecond, formatted exactly as the API returns timestamps
    const [{ at }] = (await m.query(
      `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at`,
    )) as { at: string }[];
    const fields = { treeSize: frontier.size, rootHash: frontier.root().toString('hex'), at };
    const signature = this.signer.sign(fields);
    await m.query(
      `INSERT INTO audit_checkpoints (tree_size, root_hash, at, signature, public_key) VALUES ($1, $2, $3, $4, $5)`,
      [fields.treeSize, frontier.root(), at, signature, this.signer.publicKey],
    );
    return {
      treeSize: fields.treeSize,
      rootHash: frontier.root(),
      at: new Date(at),
      signature,
      publicKey: this.signer.publicKey,
    };
  }
}

function emptyPass(): PassResult {
  return {
    leader: true,
    sequenced: 0,
    treeSize: 0,
    checkpoint: null,
    checkpointDueInMs: null,
    drained: true,
    lastSeq: null,
  };
}
