import { gzipSync } from 'node:zlib';

/**
 * Test-only tar writer that produces exactly the archives an attacker would: any path, any type flag,
 * link targets, lying sizes, pax and GNU long-name records. Nothing here validates anything.
 */
export interface FixtureEntry {
  path: string;
  /** '0' file, '1' hardlink, '2' symlink, '3' char device, '4' block device, '5' directory, '6' FIFO… */
  type?: string;
  body?: Buffer | string;
  /** Size written in the header (default: the body's length). */
  size?: number;
  mode?: number;
  linkPath?: string;
  /** Emit the path as a pax `path` record (for names over 100 bytes). */
  pax?: Record<string, string>;
  /** Emit the path as a GNU `L` long-name record. */
  gnuLongName?: boolean;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(e: {
  name: string;
  type: string;
  size: number;
  mode?: number;
  linkPath?: string;
  magic?: 'ustar' | 'gnu';
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(e.name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(e.size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(e.type, 156, 'latin1');
  if (e.linkPath) h.write(e.linkPath, 157, 100, 'utf8');
  if (e.magic === 'gnu') h.write('ustar  \0', 257, 'latin1');
  else h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'latin1');
  return h;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((BLOCK - (b.length % BLOCK)) % BLOCK)]);

function paxRecords(records: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(body) + 1;
    while (String(len).length + Buffer.byteLength(body) !== len)
      len = String(len).length + Buffer.byteLength(body);
    out += `${len}${body}`;
  }
  return Buffer.from(out, 'utf8');
}

/** A tar archive of `entries` with the end-of-archive marker (unless `end: false`). */
export function makeTar(entries: FixtureEntry[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = typeof e.body === 'string' ? Buffer.from(e.body) : (e.body ?? Buffer.alloc(0));
    const type = e.type ?? '0';
    let name = e.path;
    if (e.pax) {
      const data = paxRecords(e.pax);
      parts.push(tarHeader({ name: 'PaxHeader', type: 'x', size: data.length }), pad(data));
      name = name.slice(0, 99);
    }
    if (e.gnuLongName) {
      const data = Buffer.from(`${e.path}\0`);
      parts.push(tarHeader({ name: '././@LongLink', type: 'L', size: data.length, magic: 'gnu' }), pad(data));
      name = name.slice(0, 99);
    }
    parts.push(
      tarHeader({ name, type, size: e.size ?? body.length, mode: e.mode, linkPath: e.linkPath }),
      pad(body),
    );
  }
  if (options.end !== false) parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export const makeTarGz = (entries: FixtureEntry[]) => gzipSync(makeTar(entries));
