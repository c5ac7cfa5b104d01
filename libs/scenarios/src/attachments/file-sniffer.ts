import { Transform, type TransformCallback } from 'node:stream';

/**
 * Content checks of proposal attachments. Types are decided by the bytes, never by the name or the
 * client's Content-Type: PDF starts with `%PDF-`; ZIP with a local file header `PK\x03\x04`; a DOCX is a
 * ZIP whose central directory lists `[Content_Types].xml` and entries under `word/`.
 */
export type AttachmentKind = 'pdf' | 'docx' | 'zip';

export const ATTACHMENT_CONTENT_TYPES: Record<AttachmentKind, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  zip: 'application/zip',
};

/** The byte family of a file from its first bytes: `pdf`, `zip`, or null for anything else. */
export type MagicFamily = 'pdf' | 'zip';

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
export const MAGIC_BYTES_NEEDED = Math.max(PDF_MAGIC.length, ZIP_MAGIC.length);

export function sniffMagic(head: Buffer): MagicFamily | null {
  if (head.length >= PDF_MAGIC.length && head.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) return 'pdf';
  if (head.length >= ZIP_MAGIC.length && head.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) return 'zip';
  return null;
}

/** A ZIP whose directory cannot be read (truncated, corrupt, or not a ZIP after all). */
export class InvalidZipError extends Error {
  constructor(reason: string) {
    super(`not a readable ZIP archive: ${reason}`);
    this.name = 'InvalidZipError';
  }
}

/** Reads bytes [start, end) of the file. */
export type ByteReader = (start: number, end: number) => Promise<Buffer>;

const EOCD_SIGNATURE = 0x06054b50;
const EOCD_MIN = 22;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CDH_SIGNATURE = 0x02014b50;
const CDH_SIZE = 46;
/** the EOCD record plus the longest possible archive comment */
export const ZIP_TAIL_WINDOW = EOCD_MIN + 0xffff;

export interface ZipDirectoryLimits {
  maxCentralDirectoryBytes: number;
  maxEntries: number;
}

const DEFAULT_LIMITS: ZipDirectoryLimits = { maxCentralDirectoryBytes: 8 * 1024 * 1024, maxEntries: 100_000 };

const u64 = (b: Buffer, at: number): number => {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidZipError('ZIP64 value out of range');
  return Number(v);
};

/**
 * The entry names of a ZIP of `size` bytes, from its central directory (end of central directory record,
 * ZIP64 when needed). Reads only the tail and the directory, through `read`.
 */
export async function zipEntryNames(
  size: number,
  read: ByteReader,
  limits: ZipDirectoryLimits = DEFAULT_LIMITS,
): Promise<string[]> {
  if (size < EOCD_MIN) throw new InvalidZipError('too short');
  const tailStart = Math.max(0, size - ZIP_TAIL_WINDOW);
  const tail = await read(tailStart, size);
  // the EOCD record must end exactly at the end of the file (after its comment)
  let eocd = -1;
  for (let i = tail.length - EOCD_MIN; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_MIN + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new InvalidZipError('no end of central directory record');
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const eocdAbsolute = tailStart + eocd;
  let directoryEnd = eocdAbsolute;
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = eocdAbsolute - ZIP64_LOCATOR_SIZE;
    if (locatorAt < 0) throw new InvalidZipError('ZIP64 locator missing');
    const locator = await read(locatorAt, eocdAbsolute);
    if (locator.readUInt32LE(0) !== ZIP64_LOCATOR_SIGNATURE)
      throw new InvalidZipError('ZIP64 locator missing');
    const recordAt = u64(locator, 8);
    if (recordAt + 56 > locatorAt) throw new InvalidZipError('ZIP64 record out of bounds');
    const record = await read(recordAt, recordAt + 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new InvalidZipError('ZIP64 record missing');
    entries = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
    directoryEnd = recordAt;
  }
  if (cdOffset + cdSize > directoryEnd) throw new InvalidZipError('central directory out of bounds');
  if (cdSize > limits.maxCentralDirectoryBytes) throw new InvalidZipError('central directory too large');
  if (entries > limits.maxEntries) throw new InvalidZipError('too many entries');
  const cd = await read(cdOffset, cdOffset + cdSize);
  const names: string[] = [];
  let at = 0;
  for (let n = 0; n < entries; n++) {
    if (at + CDH_SIZE > cd.length || cd.readUInt32LE(at) !== CDH_SIGNATURE)
      throw new InvalidZipError('corrupt central directory');
    const flags = cd.readUInt16LE(at + 8);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    const nameEnd = at + CDH_SIZE + nameLength;
    if (nameEnd > cd.length) throw new InvalidZipError('corrupt central directory');
    // bit 11: UTF-8 names; otherwise CP437, of which the ASCII names we look for are a subset
    names.push(cd.toString(flags & 0x800 ? 'utf8' : 'latin1', at + CDH_SIZE, nameEnd));
    at = nameEnd + extraLength + commentLength;
  }
  return names;
}

/** A ZIP is a DOCX when it has the OOXML content types part and a `word/` folder. */
export function zipKind(names: readonly string[]): 'docx' | 'zip' {
  const isDocx = names.includes('[Content_Types].xml') && names.some((n) => n.startsWith('word/'));
  return isDocx ? 'docx' : 'zip';
}

export class WrongMagicBytesError extends Error {
  constructor(readonly sizeBytes: number) {
    super('the file is not a PDF, DOCX or ZIP');
    this.name = 'WrongMagicBytesError';
  }
}

export class EmptyFileError extends Error {
  constructor() {
    super('the file is empty');
    this.name = 'EmptyFileError';
  }
}

/**
 * A pass-through stream that refuses, as soon as its first bytes arrive, anything that is not a PDF or
 * a ZIP (`WrongMagicBytesError`), and an empty body at its end (`EmptyFileError`). It keeps the last
 * {@link ZIP_TAIL_WINDOW} bytes (bounded memory) so the ZIP directory can usually be read without
 * fetching the object back.
 */
export class AttachmentSniffer extends Transform {
  family: MagicFamily | null = null;
  sizeBytes = 0;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tailChunks: Buffer[] = [];
  private tailBytes = 0;

  constructor(private readonly tailWindow = ZIP_TAIL_WINDOW) {
    super();
  }

  /** The last bytes seen and their absolute offset. */
  get tail(): { offset: number; bytes: Buffer } {
    const bytes = Buffer.concat(this.tailChunks);
    return { offset: this.sizeBytes - bytes.length, bytes };
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sizeBytes += chunk.length;
    this.keepTail(chunk);
    if (this.family) {
      callback(null, chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < MAGIC_BYTES_NEEDED) {
      callback();
      return;
    }
    const head = Buffer.concat(this.head);
    this.head = [];
    this.family = sniffMagic(head);
    if (!this.family) {
      callback(new WrongMagicBytesError(this.sizeBytes));
      return;
    }
    callback(null, head);
  }

  override _flush(callback: TransformCallback): void {
    if (this.sizeBytes === 0) callback(new EmptyFileError());
    else if (!this.family) callback(new WrongMagicBytesError(this.sizeBytes));
    else callback();
  }

  private keepTail(chunk: Buffer): void {
    this.tailChunks.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailChunks.length > 1 && this.tailBytes - this.tailChunks[0].length >= this.tailWindow) {
      this.tailBytes -= this.tailChunks.shift()!.length;
    }
    const excess = this.tailBytes - this.tailWindow;
    if (excess > 0) {
      // copy, so the big chunk this came from is not kept alive
      this.tailChunks[0] = Buffer.from(this.tailChunks[0].subarray(excess));
      this.tailBytes -= excess;
    }
  }
}
