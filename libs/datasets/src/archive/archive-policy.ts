/**
 * Which archive entries a dataset version may hold: regular files and directories with relative,
 * normalized paths; no links, devices or FIFOs; limits on entry count, path length and depth.
 */
export const ARCHIVE_LIMITS = {
  maxEntries: 1_000_000,
  maxPathBytes: 1024,
  maxDepth: 32,
  /** total bytes of the files once extracted (a small .tar.gz of zeros must not fill the disk) */
  maxTotalBytes: 32 * 1024 ** 3,
  /** a ZIP entry is inflated in memory when extracted */
  maxZipEntryBytes: 512 * 1024 ** 2,
};

/** A safe relative path ("a/b.jpg"), or an explanation of why the entry is refused. */
export function safeArchivePath(raw: string): { path: string } | { problem: string } {
  const p = raw.replace(/^\.\/+/, '');
  if (Buffer.byteLength(p) > ARCHIVE_LIMITS.maxPathBytes) return { problem: 'path too long' };
  // eslint-disable-next-line no-control-regex -- control characters in names are refused on purpose
  if (/[\u0000-\u001f\\]/.test(p)) return { problem: 'control characters or backslashes in the path' };
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return { problem: 'absolute path' };
  const parts = p.split('/').filter((s, i, all) => !(s === '' && i === all.length - 1));
  if (parts.some((s) => s === '..')) return { problem: '".." in the path' };
  if (parts.some((s) => s === '' || s === '.')) return { problem: 'empty or "." path segment' };
  if (parts.length > ARCHIVE_LIMITS.maxDepth) return { problem: 'path too deep' };
  return { path: parts.join('/') };
}
