/**
 * A push-based reader of (uncompressed) tar streams for dataset archives: feed bytes in any chunking;
 * it reports each entry (ustar, pax `path`/`size`, GNU long names) and the bytes of regular files.
 * It decides nothing about safety: see archive-policy.ts.
 */
export type TarEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarHeader {
  path: string;
  kind: TarEntryKind;
  size: number;
  mode: number;
}

export interface TarSink {
  entry(header: TarHeader): void;
  data?(chunk: Buffer): void;
  entryEnd?(): void;
}

export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;
const MAX_META = 1 << 20;

function octal(buf: Buffer, start: number, length: number, what: string): number {
  // base-256 (GNU) for large values: high bit of the first byte set
  if (buf[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + length; i++) v = v * 256 + buf[i];
    if (!Number.isSafeInteger(v)) throw new TarError(`${what} out of range`);
    return v;
  }
  const text = buf
    .toString('latin1', start, start + length)
    .replace(/\0.*$/s, '')
    .trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`invalid ${what}`);
  return parseInt(text, 8);
}

const cString = (buf: Buffer, start: number, length: number) => {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + length ? start + length : end);
};

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  return sum === octal(h, 148, 8, 'checksum');
}

export class TarWalker {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** bytes of the current entry's body still to come, then its padding */
  private remaining = 0;
  private padding = 0;
  private meta: { type: 'pax' | 'global' | 'gnu'; chunks: Buffer[] } | null = null;
  private paxPath: string | null = null;
  private paxSize: number | null = null;
  private gnuName: string | null = null;
  private zeroBlocks = 0;
  private inFile = false;
  ended = false;

  constructor(private readonly sink: TarSink) {}

  write(chunk: Buffer): void {
    let buf = chunk;
    while (buf.length) {
      if (this.ended) return; // trailing zero padding after the end marker
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, buf.length);
        const part = buf.subarray(0, n);
        if (this.meta) {
          this.meta.chunks.push(part);
        } else if (this.inFile) this.sink.data?.(part);
        this.remaining -= n;
        buf = buf.subarray(n);
        if (this.remaining === 0) this.finishBody();
        continue;
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, buf.length);
        this.padding -= n;
        buf = buf.subarray(n);
        continue;
      }
      // collect a header block
      const need = BLOCK - this.pendingLength;
      const part = buf.subarray(0, need);
      this.pending.push(part);
      this.pendingLength += part.length;
      buf = buf.subarray(part.length);
      if (this.pendingLength === BLOCK) {
        const header = Buffer.concat(this.pending, BLOCK);
        this.pending = [];
        this.pendingLength = 0;
        this.header(header);
      }
    }
  }

  /** Call at the end of the stream: a truncated archive is an error. */
  end(): void {
    if (this.remaining > 0 || this.pendingLength > 0 || this.meta)
      throw new TarError('the archive ends in the middle of an entry');
  }

  private header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      if (++this.zeroBlocks === 2) this.ended = true;
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(h)) throw new TarError('bad header checksum (not a tar archive?)');
    const flag = String.fromCharCode(h[156] || 48);
    const size = octal(h, 124, 12, 'size');
    if (flag === 'x' || flag === 'g' || flag === 'L') {
      if (size > MAX_META) throw new TarError('oversized extended header');
      // global pax headers are read and ignored
      this.meta = { type: flag === 'L' ? 'gnu' : flag === 'g' ? 'global' : 'pax', chunks: [] };
      this.startBody(size);
      return;
    }
    const magic = h.toString('latin1', 257, 262);
    const prefix = magic === 'ustar' ? cString(h, 345, 155) : '';
    const name = cString(h, 0, 100);
    const path = this.gnuName ?? this.paxPath ?? (prefix ? `${prefix}/${name}` : name);
    const realSize = this.paxSize ?? size;
    this.gnuName = null;
    this.paxPath = null;
    this.paxSize = null;
    const kind: TarEntryKind =
      flag === '0' || flag === '7'
        ? 'file'
        : flag === '5'
          ? 'directory'
          : flag === '2'
            ? 'symlink'
            : flag === '1'
              ? 'hardlink'
              : 'other';
    this.sink.entry({ path, kind, size: kind === 'file' ? realSize : 0, mode: octal(h, 100, 8, 'mode') });
    this.inFile = kind === 'file';
    if (kind === 'file') {
      this.startBody(realSize);
      if (realSize === 0) this.finishBody();
    } else if (kind === 'other' || kind === 'directory') this.startBody(flag === '5' ? 0 : size);
  }

  private startBody(size: number): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0 && this.meta) this.finishBody();
  }

  private finishBody(): void {
    if (this.meta) {
      const data = Buffer.concat(this.meta.chunks);
      if (this.meta.type === 'gnu') this.gnuName = data.toString('utf8').replace(/\0+$/, '');
      else if (this.meta.type === 'pax') this.parsePax(data);
      this.meta = null;
      return;
    }
    if (this.inFile) {
      this.inFile = false;
      this.sink.entryEnd?.();
    }
  }

  private parsePax(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      const space = data.indexOf(0x20, at);
      if (space < 0) throw new TarError('malformed pax header');
      const length = Number(data.toString('latin1', at, space));
      if (!Number.isInteger(length) || length <= 0 || at + length > data.length)
        throw new TarError('malformed pax header');
      const record = data.toString('utf8', space + 1, at + length - 1);
      const eq = record.indexOf('=');
      const key = record.slice(0, eq);
      const value = record.slice(eq + 1);
      if (key === 'path') this.paxPath = value;
      else if (key === 'size') this.paxSize = Number(value);
      at += length;
    }
  }
}
