import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, hash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import type { VerifyResultView } from '../dto/audit.dto';
import { eventLeafHash, LEDGER_EVENT_COLUMNS, LedgerEventRow, toLedgerEvent } from '../ledger/ledger-event';
import { EMPTY_ROOT, HASH_BYTES } from '../ledger/merkle';
import { verifyCheckpointSignature } from '../ledger/signing';
import { completeLevels, foldRight, hashAt, prefixParts } from '../ledger/tree-levels';
import {
  EntryVerdict,
  Findings,
  NodeMismatch,
  reportInLedgerOrder,
  TrustedCheckpoint,
} from '../ledger/verification-findings';
import { CheckpointSigner } from './checkpoint-signer.service';
import { CheckpointRow, LedgerStore } from './ledger-store.service';

/** chunks read ahead of the one being hashed */
const READ_AHEAD = 3;
/** suspect entries examined per round trip */
const EXAMINE_BATCH = 2000;

/**
 * The leaf hash of an event computed inside PostgreSQL: the same canonical JSON as ledger-event.ts builds
 * (members in code-unit order, `details` spliced in from their canonical text — what the API shows — and
 * strings escaped by to_json, which escapes exactly what JSON.stringify does for text PostgreSQL can hold).
 * Null for events without canonical details text. Wherever it differs from the stored leaf, the entry is
 * examined in JavaScript, so a formatting corner case here (a year beyond 9999) costs time, never a verdict.
 *
 * to_json looks the type up on every call (about a quarter of the expression's cost), so when none of the
 * text columns holds a character to_json escapes (`"`, `\`, U+0001..U+001F; text cannot hold U+0000) they
 * are quoted as they are — the same text. (The check is needed: a quote left unescaped could make up another
 * event's JSON.) A uuid never needs escaping. textsend gives the text's bytes in the client encoding, pinned
 * to UTF8 by the query (convert_to validates every character again, at twice the cost).
 */
const SQL_LEAF_HASH = `sha256('\\x00'::bytea || textsend(CASE
  WHEN (e.action || e.object_type || e.outcome || coalesce(e.ip, '') || coalesce(e.object_id, '')) !~ '["\\\\\\x01-\\x1f]'
  THEN '{"action":"' || e.action
    || '","actorId":' || coalesce('"' || e.actor_id::text || '"', 'null')
    || ',"at":"' || to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    || '","details":' || e.details_jcs
    || ',"index":' || l.leaf_index
    || ',"ip":' || coalesce('"' || e.ip || '"', 'null')
    || ',"objectId":' || coalesce('"' || e.object_id || '"', 'null')
    || ',"objectType":"' || e.object_type
    || '","outcome":"' || e.outcome
    || '"}'
  ELSE '{"action":' || to_json(e.action)::text
    || ',"actorId":' || coalesce('"' || e.actor_id::text || '"', 'null')
    || ',"at":"' || to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    || '","details":' || e.details_jcs
    || ',"index":' || l.leaf_index
    || ',"ip":' || coalesce(to_json(e.ip)::text, 'null')
    || ',"objectId":' || coalesce(to_json(e.object_id)::text, 'null')
    || ',"objectType":' || to_json(e.object_type)::text
    || ',"outcome":' || to_json(e.outcome)::text
    || '}'
  END))`;

/**
 * The stored subtrees of one level range r(level, lo, count): one primary-key range scan per level (OFFSET 0
 * keeps the planner from turning it into a join that scans the whole table).
 */
const NODES_OF_LEVEL = `SELECT n.level, n.position, n.hash FROM audit_tree_nodes n
  WHERE n.level = r.level AND n.position >= r.lo AND n.position < r.lo + r.count OFFSET 0`;

/** a stored subtree as a packed record: level int2, position int8, hash */
const NODE_RECORD = 2 + 8 + HASH_BYTES;

/** Writes a non-negative integer below 2^53 as a big-endian int8 (what int8send gives). */
function writeInt8Key(buf: Buffer, off: number, value: number): void {
  buf.writeUInt32BE(Math.floor(value / 2 ** 32), off);
  buf.writeUInt32BE(value % 2 ** 32, off + 4);
}

/** Decodes packed records sent as base64 (PostgreSQL's line breaks are skipped by the decoder). */
function unpack(base64: string | null, record: number): Buffer {
  const packed = Buffer.from(base64 ?? '', 'base64');
  if (packed.length % record !== 0) throw new Error('audit verifier: malformed packed records');
  return packed;
}

interface EntryRow extends LedgerEventRow {
  i: string;
  h: Buffer;
  present: boolean;
}

/**
 * One chunk as read for the tree pass. Each value is aggregated over the rows in the order PostgreSQL
 * returns them (all aggregates of one query see the rows in the same order); the digests of their keys
 * tell whether that order is the expected one, so no sort is needed and a different order costs time only.
 */
interface ChunkRead {
  /** how many stored leaves lie in the chunk, their hashes, and SHA-256 over their int8 indexes */
  leafCount: number;
  leafHashes: Buffer | null;
  leafKeys: Buffer | null;
  /** how many stored subtrees lie in the chunk, SHA-256 over their hashes and over their (level, position) */
  nodeCount: number;
  nodeDigest: Buffer | null;
  nodeKeys: Buffer | null;
}

/** What the pass over the stored tree found. */
interface TreePass {
  gaps: number[];
  nodeMismatches: NodeMismatch[];
  /** recomputed roots of the requested sizes */
  roots: Map<number, Buffer>;
}

/**
 * Full verification of the ledger from what is stored: every leaf recomputed from its event (the API's
 * JSON form, JCS, SHA-256), the tree rebuilt, and compared with the stored leaves, the stored subtree
 * hashes and every signed checkpoint (signature, signer key and root).
 *
 * Two passes run side by side: PostgreSQL recomputes every leaf from its event and names the entries whose
 * stored leaf differs (or that it cannot judge); here the tree is rebuilt level by level from the stored
 * leaves, chunk by chunk, and compared with the stored subtrees and the signed roots. Only the named entries
 * are then examined one by one in JavaScript (the hashed form exactly as the API shows it); if any of them
 * really differs, the tree pass is repeated with the recomputed leaves in their place.
 */
@Injectable()
export class AuditVerifier {
  private readonly logger = new Logger(AuditVerifier.name);
  /**
   * The tree pass works on chunks of 2^chunkLevel leaves (complete subtrees, so every node below that level
   * lies in one chunk). Tests lower it to cross chunk boundaries with few entries.
   */
  chunkLevel = 16;
  /** event_seq ranges the leaf pass is split into (tests raise it to put a tampered entry in a later range) */
  leafPassRanges = 4;

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
    const leafPass = this.leafPass(size, horizon);
    const suspects = leafPass.then((p) => p.suspects);
    const orphans = this.eventsNotInLedger(horizon, leafPass);
    // awaited below; do not let an early failure go unhandled meanwhile
    orphans.catch(() => undefined);
    suspects.catch(() => undefined);
    const findings = new Findings();
    const trusted = this.checkSignatures(checkpoints, findings);
    const sizes = [...trusted.map((c) => c.treeSize).filter((s) => s <= size), size];

    // the tree over the stored leaves is rebuilt while PostgreSQL recomputes the leaves
    let tree = await this.treePass(size, sizes, new Map());
    const verdicts = await this.examine(await suspects);
    if (verdicts.replaced.size) tree = await this.treePass(size, sizes, verdicts.replaced);

    const rootAt = (s: number) => tree.roots.get(s) ?? EMPTY_ROOT;
    reportInLedgerOrder(
      {
        size,
        gaps: tree.gaps,
        verdicts: verdicts.list,
        nodeMismatches: tree.nodeMismatches,
        trusted,
        rootAt,
      },
      findings,
    );
    const { count, firstSeq } = await orphans;
    if (count > 0) {
      findings.general(
        'event_not_in_ledger',
        `${count} committed event(s) older than the sequencer horizon are not in the ledger (first seq ${firstSeq})`,
      );
    }
    const result: VerifyResultView = {
      ok: !findings.failed,
      treeSize: size,
      rootHash: (size > 0 ? rootAt(size) : EMPTY_ROOT).toString('hex'),
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
   * Entries below `size` whose leaf PostgreSQL cannot confirm: the event is missing, has no canonical
   * details text (recorded before there was one), or hashes to another leaf. Ascending. (Public for tests:
   * it must name nothing in an untouched ledger, or verification loses its speed.)
   */
  async unconfirmedEntries(size: number): Promise<number[]> {
    return (await this.leafPass(size, '0')).suspects;
  }

  /**
   * The unconfirmed entries below `size`, and how many entries (of any index) name an event with
   * seq <= `horizon` that is there: the events up to the horizon that are in the ledger.
   *
   * The entries are split into `leafPassRanges` ranges of event_seq, each queried on a connection of its
   * own, so that PostgreSQL works on several cores (one merge join each: both sides are read in seq order
   * from their unique indexes). The ranges cover every event_seq whatever the entries hold.
   */
  private async leafPass(size: number, horizon: string): Promise<{ suspects: number[]; matched: number }> {
    if (size === 0) return { suspects: [], matched: 0 };
    const at = Array.from({ length: this.leafPassRanges - 1 }, (_, k) =>
      String(Math.floor((size * (k + 1)) / this.leafPassRanges)),
    );
    // split points: the events of evenly spaced entries (normally events and entries share their order)
    const splits = at.length
      ? (
          (await this.dataSource.query(
            `SELECT event_seq::text AS s FROM audit_ledger_entries
              WHERE leaf_index = ANY($1::bigint[]) GROUP BY event_seq ORDER BY event_seq`,
            [at],
          )) as { s: string }[]
        ).map((r) => r.s)
      : [];
    const bounds = [null, ...splits, null];
    const ranges = await Promise.all(
      bounds.slice(1).map((hi, k) => this.leafPassRange(size, horizon, bounds[k], hi)),
    );
    return {
      suspects: ranges.flatMap((r) => r.suspects).sort((x, y) => x - y),
      matched: ranges.reduce((sum, r) => sum + r.matched, 0),
    };
  }

  /** leafPass for the entries with lo <= event_seq < hi (null: unbounded). */
  private async leafPassRange(
    size: number,
    horizon: string,
    lo: string | null,
    hi: string | null,
  ): Promise<{ suspects: number[]; matched: number }> {
    const params: string[] = [String(size), horizon];
    const entries: string[] = [];
    const events: string[] = [];
    if (lo !== null) {
      params.push(lo);
      entries.push(`l.event_seq >= $${params.length}`);
      events.push(`e.seq >= $${params.length}`);
    }
    if (hi !== null) {
      params.push(hi);
      entries.push(`l.event_seq < $${params.length}`);
      events.push(`e.seq < $${params.length}`);
    }
    const [row] = (await this.dataSource.transaction(async (m) => {
      // JIT compilation of this expression costs more than it saves; the join itself costs ~1.1 CPU-s per
      // million entries as a hash join, ~0.6 as a merge join; the ranges already are the parallelism
      await m.query(
        `SET LOCAL jit = off; SET LOCAL enable_hashjoin = off; SET LOCAL max_parallel_workers_per_gather = 0;
         SET LOCAL client_encoding = 'UTF8'`,
      );
      return m.query(
        `SELECT array_agg(l.leaf_index::text) FILTER (WHERE l.leaf_index < $1
                  AND (e.seq IS NULL OR e.details_jcs IS NULL OR ${SQL_LEAF_HASH} IS DISTINCT FROM l.leaf_hash)) AS s,
                count(*) FILTER (WHERE e.seq <= $2)::int AS m
           FROM audit_ledger_entries l
           LEFT JOIN audit_events e ON e.seq = l.event_seq ${events.map((c) => `AND ${c}`).join(' ')}
          ${entries.length ? `WHERE ${entries.join(' AND ')}` : ''}`,
        params,
      ) as Promise<{ s: string[] | null; m: number }[]>;
    })) as { s: string[] | null; m: number }[];
    return { suspects: (row.s ?? []).map(Number), matched: row.m };
  }

  /**
   * The suspect entries one by one, hashed from the event exactly as the API shows it. Returns a verdict
   * for each, and the recomputed leaf of each that really differs (the tree is rebuilt with those).
   */
  private async examine(indexes: number[]): Promise<{ list: EntryVerdict[]; replaced: Map<number, Buffer> }> {
    const list: EntryVerdict[] = [];
    const replaced = new Map<number, Buffer>();
    for (let k = 0; k < indexes.length; k += EXAMINE_BATCH) {
      const rows = (await this.dataSource.query(
        `SELECT l.leaf_index::text AS i, l.leaf_hash AS h, e.seq IS NOT NULL AS present, ${LEDGER_EVENT_COLUMNS}
           FROM audit_ledger_entries l
           LEFT JOIN audit_events e ON e.seq = l.event_seq
          WHERE l.leaf_index = ANY($1::bigint[])
          ORDER BY l.leaf_index`,
        [indexes.slice(k, k + EXAMINE_BATCH).map(String)],
      )) as EntryRow[];
      for (const row of rows) {
        const index = Number(row.i);
        if (!row.present) {
          // the stored leaf stays in the tree: only this entry is reported
          list.push({ index, kind: 'missing_event' });
          continue;
        }
        let leaf: Buffer;
        try {
          leaf = eventLeafHash(toLedgerEvent(index, row));
        } catch {
          // details that are not JSON (only possible behind the database's back): nothing hashes to the leaf
          list.push({ index, kind: 'mismatch', asPrevious: false, asNext: false });
          continue;
        }
        if (leaf.equals(row.h)) {
          list.push({ index, kind: 'match' });
          continue;
        }
        replaced.set(index, leaf);
        list.push({
          index,
          kind: 'mismatch',
          asPrevious: index > 0 && eventLeafHash(toLedgerEvent(index - 1, row)).equals(row.h),
          asNext: eventLeafHash(toLedgerEvent(index + 1, row)).equals(row.h),
        });
      }
    }
    return { list, replaced };
  }

  /**
   * Rebuilds the tree over the stored leaves (missing ones as zero hashes, `replaced` ones substituted),
   * one chunk of 2^16 leaves at a time with the next chunks read meanwhile, and compares every complete
   * subtree with the stored one. Returns the roots of `sizes`.
   */
  private async treePass(size: number, sizes: number[], replaced: Map<number, Buffer>): Promise<TreePass> {
    const chunkSize = 2 ** this.chunkLevel;
    const pass: TreePass = { gaps: [], nodeMismatches: [], roots: new Map() };
    /** per size: the root of its part inside the chunk it ends in (null when it ends on a chunk boundary) */
    const inner = new Map<number, Buffer | null>();
    const chunkRoots: Buffer[] = [];
    const chunks = Math.ceil(size / chunkSize);
    // reads run READ_AHEAD chunks ahead of the hashing (PostgreSQL packs while this process hashes)
    const reads: Promise<ChunkRead>[] = [];
    const readFrom = (c: number) => {
      if (c >= chunks) return;
      const read = this.readChunk(c, size);
      read.catch(() => undefined); // awaited in its turn
      reads[c] = read;
    };
    for (let c = 0; c < READ_AHEAD; c++) readFrom(c);
    for (let c = 0; c < chunks; c++) {
      const read = await reads[c];
      delete reads[c];
      readFrom(c + READ_AHEAD);
      const start = c * chunkSize;
      const count = Math.min(chunkSize, size - start);
      const leaves =
        this.leavesInOrder(read, start, count) ??
        this.placeLeaves(await this.readLeafRecords(start, start + count), start, count, pass.gaps);
      for (const [index, leaf] of replaced) {
        if (index >= start && index < start + count) leaf.copy(leaves, (index - start) * HASH_BYTES);
      }
      const levels = completeLevels(leaves, count);
      if (!this.nodesMatch(levels, c, read)) {
        this.compareNodes(levels, await this.readNodeRecords(c, size), c, pass.nodeMismatches);
      }
      if (count === chunkSize) chunkRoots.push(levels[this.chunkLevel]);
      for (const s of sizes) {
        if (s <= start || s > start + count) continue;
        const within = s - start;
        inner.set(
          s,
          within === chunkSize ? null : foldRight(prefixParts(within).map(([l, p]) => hashAt(levels[l], p))),
        );
      }
    }
    // above the chunks: complete subtrees of chunk roots
    const upper = completeLevels(Buffer.concat(chunkRoots), chunkRoots.length);
    if (upper.length > 1) await this.compareUpperNodes(upper, pass.nodeMismatches);
    for (const s of sizes) {
      const parts = prefixParts(Math.floor(s / chunkSize)).map(([l, p]) => hashAt(upper[l], p));
      const rest = inner.get(s);
      if (rest) parts.push(rest);
      if (parts.length) pass.roots.set(s, foldRight(parts));
    }
    return pass;
  }

  /**
   * The chunk's stored leaves as they came when they are exactly positions start..start+count-1 in order
   * (32 bytes each): the level-0 buffer without a copy. Null otherwise (read again as records).
   */
  private leavesInOrder(read: ChunkRead, start: number, count: number): Buffer | null {
    if (read.leafCount !== count || !read.leafHashes || !read.leafKeys) return null;
    if (read.leafHashes.length !== count * HASH_BYTES) return null;
    const keys = Buffer.allocUnsafe(count * 8);
    for (let p = 0; p < count; p++) writeInt8Key(keys, p * 8, start + p);
    return hash('sha256', keys, 'buffer').equals(read.leafKeys) ? read.leafHashes : null;
  }

  /**
   * Whether the chunk's stored subtrees are exactly the recomputed levels 1..16: as many as expected, their
   * (level, position) keys in (level, position) order and their hashes equal to the recomputed ones.
   */
  private nodesMatch(levels: Buffer[], c: number, read: ChunkRead): boolean {
    let expected = 0;
    for (let level = 1; level < levels.length; level++) expected += levels[level].length / HASH_BYTES;
    if (read.nodeCount !== expected) return false;
    if (expected === 0) return true;
    if (!read.nodeDigest || !read.nodeKeys) return false;
    const keys = Buffer.allocUnsafe(expected * 10);
    const hashes = createHash('sha256');
    let off = 0;
    for (let level = 1; level < levels.length; level++) {
      hashes.update(levels[level]);
      const first = c * 2 ** (this.chunkLevel - level);
      for (let p = 0; p < levels[level].length / HASH_BYTES; p++, off += 10) {
        keys.writeUInt16BE(level, off);
        writeInt8Key(keys, off + 2, first + p);
      }
    }
    return hashes.digest().equals(read.nodeDigest) && hash('sha256', keys, 'buffer').equals(read.nodeKeys);
  }

  /** The chunk's leaves in position order (missing ones as zero hashes); records the missing ones. */
  private placeLeaves(packed: Buffer, start: number, count: number, gaps: number[]): Buffer {
    const leaves = Buffer.alloc(count * HASH_BYTES);
    const present = new Uint8Array(count);
    for (let off = 0; off + 8 + HASH_BYTES <= packed.length; off += 8 + HASH_BYTES) {
      const pos = packed.readUInt32BE(off) * 2 ** 32 + packed.readUInt32BE(off + 4) - start;
      packed.copy(leaves, pos * HASH_BYTES, off + 8, off + 8 + HASH_BYTES);
      present[pos] = 1;
    }
    for (let pos = 0; pos < count; pos++) {
      if (!present[pos]) gaps.push(start + pos); // the buffer is zero-filled: PLACEHOLDER
    }
    return leaves;
  }

  /** Compares the recomputed levels 1..16 of chunk `c` with the stored nodes read for it. */
  private compareNodes(levels: Buffer[], stored: Buffer, c: number, out: NodeMismatch[]): void {
    // stored: packed (level int2, position int8, hash) in (level, position) order, complete levels expected
    const byLevel: { first: number; hashes: Buffer; present: Uint8Array }[] = [];
    for (let level = 1; level < levels.length; level++) {
      const n = levels[level].length / HASH_BYTES;
      byLevel[level] = {
        first: c * 2 ** (this.chunkLevel - level),
        hashes: Buffer.alloc(n * HASH_BYTES),
        present: new Uint8Array(n),
      };
    }
    const record = NODE_RECORD;
    for (let off = 0; off + record <= stored.length; off += record) {
      const level = stored.readUInt16BE(off);
      const slot = byLevel[level];
      if (!slot) continue;
      const pos = stored.readUInt32BE(off + 2) * 2 ** 32 + stored.readUInt32BE(off + 6) - slot.first;
      if (pos < 0 || pos >= slot.present.length) continue;
      stored.copy(slot.hashes, pos * HASH_BYTES, off + 10, off + record);
      slot.present[pos] = 1;
    }
    for (let level = 1; level < levels.length; level++) {
      const slot = byLevel[level];
      if (slot.hashes.equals(levels[level]) && !slot.present.includes(0)) continue;
      for (let p = 0; p < slot.present.length; p++) {
        const missing = !slot.present[p];
        if (missing || !hashAt(slot.hashes, p).equals(hashAt(levels[level], p))) {
          out.push({ level, index: slot.first + p, missing });
        }
      }
    }
  }

  /** Compares the complete subtrees above the chunks (levels 17 and up) with the stored ones. */
  private async compareUpperNodes(upper: Buffer[], out: NodeMismatch[]): Promise<void> {
    const levels = upper.map((_, k) => this.chunkLevel + k).slice(1);
    const counts = upper.slice(1).map((b) => b.length / HASH_BYTES);
    const rows = (await this.dataSource.query(
      `SELECT n.level, n.position::text AS position, n.hash
         FROM unnest($1::smallint[], $2::bigint[]) AS r(level, count)
         JOIN audit_tree_nodes n ON n.level = r.level AND n.position < r.count`,
      [levels, counts.map(String)],
    )) as { level: number; position: string; hash: Buffer }[];
    const found = new Map(rows.map((r) => [`${r.level}/${r.position}`, r.hash]));
    levels.forEach((level, k) => {
      for (let p = 0; p < counts[k]; p++) {
        const stored = found.get(`${level}/${p}`);
        if (!stored || !stored.equals(hashAt(upper[k + 1], p)))
          out.push({ level, index: p, missing: !stored });
      }
    });
  }

  /** The levels of complete subtrees stored for chunk `c`, as unnest() arrays: level, first position, count. */
  private chunkNodeRanges(c: number, size: number): [number[], string[], string[]] {
    const chunkSize = 2 ** this.chunkLevel;
    const start = c * chunkSize;
    const end = Math.min(start + chunkSize, size);
    const levels: number[] = [];
    const lows: string[] = [];
    const counts: string[] = [];
    for (let level = 1; level <= this.chunkLevel && 2 ** level <= end - start; level++) {
      levels.push(level);
      lows.push(String(start / 2 ** level));
      counts.push(String(Math.floor((end - start) / 2 ** level)));
    }
    return [levels, lows, counts];
  }

  /**
   * One chunk in one round trip: its stored leaves' hashes packed into one value (base64: the driver's hex
   * bytea parsing costs three times as much CPU here), and digests of its stored subtrees, compared here with
   * the recomputed ones (only a chunk that differs has its subtrees read).
   */
  private async readChunk(c: number, size: number): Promise<ChunkRead> {
    const chunkSize = 2 ** this.chunkLevel;
    const start = c * chunkSize;
    const end = Math.min(start + chunkSize, size);
    const [row] = (await this.dataSource.query(
      `SELECT lv.n AS "leafCount", lv.h AS "leafHashes", lv.k AS "leafKeys",
              nd.n AS "nodeCount", nd.d AS "nodeDigest", nd.k AS "nodeKeys"
         FROM (SELECT count(*)::int AS n,
                      CASE WHEN bool_and(octet_length(leaf_hash) = ${HASH_BYTES})
                           THEN encode(string_agg(leaf_hash, ''::bytea), 'base64') END AS h,
                      sha256(string_agg(int8send(leaf_index), ''::bytea)) AS k
                 FROM audit_ledger_entries WHERE leaf_index >= $1 AND leaf_index < $2) lv,
              (SELECT count(*)::int AS n,
                      CASE WHEN bool_and(octet_length(t.hash) = ${HASH_BYTES})
                           THEN sha256(string_agg(t.hash, ''::bytea)) END AS d,
                      sha256(string_agg(int2send(t.level) || int8send(t.position), ''::bytea)) AS k
                 FROM unnest($3::smallint[], $4::bigint[], $5::bigint[]) AS r(level, lo, count)
                 CROSS JOIN LATERAL (${NODES_OF_LEVEL}) t) nd`,
      [start, end, ...this.chunkNodeRanges(c, size)],
    )) as (Omit<ChunkRead, 'leafHashes'> & { leafHashes: string | null })[];
    return { ...row, leafHashes: row.leafHashes === null ? null : Buffer.from(row.leafHashes, 'base64') };
  }

  /** The stored leaves of [start, end) as packed (index int8, hash) records (for a chunk not in order). */
  private async readLeafRecords(start: number, end: number): Promise<Buffer> {
    const [row] = (await this.dataSource.query(
      `SELECT encode(string_agg(int8send(leaf_index) || leaf_hash, ''::bytea), 'base64') AS b
         FROM audit_ledger_entries WHERE leaf_index >= $1 AND leaf_index < $2`,
      [start, end],
    )) as { b: string | null }[];
    return unpack(row.b, 8 + HASH_BYTES);
  }

  /** The stored subtrees of chunk `c` as packed (level int2, position int8, hash) records (others: missing). */
  private async readNodeRecords(c: number, size: number): Promise<Buffer> {
    const [row] = (await this.dataSource.query(
      `SELECT encode(string_agg(int2send(t.level) || int8send(t.position) || t.hash, ''::bytea), 'base64') AS b
         FROM unnest($1::smallint[], $2::bigint[], $3::bigint[]) AS r(level, lo, count)
         CROSS JOIN LATERAL (${NODES_OF_LEVEL}) t
        WHERE octet_length(t.hash) = ${HASH_BYTES}`,
      this.chunkNodeRanges(c, size),
    )) as { b: string | null }[];
    return unpack(row.b, NODE_RECORD);
  }

  /** Checkpoints with a valid signature by this platform's key, in tree-size order; the rest are findings. */
  private checkSignatures(checkpoints: CheckpointRow[], findings: Findings): TrustedCheckpoint[] {
    const trusted: TrustedCheckpoint[] = [];
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

  private async horizonSeq(): Promise<string> {
    const [row] = (await this.dataSource.query(
      'SELECT horizon_seq::text AS h FROM audit_sequencer_state WHERE id = 1',
    )) as { h: string }[];
    return row?.h ?? '0';
  }

  /**
   * Committed events up to the sequencer horizon that are not in the ledger. Normally there are as many
   * such events as the leaf pass found entries naming them (event_seq is unique), and counting them costs
   * an index-only scan; only otherwise are they looked for one by one.
   */
  private async eventsNotInLedger(
    horizon: string,
    leafPass: Promise<{ matched: number }>,
  ): Promise<{ count: number; firstSeq: string | null }> {
    const [{ n }] = (await this.dataSource.query(
      'SELECT count(*)::int AS n FROM audit_events WHERE seq <= $1',
      [horizon],
    )) as { n: number }[];
    if (n === (await leafPass).matched) return { count: 0, firstSeq: null };
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, min(e.seq)::text AS "firstSeq"
         FROM audit_events e
        WHERE e.seq <= $1 AND NOT EXISTS (SELECT 1 FROM audit_ledger_entries l WHERE l.event_seq = e.seq)`,
      [horizon],
    )) as { count: number; firstSeq: string | null }[];
    return row;
  }
}
