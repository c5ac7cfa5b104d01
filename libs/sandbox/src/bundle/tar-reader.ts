/**
 * A small streaming reader of tar archives (POSIX ustar, pax extended headers, GNU long names), written
 * for bundles uploaded by companies: it trusts nothing, never touches the file system, and pulls bytes
 * from its source only as fast as entry bodies are consumed. Policy (which entries are acceptable) lives
 * in {@link extractBundle}; this file only decodes.
 */

export type TarEntryType =
  'file' | 'directory' | 'symlink' | 'hardlink' | 'character-device' | 'block-device' | 'fifo' | 'other';

export interface TarEntry {
  /** Path as stored (pax `path` / GNU long name / ustar prefix + name), not normalized. */
  path: string;
  type: TarEntryType;
  /** Raw type flag, for messages. */
  typeFlag: string;
  mode: number;
  size: number;
  linkPath: string;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

const BLOCK = 512;
/** Upper bound of a pax header or GNU long name record (defends the reader's memory). */
const MAX_META_BYTES = 1024 * 1024;

/** Pulls exact byte counts out of an async chunk source. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer | string>;

  constructor(source: AsyncIterable<Buffer | string>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.length < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else {
        const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        if (chunk.length) {
          this.chunks.push(chunk);
          this.length += chunk.length;
        }
      }
    }
  }

  private take(n: number): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
    this.chunks = out.length > n ? [out.subarray(n)] : [];
    this.length = out.length - n;
    return out.subarray(0, n);
  }

  /** Exactly `n` bytes, or null at a clean end of input; throws on a truncated read. */
  async exact(n: number): Promise<Buffer | null> {
    await this.fill(n);
    if (this.length === 0 && this.ended) return null;
    if (this.length < n) throw new TarFormatError('unexpected end of archive');
    return this.take(n);
  }

  /** Between 1 and `n` bytes; throws at end of input. */
  async upTo(n: number): Promise<Buffer> {
    await this.fill(1);
    if (this.length === 0) throw new TarFormatError('unexpected end of archive');
    return this.take(Math.min(n, this.length));
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) left -= (await this.upTo(left)).length;
  }

  async rest(): Promise<number> {
    let n = this.length;
    this.chunks = [];
    this.length = 0;
    while (!this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else n += r.value.length;
    }
    return n;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

function cString(buf: Buffer, start: number, end: number): string {
  const field = buf.subarray(start, end);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

/** Octal ASCII, or GNU base-256 (high bit of the first byte set). */
export function parseNumeric(buf: Buffer, start: number, end: number, field: string): number {
  const f = buf.subarray(start, end);
  if (f[0] & 0x80) {
    if (f[0] & 0x40) throw new TarFormatError(`negative ${field}`);
    let n = f[0] & 0x3f;
    for (let i = 1; i < f.length; i++) {
      n = n * 256 + f[i];
      if (n > Number.MAX_SAFE_INTEGER) throw new TarFormatError(`${field} too large`);
    }
    return n;
  }
  const text = f.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`invalid ${field} ${JSON.stringify(text)}`);
  const n = parseInt(text, 8);
  if (!Number.isSafeInteger(n)) throw new TarFormatError(`${field} too large`);
  return n;
}

function checksumOk(header: Buffer): boolean {
  const stored = parseNumeric(header, 148, 156, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** pax records: "<len> <key>=<value>\n" */
export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw new TarFormatError('malformed pax record');
    const len = Number(data.subarray(pos, space).toString('latin1'));
    if (!Number.isInteger(len) || len <= space - pos + 1 || pos + len > data.length)
      throw new TarFormatError('malformed pax record length');
    const record = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq <= 0 || data[pos + len - 1] !== 0x0a) throw new TarFormatError('malformed pax record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
};

export interface ReadTarOptions {
  /** Called for every real entry; consume `body` fully (or not at all: the rest is skipped). */
  onEntry(entry: TarEntry, body: AsyncIterable<Buffer>): Promise<void>;
}

/**
 * Decodes `source` entry by entry. Resolves after the end-of-archive marker (two zero blocks, or one
 * zero block then end of input); rejects with {@link TarFormatError} on any malformed or truncated input,
 * or with whatever `onEntry` throws.
 */
export async function readTar(
  source: AsyncIterable<Buffer | string>,
  options: ReadTarOptions,
): Promise<void> {
  const reader = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | null = null;
  let longLink: string | null = null;
  try {
    for (;;) {
      const header = await reader.exact(BLOCK);
      if (!header) throw new TarFormatError('archive ends without an end-of-archive marker');
      if (header.every((b) => b === 0)) {
        const next = await reader.exact(BLOCK);
        if (next && !next.every((b) => b === 0)) throw new TarFormatError('data after an empty block');
        await reader.rest(); // trailing zero padding up to the record size
        return;
      }
      if (!checksumOk(header)) throw new TarFormatError('header checksum mismatch (not a tar archive?)');
      const typeFlag = String.fromCharCode(header[156]);
      const size = parseNumeric(header, 124, 136, 'size');
      const padding = (BLOCK - (size % BLOCK)) % BLOCK;

      if (typeFlag === 'x' || typeFlag === 'g' || typeFlag === 'L' || typeFlag === 'K') {
        if (size > MAX_META_BYTES) throw new TarFormatError(`metadata entry of ${size} bytes is too large`);
        const data = size ? await reader.exact(size) : Buffer.alloc(0);
        if (size && !data) throw new TarFormatError('unexpected end of archive');
        await reader.skip(padding);
        if (typeFlag === 'x') pax = { ...pax, ...parsePax(data!) };
        else if (typeFlag === 'g')
          parsePax(data!); // validated; global defaults are not honoured
        else if (typeFlag === 'L') longName = cString(data!, 0, data!.length);
        else longLink = cString(data!, 0, data!.length);
        continue;
      }

      const magic = header.subarray(257, 263).toString('latin1');
      const prefix = magic.startsWith('ustar') && magic !== 'ustar ' ? cString(header, 345, 500) : '';
      const name = cString(header, 0, 100);
      const entry: TarEntry = {
        path: pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name),
        type: TYPES[typeFlag] ?? 'other',
        typeFlag,
        mode: parseNumeric(header, 100, 108, 'mode'),
        size,
        linkPath: pax.linkpath ?? longLink ?? cString(header, 157, 257),
      };
      if (pax.size !== undefined) {
        const paxSize = Number(pax.size);
        if (!Number.isSafeInteger(paxSize) || paxSize < 0) throw new TarFormatError('invalid pax size');
        entry.size = paxSize;
      }
      pax = {};
      longName = null;
      longLink = null;
      // only regular files carry data; anything else declaring a size is skipped over
      const dataSize = entry.type === 'file' || entry.type === 'other' ? entry.size : size;
      const dataPadding = (BLOCK - (dataSize % BLOCK)) % BLOCK;

      let left = dataSize;
      const body: AsyncIterable<Buffer> = {
        async *[Symbol.asyncIterator]() {
          while (left > 0) {
            const chunk = await reader.upTo(Math.min(left, 1024 * 1024));
            left -= chunk.length;
            yield chunk;
          }
        },
      };
      await options.onEntry(entry, body);
      if (left > 0) await reader.skip(left);
      await reader.skip(dataPadding);
    }
  } finally {
    await reader.close();
  }
}
