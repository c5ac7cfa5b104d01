import { constants, createReadStream } from 'node:fs';
import { chmod, mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BundleTooLargeError, InvalidBundleError, UnsafeBundleError } from './bundle.errors';
import { readTar, TarEntry, TarFormatError } from './tar-reader';

export interface ExtractOptions {
  /** Sum of the sizes of the regular files. */
  maxBytes: number;
  /** Number of regular files. */
  maxFiles: number;
  /** Number of entries of any kind (directories included); default 2 × maxFiles + 100. */
  maxEntries?: number;
  /** Path depth (segments); default 32. */
  maxDepth?: number;
  /** Path length in bytes; default 1024. */
  maxPathBytes?: number;
  /** `auto` (default) looks at the first two bytes for the gzip magic. */
  compression?: 'gzip' | 'none' | 'auto';
  /**
   * What to do with links, devices, FIFOs and unknown types: `reject` (default, for uploaded bundles)
   * fails the whole extraction; `skip` leaves them out and lists them (for collected run outputs).
   */
  unsupported?: 'reject' | 'skip';
}

export interface ExtractResult {
  files: number;
  directories: number;
  bytes: number;
  /** Entries left out with `unsupported: 'skip'`. */
  skipped: string[];
}

const DEFAULT_DEPTH = 32;
const DEFAULT_PATH_BYTES = 1024;
/** Decompressed bytes allowed beyond the file contents: headers, padding, pax records, end marker. */
const METADATA_BYTES_PER_ENTRY = 3 * 512;
const METADATA_SLACK = 2 * 1024 * 1024;

/**
 * Normalizes an archive path, or says why it is refused: absolute paths, `..` segments, backslashes,
 * control characters, too long or too deep. `./a//b/` becomes `a/b`; the archive root (`.`, `./`)
 * becomes ''.
 */
export function safeEntryPath(raw: string, maxDepth = DEFAULT_DEPTH, maxBytes = DEFAULT_PATH_BYTES): string {
  if (raw.startsWith('/')) throw new UnsafeBundleError(raw, 'absolute path');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw new UnsafeBundleError(raw, 'control character in the path');
  if (raw.includes('\\')) throw new UnsafeBundleError(raw, 'backslash in the path');
  if (Buffer.byteLength(raw) > maxBytes) throw new UnsafeBundleError(raw.slice(0, 80), 'path too long');
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) throw new UnsafeBundleError(raw, 'parent directory (..) in the path');
  if (segments.length > maxDepth) throw new UnsafeBundleError(raw, `deeper than ${maxDepth} levels`);
  return segments.join('/');
}

/** Counts (and caps) the bytes coming out of the decompressor: a small .tar.gz cannot expand forever. */
class ByteBudget extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit)
      done(new BundleTooLargeError(`more than ${this.limit} bytes once decompressed`, this.limit));
    else done(null, chunk);
  }
}

async function sniffGzip(source: Readable): Promise<{ gzip: boolean; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Buffer);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  return { gzip, stream: rest };
}

/**
 * Extracts a (gzipped) tar archive into `destDir`, which must not exist yet: it is created (0755) and
 * removed again if anything goes wrong, so a refused bundle leaves nothing behind.
 *
 * Only regular files and directories are written. Refused: absolute paths, `..`, symbolic and hard links
 * (whatever they point to), devices, FIFOs, unknown entry types, duplicate entries, and archives over the
 * byte / file / entry limits (checked against the headers before writing, and against the bytes actually
 * decompressed). Files are created 0644 (0755 when the owner could execute them) — never setuid, setgid or
 * sticky — owned by the extracting user, with O_EXCL | O_NOFOLLOW; directories 0755. Owners, times and
 * extended attributes of the archive are ignored.
 */
export async function extractBundle(
  source: string | Readable,
  destDir: string,
  options: ExtractOptions,
): Promise<ExtractResult> {
  const maxEntries = options.maxEntries ?? options.maxFiles * 2 + 100;
  const maxDepth = options.maxDepth ?? DEFAULT_DEPTH;
  const maxPathBytes = options.maxPathBytes ?? DEFAULT_PATH_BYTES;
  const result: ExtractResult = { files: 0, directories: 0, bytes: 0, skipped: [] };
  const input = typeof source === 'string' ? createReadStream(source) : source;

  await mkdir(destDir, { mode: 0o755 }); // throws EEXIST: never extract over existing content
  // explicit modes: a restrictive umask must not hide the bundle from the sandbox user
  await chmod(destDir, 0o755);
  const madeDirs = new Set<string>(['']);
  let entries = 0;

  const ensureDir = async (rel: string) => {
    if (madeDirs.has(rel)) return;
    const parts = rel.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      if (madeDirs.has(sub)) continue;
      try {
        await mkdir(join(destDir, sub), { mode: 0o755 });
        await chmod(join(destDir, sub), 0o755);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST')
          throw new UnsafeBundleError(sub, 'a file and a directory share this path');
        throw err;
      }
      madeDirs.add(sub);
      result.directories++;
    }
  };

  const onEntry = async (entry: TarEntry, body: AsyncIterable<Buffer>) => {
    if (++entries > maxEntries) throw new BundleTooLargeError(`more than ${maxEntries} entries`, maxEntries);
    const rel = safeEntryPath(entry.path, maxDepth, maxPathBytes);

    if (entry.type !== 'file' && entry.type !== 'directory') {
      const why =
        entry.type === 'symlink' || entry.type === 'hardlink'
          ? `${entry.type === 'symlink' ? 'symbolic' : 'hard'} link (to ${JSON.stringify(entry.linkPath)})`
          : entry.type === 'other'
            ? `unsupported entry type ${JSON.stringify(entry.typeFlag)}`
            : `${entry.type} entry`;
      if (options.unsupported === 'skip') {
        if (result.skipped.length < 100) result.skipped.push(`${rel || '.'} (${why})`);
        return;
      }
      throw new UnsafeBundleError(entry.path, `${why} is not allowed, only regular files and directories`);
    }
    if (rel === '') {
      if (entry.type === 'directory') return; // the archive root "./"
      throw new UnsafeBundleError(entry.path, 'a file without a name');
    }
    if (entry.type === 'directory') {
      await ensureDir(rel);
      return;
    }

    if (result.files + 1 > options.maxFiles)
      throw new BundleTooLargeError(`more than ${options.maxFiles} files`, options.maxFiles);
    if (result.bytes + entry.size > options.maxBytes)
      throw new BundleTooLargeError(`more than ${options.maxBytes} bytes of files`, options.maxBytes);
    const slash = rel.lastIndexOf('/');
    if (slash > 0) await ensureDir(rel.slice(0, slash));
    if (madeDirs.has(rel)) throw new UnsafeBundleError(entry.path, 'a file and a directory share this path');

    const mode = entry.mode & 0o100 ? 0o755 : 0o644;
    let fh;
    try {
      fh = await open(
        join(destDir, rel),
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        mode,
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'EISDIR') throw new UnsafeBundleError(entry.path, 'duplicate entry');
      throw err;
    }
    let written = 0;
    try {
      for await (const chunk of body) {
        written += chunk.length;
        if (written > entry.size) throw new InvalidBundleError(`${rel} is longer than its header says`);
        await fh.write(chunk);
      }
      await fh.chmod(mode); // the umask may have taken bits away; setuid/setgid/sticky never set
    } finally {
      await fh.close();
    }
    result.files++;
    result.bytes += written;
  };

  try {
    let stream: Readable = input;
    let gzip = options.compression === 'gzip';
    if ((options.compression ?? 'auto') === 'auto') ({ gzip, stream } = await sniffGzip(input));
    const budget = new ByteBudget(options.maxBytes + maxEntries * METADATA_BYTES_PER_ENTRY + METADATA_SLACK);
    const stages: Readable[] = gzip ? [stream, createGunzip(), budget] : [stream, budget];
    for (let i = 0; i < stages.length - 1; i++) {
      // pipe() does not forward errors: any failing stage fails the reader at the end of the chain
      stages[i].on('error', (err) => budget.destroy(err));
      stages[i].pipe(stages[i + 1] as Transform);
    }
    try {
      await readTar(budget, { onEntry });
    } catch (err) {
      if (err instanceof TarFormatError) throw new InvalidBundleError(err.message);
      if ((err as NodeJS.ErrnoException).code?.startsWith('Z_'))
        throw new InvalidBundleError(`gzip: ${(err as Error).message}`);
      throw err;
    }
    return result;
  } catch (err) {
    input.destroy();
    await rm(destDir, { recursive: true, force: true });
    throw err;
  }
}
