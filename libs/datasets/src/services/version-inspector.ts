import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { safeArchivePath, ARCHIVE_LIMITS } from '../archive/archive-policy';
import { TarError, TarWalker } from '../archive/tar-walker';
import { CsvParser, CsvSyntaxError } from '../csv/csv-parser';
import {
  DatasetArchiveInvalidError,
  DatasetCsvInvalidError,
  DatasetFileTypeError,
  DatasetSchemaMismatchError,
} from '../datasets.errors';
import type { ArchiveFormat, DatasetField, DatasetVersionKind } from '../schema/dataset-schema';
import { CsvSchemaChecker, SchemaMismatch } from '../schema/schema-check';

export const SCHEMA_SAMPLE_ROWS = 1000;

export type UploadFormat = 'csv' | ArchiveFormat;

/** The format the file name promises (null: no recognizable extension; decided by the bytes). */
export function formatFromName(fileName: string): UploadFormat | null | 'unsupported' {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.zip')) return 'zip';
  return /\.[a-z0-9]{1,8}$/.test(lower) ? 'unsupported' : null;
}

function formatFromBytes(head: Buffer): UploadFormat {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  return 'csv';
}

/**
 * Sits between the multipart file part and object storage: passes every byte through unchanged while
 * deciding the format (name and magic bytes must agree), and, for a CSV, parsing it (UTF-8, RFC 4180),
 * counting records and checking the declared schema; for a .tar.gz, gunzipping a copy and walking its
 * entries (regular files counted, unsafe entries refused). An error fails the stream, so storage
 * stores nothing.
 */
export class VersionInspector extends Transform {
  format: UploadFormat | null = null;
  private head = Buffer.alloc(0);
  private decoder = new TextDecoder('utf-8', { fatal: true });
  private parser: CsvParser | null = null;
  private checker: CsvSchemaChecker | null = null;
  private gunzip: Gunzip | null = null;
  private walker: TarWalker | null = null;
  private files = 0;
  private entries = 0;
  private extractedBytes = 0;
  private failure: Error | null = null;
  bytes = 0;

  constructor(
    private readonly fileName: string,
    private readonly fields: readonly DatasetField[],
  ) {
    super();
  }

  get kind(): DatasetVersionKind {
    return this.format === 'csv' ? 'csv' : 'archive';
  }

  get rowCount(): number {
    return this.format === 'csv' ? (this.checker?.rowCount ?? 0) : this.files;
  }

  get columns(): string[] {
    return this.checker?.columns ?? [];
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.bytes += chunk.length;
      if (!this.format) {
        this.head = Buffer.concat([this.head, chunk]);
        if (this.head.length < 4) {
          cb();
          return;
        }
        this.start(this.head);
        const head = this.head;
        this.head = Buffer.alloc(0);
        this.feed(head, cb);
        return;
      }
      this.feed(chunk, cb);
    } catch (err) {
      cb(this.translate(err));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      if (!this.format && this.head.length) {
        this.start(this.head);
        const head = this.head;
        this.head = Buffer.alloc(0);
        this.feed(head, (err) => (err ? cb(err) : this.finish(cb)));
        return;
      }
      this.finish(cb);
    } catch (err) {
      cb(this.translate(err));
    }
  }

  private start(head: Buffer): void {
    const named = formatFromName(this.fileName);
    const actual = formatFromBytes(head);
    if (named === 'unsupported')
      throw new DatasetFileTypeError('Send a CSV (.csv) or an archive of files (.tar.gz, .zip).');
    if (named && named !== actual)
      throw new DatasetFileTypeError(
        `The file is named .${named} but its content is ${actual === 'csv' ? 'text' : actual}.`,
      );
    this.format = actual;
    if (actual === 'csv') {
      this.checker = new CsvSchemaChecker(this.fields, SCHEMA_SAMPLE_ROWS);
      this.parser = new CsvParser((record, line) => this.checker!.onRecord(record, line));
    } else if (actual === 'tar.gz') {
      this.walker = new TarWalker({
        entry: (h) => {
          if (++this.entries > ARCHIVE_LIMITS.maxEntries)
            throw new TarError(`more than ${ARCHIVE_LIMITS.maxEntries} entries`);
          const safe = safeArchivePath(h.path);
          if ('problem' in safe) throw new TarError(`entry ${JSON.stringify(h.path)}: ${safe.problem}`);
          if (h.kind === 'symlink' || h.kind === 'hardlink' || h.kind === 'other')
            throw new TarError(
              `entry ${JSON.stringify(h.path)}: only regular files and directories are accepted`,
            );
          if (h.kind === 'file') {
            this.files++;
            this.extractedBytes += h.size;
            if (this.extractedBytes > ARCHIVE_LIMITS.maxTotalBytes)
              throw new TarError(`more than ${ARCHIVE_LIMITS.maxTotalBytes} bytes once extracted`);
          }
        },
      });
      this.gunzip = createGunzip();
      this.gunzip.on('data', (data: Buffer) => {
        if (this.failure) return;
        try {
          this.walker!.write(data);
        } catch (err) {
          this.failure = this.translate(err);
        }
      });
      this.gunzip.on('error', (err) => {
        this.failure ??= new DatasetArchiveInvalidError(
          `The .tar.gz cannot be decompressed (${err.message}).`,
        );
      });
    }
  }

  private feed(chunk: Buffer, cb: TransformCallback): void {
    if (this.format === 'csv') {
      let text: string;
      try {
        text = this.decoder.decode(chunk, { stream: true });
      } catch {
        throw new DatasetCsvInvalidError(this.parser!.currentLine, 'the file is not valid UTF-8');
      }
      this.parser!.write(text);
      cb(null, chunk);
    } else if (this.gunzip) {
      if (this.failure) {
        cb(this.failure);
        return;
      }
      this.gunzip.write(chunk, () => cb(this.failure ?? null, this.failure ? undefined : chunk));
    } else cb(null, chunk);
  }

  private finish(cb: TransformCallback): void {
    try {
      if (this.format === 'csv') {
        let text: string;
        try {
          text = this.decoder.decode();
        } catch {
          throw new DatasetCsvInvalidError(this.parser!.currentLine, 'the file is not valid UTF-8');
        }
        this.parser!.write(text);
        this.parser!.end();
        this.checker!.finish();
        cb();
      } else if (this.gunzip) {
        this.gunzip.once('end', () => {
          try {
            if (this.failure) throw this.failure;
            this.walker!.end();
            if (!this.walker!.ended && this.entries === 0) throw new TarError('no entries');
            cb();
          } catch (err) {
            cb(this.translate(err));
          }
        });
        this.gunzip.once('error', () =>
          cb(this.failure ?? new DatasetArchiveInvalidError('The .tar.gz cannot be decompressed.')),
        );
        this.gunzip.end();
      } else cb();
    } catch (err) {
      cb(this.translate(err));
    }
  }

  private translate(err: unknown): Error {
    if (err instanceof CsvSyntaxError)
      return new DatasetCsvInvalidError(err.line, err.message.replace(/^line \d+: /, ''));
    if (err instanceof SchemaMismatch) return new DatasetSchemaMismatchError(err.problems);
    if (err instanceof TarError)
      return new DatasetArchiveInvalidError(`The archive is not acceptable: ${err.message}.`);
    return err instanceof Error ? err : new Error(String(err));
  }
}
