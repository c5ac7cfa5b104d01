import { gzipSync } from 'node:zlib';

export interface TarTestEntry {
  name: string;
  data?: Buffer | string;
  /** '0' file (default), '5' directory, '2' symlink, '1' hardlink */
  type?: '0' | '5' | '2' | '1';
  linkName?: string;
}

function header(name: string, size: number, type: string, linkName = ''): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkName, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A minimal ustar archive (tests only): names up to 100 bytes. */
export function buildTar(entries: TarTestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data =
      e.data === undefined ? Buffer.alloc(0) : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data);
    const type = e.type ?? '0';
    parts.push(header(e.name, type === '0' ? data.length : 0, type, e.linkName));
    if (type === '0' && data.length) {
      parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const buildTarGz = (entries: TarTestEntry[]): Buffer => gzipSync(buildTar(entries));
