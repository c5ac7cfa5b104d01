import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface CopyOutResult {
  files: number;
  directories: number;
  bytes: number;
  /** Relative paths left behind (links, devices, FIFOs, sockets, too deep, over the limit). */
  skipped: string[];
}

const MAX_DEPTH = 64;
const MAX_SKIPPED_LISTED = 50;

/**
 * Copies what a finished run left in its `/output` into `dest`: regular files (mode 0644, or 0755 when
 * executable by the owner) and directories (0755) only. Symbolic links are never followed nor copied
 * (a link to /etc/shadow must not be copied by a root process), files are opened with O_NOFOLLOW and
 * checked again after opening. Only call it once no process of the run is left, so nothing can change
 * the tree while it is read. At most `maxBytes` are copied.
 */
export async function copyOutTree(src: string, dest: string, maxBytes: number): Promise<CopyOutResult> {
  const result: CopyOutResult = { files: 0, directories: 0, bytes: 0, skipped: [] };
  const skip = (rel: string, why: string) => {
    if (result.skipped.length < MAX_SKIPPED_LISTED) result.skipped.push(`${rel} (${why})`);
    else if (result.skipped.length === MAX_SKIPPED_LISTED) result.skipped.push('…');
  };
  await mkdir(dest, { recursive: true, mode: 0o755 });

  const walk = async (dir: string, out: string, rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      skip(rel || '.', 'unreadable directory');
      return;
    }
    for (const entry of entries) {
      const from = join(dir, entry.name);
      const to = join(out, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const st = await lstat(from).catch(() => null);
      if (!st) continue;
      if (st.isDirectory()) {
        if (depth >= MAX_DEPTH) {
          skip(relPath, 'nested too deeply');
          continue;
        }
        await mkdir(to, { recursive: true, mode: 0o755 });
        result.directories++;
        await walk(from, to, relPath, depth + 1);
      } else if (st.isFile()) {
        if (result.bytes + st.size > maxBytes) {
          skip(relPath, 'over the output size limit');
          continue;
        }
        await copyRegularFile(from, to, st.mode & 0o100 ? 0o755 : 0o644, maxBytes - result.bytes).then(
          (n) => {
            result.files++;
            result.bytes += n;
          },
          (err: Error) => skip(relPath, err.message),
        );
      } else {
        skip(relPath, st.isSymbolicLink() ? 'symbolic link' : 'not a regular file');
      }
    }
  };
  await walk(src, dest, '', 0);
  return result;
}

async function copyRegularFile(from: string, to: string, mode: number, budget: number): Promise<number> {
  const input = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await input.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    const output = await open(to, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    try {
      const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, Math.max(st.size, 1)));
      let copied = 0;
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        if (copied + bytesRead > budget) throw new Error('over the output size limit');
        await output.write(buffer, 0, bytesRead);
        copied += bytesRead;
      }
      await output.chmod(mode);
      return copied;
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}
