import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buildTar, buildTarGz } from '../testing/tar-writer';
import { ARCHIVE_LIMITS, safeArchivePath } from './archive-policy';
import { extractTarGz } from './extract';
import { TarError, TarHeader, TarWalker } from './tar-walker';

function walk(buf: Buffer, chunk = 100): { headers: TarHeader[]; bodies: string[] } {
  const headers: TarHeader[] = [];
  const bodies: string[] = [];
  let current = '';
  const w = new TarWalker({
    entry: (h) => headers.push(h),
    data: (c) => (current += c.toString()),
    entryEnd: () => {
      bodies.push(current);
      current = '';
    },
  });
  for (let i = 0; i < buf.length; i += chunk) w.write(buf.subarray(i, i + chunk));
  w.end();
  return { headers, bodies };
}

describe('tar walker', () => {
  const tar = buildTar([
    { name: 'images/', type: '5' },
    { name: 'images/a.jpg', data: 'A'.repeat(700) },
    { name: 'empty.txt', data: '' },
    { name: 'b.wav', data: 'bee' },
  ]);

  it.each([1, 7, 512, 4096])('reads entries and bodies in chunks of %i bytes', (chunk) => {
    const { headers, bodies } = walk(tar, chunk);
    expect(headers.map((h) => [h.path, h.kind, h.size])).toEqual([
      ['images/', 'directory', 0],
      ['images/a.jpg', 'file', 700],
      ['empty.txt', 'file', 0],
      ['b.wav', 'file', 3],
    ]);
    expect(bodies).toEqual(['A'.repeat(700), '', 'bee']);
  });

  it('refuses a corrupt header and a truncated archive', () => {
    const bad = Buffer.from(tar);
    bad[600] ^= 0xff; // inside the second header
    expect(() => walk(bad)).toThrow(TarError);
    expect(() => walk(tar.subarray(0, 1000))).toThrow(/middle of an entry/);
  });

  it('reports links so the policy can refuse them', () => {
    const { headers } = walk(buildTar([{ name: 'l', type: '2', linkName: '/etc/shadow' }]));
    expect(headers[0].kind).toBe('symlink');
  });
});

describe('archive paths', () => {
  it.each([
    ['a/b.jpg', 'a/b.jpg'],
    ['./a/b.jpg', 'a/b.jpg'],
    ['dir/', 'dir'],
  ])('accepts %s as %s', (raw, path) => expect(safeArchivePath(raw)).toEqual({ path }));

  it.each(['/etc/passwd', '../x', 'a/../../x', 'a//b', 'C:/x', 'a\\b', 'a/./b'])('refuses %s', (raw) =>
    expect(safeArchivePath(raw)).toHaveProperty('problem'),
  );

  it('extracts regular files of a .tar.gz and refuses traversal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aihub-extract-'));
    try {
      const files = await extractTarGz(
        Readable.from([
          buildTarGz([
            { name: 'x/1.txt', data: 'one' },
            { name: 'two.txt', data: 'two' },
          ]),
        ]),
        dir,
      );
      expect(files).toEqual([
        { path: 'x/1.txt', sizeBytes: 3 },
        { path: 'two.txt', sizeBytes: 3 },
      ]);
      expect(readFileSync(join(dir, 'x/1.txt'), 'utf8')).toBe('one');
      await expect(
        extractTarGz(Readable.from([buildTarGz([{ name: '../escape.txt', data: 'x' }])]), dir),
      ).rejects.toThrow(/".."/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops extracting past the total size limit (decompression bombs)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aihub-extract-'));
    const saved = ARCHIVE_LIMITS.maxTotalBytes;
    ARCHIVE_LIMITS.maxTotalBytes = 1000;
    try {
      const bomb = buildTarGz([
        { name: 'a.bin', data: Buffer.alloc(600) },
        { name: 'b.bin', data: Buffer.alloc(600) },
      ]);
      await expect(extractTarGz(Readable.from([bomb]), dir)).rejects.toThrow(/too large/);
    } finally {
      ARCHIVE_LIMITS.maxTotalBytes = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
