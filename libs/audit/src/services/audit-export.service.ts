import { Injectable, StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuditEventView, CheckpointView, ExportQueryDto } from '../dto/audit.dto';
import { CheckpointNotFoundError, invalidParam, RangeNotCheckpointedError } from '../audit.errors';
import { inclusionProofRanges, rangeHash, subtreeNodes } from '../ledger/merkle';
import { LEDGER_EVENT_COLUMNS } from '../ledger/ledger-event';
import { LedgerStore, toCheckpointView } from './ledger-store.service';
import { toEventView } from './audit-query.service';

export const EXPORT_FORMAT = 'aihub-audit-export/v1';
export const MAX_EXPORT_ENTRIES = 10_000;
const PAGE = 1000;

/** One NDJSON line of an export; see docs/audit-ledger.md. */
export type ExportLine =
  | { type: 'header'; format: string; fromIndex: number; toIndex: number; treeSize: number }
  | { type: 'event'; event: AuditEventView }
  | { type: 'checkpoint'; checkpoint: CheckpointView }
  | { type: 'inclusion'; index: number; treeSize: number; leafHash: string; proof: string[] }
  | { type: 'end'; events: number };

export interface PreparedExport {
  fromIndex: number;
  toIndex: number;
  checkpoint: CheckpointView;
  lines: AsyncGenerator<string>;
}

/**
 * A range of the ledger as NDJSON, for auditors who verify without access to the database: a header,
 * the events exactly as GET /audit/events returns them (with index and leafHash), the latest signed
 * checkpoint, one inclusion proof per event against it, and an end line with the count.
 */
@Injectable()
export class AuditExportService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly store: LedgerStore,
  ) {}

  /** Validates the range against the latest checkpoint before anything is streamed. */
  async prepare(q: ExportQueryDto): Promise<PreparedExport> {
    const latest = await this.store.latestCheckpoint();
    if (!latest) throw new CheckpointNotFoundError();
    const treeSize = latest.treeSize;
    const fromIndex = q.fromIndex ?? 0;
    if (fromIndex >= treeSize) throw new RangeNotCheckpointedError(fromIndex + 1, treeSize);
    const toIndex = q.toIndex ?? Math.min(fromIndex + MAX_EXPORT_ENTRIES, treeSize);
    if (toIndex <= fromIndex) throw invalidParam('toIndex', 'toIndex must be larger than fromIndex');
    if (toIndex - fromIndex > MAX_EXPORT_ENTRIES) {
      throw invalidParam('toIndex', `an export holds at most ${MAX_EXPORT_ENTRIES} entries`);
    }
    if (toIndex > treeSize) throw new RangeNotCheckpointedError(toIndex, treeSize);
    const checkpoint = toCheckpointView(latest);
    return { fromIndex, toIndex, checkpoint, lines: this.lines(fromIndex, toIndex, checkpoint) };
  }

  /** The export as a streamed `application/x-ndjson` response (errors in the range are thrown before). */
  async ndjson(q: ExportQueryDto): Promise<StreamableFile> {
    const prepared = await this.prepare(q);
    return new StreamableFile(Readable.from(prepared.lines), {
      type: 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="audit-${prepared.fromIndex}-${prepared.toIndex}.ndjson"`,
    });
  }

  private async *lines(
    fromIndex: number,
    toIndex: number,
    checkpoint: CheckpointView,
  ): AsyncGenerator<string> {
    const line = (l: ExportLine) => `${JSON.stringify(l)}\n`;
    const treeSize = checkpoint.treeSize;
    yield line({ type: 'header', format: EXPORT_FORMAT, fromIndex, toIndex, treeSize });
    let events = 0;
    for (let a = fromIndex; a < toIndex; a += PAGE) {
      const rows = await this.dataSource.query(
        `SELECT e.seq::text AS seq, e.id, ${LEDGER_EVENT_COLUMNS},
                l.leaf_index::text AS "leafIndex", l.leaf_hash AS "leafHash"
           FROM audit_ledger_entries l
           JOIN audit_events e ON e.seq = l.event_seq
          WHERE l.leaf_index >= $1 AND l.leaf_index < $2
          ORDER BY l.leaf_index`,
        [a, Math.min(a + PAGE, toIndex)],
      );
      for (const row of rows) {
        events++;
        yield line({ type: 'event', event: toEventView(row) });
      }
    }
    yield line({ type: 'checkpoint', checkpoint });
    for (let a = fromIndex; a < toIndex; a += PAGE) {
      const indexes = Array.from({ length: Math.min(PAGE, toIndex - a) }, (_, k) => a + k);
      const paths = indexes.map((i) => inclusionProofRanges(i, treeSize));
      const hashOf = await this.store.requireNodes([
        ...indexes.map((index) => ({ level: 0, index })),
        ...paths.flat().flatMap((r) => subtreeNodes(r)),
      ]);
      for (let k = 0; k < indexes.length; k++) {
        yield line({
          type: 'inclusion',
          index: indexes[k],
          treeSize,
          leafHash: hashOf({ level: 0, index: indexes[k] }).toString('hex'),
          proof: paths[k].map((r) => rangeHash(r, hashOf).toString('hex')),
        });
      }
    }
    yield line({ type: 'end', events });
  }
}
