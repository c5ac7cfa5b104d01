import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip, inflateRawSync } from 'node:zlib';
import { ARCHIVE_LIMITS, safeArchivePath } from './archive-policy';
import { TarError, TarWalker } from './tar-walker';

export interface ExtractedFile {
  path: string;
  sizeBytes: number;
}

/** Extracts the regular files of a .tar.gz stream under `dir` (checked again: paths, kinds, count). */
export async function extractTarGz(source: Readable, dir: string): Promise<ExtractedFile[]> {
  const files: ExtractedFile[] = [];
  let fd: number | null = null;
  let current: ExtractedFile | null = null;
  let entries = 0;
  let total = 0;
  const walker = new TarWalker({
    entry: (h) => {
      if (++entries > ARCHIVE_LIMITS.maxEntries) throw new TarError('too many entries');
      total += h.size;
      if (total > ARCHIVE_LIMITS.maxTotalBytes) throw new TarError('too large once extracted');
      const safe = safeArchivePath(h.path);
      if ('problem' in safe) throw new TarError(`${h.path}: ${safe.problem}`);
      if (h.kind === 'directory') {
        mkdirSync(join(dir, safe.path), { recursive: true, mode: 0o755 });
        return;
      }
      if (h.kind !== 'file') throw new TarError(`${h.path}: not a regular file`);
      const target = join(dir, safe.path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      // 'wx': a second entry with the same path is refused rather than overwriting the first
      fd = openSync(target, 'wx', 0o644);
      current = { path: safe.path, sizeBytes: 0 };
    },
    data: (chunk) => {
      writeSync(fd!, chunk);
      current!.sizeBytes += chunk.length;
    },
    entryEnd: () => {
      closeSync(fd!);
      fd = null;
      files.push(current!);
      current = null;
    },
  });
  try {
    for await (const chunk of source.pipe(createGunzip())) walker.write(chunk as Buffer);
    walker.end();
  } finally {
    if (fd !== null) closeSync(fd);
  }
  return files;
}

const EOCD = 0x06054b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

/**
 * Extracts the regular files of a local ZIP (stored or deflated entries; ZIP64 not supported for
 * extraction) under `dir`. Reads the central directory, then each entry's local header and data.
 */
export async function extractZip(zipPath: string, dir: string): Promise<ExtractedFile[]> {
  const fh = await open(zipPath, 'r');
  try {
    const { size } = await fh.stat();
    const read = async (start: number, length: number) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      if (bytesRead !== length) throw new TarError('truncated zip');
      return buf;
    };
    const tailStart = Math.max(0, size - (22 + 0xffff));
    const tail = await read(tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    if (eocd < 0) throw new TarError('no end of central directory');
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (entries === 0xffff || cdOffset === 0xffffffff) throw new TarError('ZIP64 archives are not supported');
    const cd = await read(cdOffset, cdSize);
    const files: ExtractedFile[] = [];
    let at = 0;
    let total = 0;
    for (let n = 0; n < entries; n++) {
      if (cd.readUInt32LE(at) !== CDH) throw new TarError('corrupt central directory');
      const flags = cd.readUInt16LE(at + 8);
      const method = cd.readUInt16LE(at + 10);
      const compressed = cd.readUInt32LE(at + 20);
      const uncompressed = cd.readUInt32LE(at + 24);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const externalAttrs = cd.readUInt32LE(at + 38);
      const localOffset = cd.readUInt32LE(at + 42);
      const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength);
      at += 46 + nameLength + extraLength + commentLength;
      const safe = safeArchivePath(name);
      if ('problem' in safe) throw new TarError(`${name}: ${safe.problem}`);
      if (name.endsWith('/')) {
        mkdirSync(join(dir, safe.path), { recursive: true, mode: 0o755 });
        continue;
      }
      // Unix symlinks in ZIPs: file type bits in the high half of the external attributes
      if (((externalAttrs >>> 16) & 0o170000) === 0o120000) throw new TarError(`${name}: not a regular file`);
      if (flags & 0x1) throw new TarError(`${name}: encrypted entries are not supported`);
      total += uncompressed;
      if (uncompressed > ARCHIVE_LIMITS.maxZipEntryBytes || total > ARCHIVE_LIMITS.maxTotalBytes)
        throw new TarError(`${name}: too large once extracted`);
      const local = await read(localOffset, 30);
      if (local.readUInt32LE(0) !== LFH) throw new TarError(`${name}: corrupt local header`);
      const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const raw = await read(dataStart, compressed);
      let data: Buffer;
      if (method === 0) data = raw;
      else if (method === 8) data = inflateRawSync(raw, { maxOutputLength: Math.max(uncompressed, 1) });
      else throw new TarError(`${name}: compression method ${method} is not supported`);
      if (data.length !== uncompressed) throw new TarError(`${name}: size mismatch`);
      const target = join(dir, safe.path);
      mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
      const fd = openSync(target, 'wx', 0o644);
      try {
        writeSync(fd, data);
      } finally {
        closeSync(fd);
      }
      files.push({ path: safe.path, sizeBytes: data.length });
    }
    return files;
  } finally {
    await fh.close();
  }
}
