import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { BundleTooLargeError, InvalidBundleError, UnsafeBundleError } from './bundle.errors';
import { extractBundle, ExtractOptions, safeEntryPath } from './safe-extract';
import { FixtureEntry, makeTar, makeTarGz, tarHeader } from './testing/tar-fixture';

const LIMITS: ExtractOptions = { maxBytes: 1024 * 1024, maxFiles: 50 };

describe('safeEntryPath', () => {
  it.each([
    ['main.py', 'main.py'],
    ['./src//lib/util.py', 'src/lib/util.py'],
    ['dir/', 'dir'],
    ['./', ''],
    ['.', ''],
    ['a/./b', 'a/b'],
    ['名字/数据.csv', '名字/数据.csv'],
  ])('normalizes %j to %j', (raw, expected) => {
    expect(safeEntryPath(raw)).toBe(expected);
  });

  it.each([
    ['absolute path', '/etc/passwd'],
    ['parent directory', '../x'],
    ['parent directory', 'a/../../x'],
    ['parent directory', 'a/..'],
    ['backslash', 'a\\..\\x'],
    ['control character', 'a\nb'],
    ['control character', 'a\u0000b'],
    ['deeper than 32 levels', `${'d/'.repeat(33)}f`],
    ['path too long', 'x'.repeat(1025)],
  ])('refuses a path with: %s', (reason, raw) => {
    let err: unknown;
    try {
      safeEntryPath(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsafeBundleError);
    expect((err as UnsafeBundleError).code).toBe('BUNDLE_UNSAFE');
    expect((err as UnsafeBundleError).status).toBe(422);
    expect((err as UnsafeBundleError).message).toContain(reason);
  });
});

describe('extractBundle', () => {
  let base: string;
  let n = 0;
  const dest = () => join(base, `dest-${++n}`);

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'aihub-bundle-spec-'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** Extracts and expects a refusal with `code`, leaving no destination folder behind. */
  async function refused(archive: Buffer, code: string, options: Partial<ExtractOptions> = {}) {
    const d = dest();
    const err = await extractBundle(Readable.from([archive]), d, { ...LIMITS, ...options }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect((err as { code?: string }).code).toBe(code);
    expect((err as { status?: number }).status).toBe(422);
    expect(existsSync(d)).toBe(false);
    return err as Error & { code: string; detail: string };
  }

  it('extracts a gzipped archive: files, directories, modes without setuid, owner-executable kept', async () => {
    const d = dest();
    const r = await extractBundle(
      Readable.from([
        makeTarGz([
          { path: './', type: '5', mode: 0o755 },
          { path: 'main.py', body: 'print(1)\n', mode: 0o644 },
          { path: 'bin/run.sh', body: '#!/bin/sh\n', mode: 0o4755 },
          { path: 'data/', type: '5', mode: 0o777 },
          { path: 'data/empty.txt', body: '' },
          { path: 'secret', body: 'x', mode: 0o600 },
        ]),
      ]),
      d,
      LIMITS,
    );
    expect(r).toEqual({ files: 4, directories: 2, bytes: 20, skipped: [] });
    expect(await readFile(join(d, 'main.py'), 'utf8')).toBe('print(1)\n');
    expect((await stat(join(d, 'bin/run.sh'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(d, 'main.py'))).mode & 0o7777).toBe(0o644);
    expect((await stat(join(d, 'secret'))).mode & 0o7777).toBe(0o644);
    expect((await stat(join(d, 'data'))).mode & 0o7777).toBe(0o755);
    expect((await stat(d)).mode & 0o7777).toBe(0o755);
  });

  it('reads archives written by GNU tar: long names, nested folders, plain and gzipped', async () => {
    const src = join(base, 'gnu-src');
    const long = `${'long-directory-name-'.repeat(6)}x`;
    await mkdir(join(src, long), { recursive: true });
    await writeFile(join(src, long, `${'f'.repeat(120)}.txt`), 'deep\n');
    await writeFile(join(src, 'run.py'), 'print("hi")\n');
    await chmod(join(src, 'run.py'), 0o755);
    for (const [flags, format] of [
      ['-czf', 'gnu'],
      ['-cf', 'pax'],
    ]) {
      const archive = join(base, `gnu-${format}.tar`);
      execFileSync('tar', [`--format=${format}`, flags, archive, '-C', src, '.']);
      const d = dest();
      const r = await extractBundle(archive, d, LIMITS);
      expect(r.files).toBe(2);
      expect(await readFile(join(d, long, `${'f'.repeat(120)}.txt`), 'utf8')).toBe('deep\n');
      expect((await stat(join(d, 'run.py'))).mode & 0o777).toBe(0o755);
    }
  });

  it('honours pax paths and GNU long names, and checks them like any path', async () => {
    const d = dest();
    const long = `${'p'.repeat(150)}/file.txt`;
    await extractBundle(
      Readable.from([makeTar([{ path: long, body: 'pax', pax: { path: long } }])]),
      d,
      LIMITS,
    );
    expect(await readFile(join(d, long), 'utf8')).toBe('pax');
    // the short header name looks harmless; the pax/GNU name is what counts
    await refused(
      makeTar([{ path: '../../etc/cron.d/x', body: 'x', pax: { path: '../../etc/cron.d/x' } }]),
      'BUNDLE_UNSAFE',
    );
    await refused(makeTar([{ path: `/${'a'.repeat(120)}`, body: 'x', gnuLongName: true }]), 'BUNDLE_UNSAFE');
  });

  it('skips the skeleton of an archive root "./" and creates parents of nested files', async () => {
    const d = dest();
    const r = await extractBundle(Readable.from([makeTar([{ path: 'a/b/c.txt', body: 'c' }])]), d, LIMITS);
    expect(r).toMatchObject({ files: 1, directories: 2 });
    expect(await readdir(join(d, 'a', 'b'))).toEqual(['c.txt']);
  });

  describe('refuses attack archives with stable codes and leaves nothing behind', () => {
    const cases: [string, FixtureEntry[], string, RegExp][] = [
      ['an absolute path', [{ path: '/etc/cron.d/evil', body: 'x' }], 'BUNDLE_UNSAFE', /absolute path/],
      ['a .. escape', [{ path: '../outside.txt', body: 'x' }], 'BUNDLE_UNSAFE', /parent directory/],
      ['a nested .. escape', [{ path: 'a/b/../../../x', body: 'x' }], 'BUNDLE_UNSAFE', /parent directory/],
      [
        'a symlink out of the folder',
        [{ path: 'link', type: '2', linkPath: '/etc' }],
        'BUNDLE_UNSAFE',
        /symbolic link \(to "\/etc"\)/,
      ],
      [
        'a symlink then a file written through it',
        [
          { path: 'link', type: '2', linkPath: '../../..' },
          { path: 'link/pwned', body: 'x' },
        ],
        'BUNDLE_UNSAFE',
        /symbolic link/,
      ],
      [
        'a harmless-looking relative symlink',
        [{ path: 'ok', type: '2', linkPath: 'main.py' }],
        'BUNDLE_UNSAFE',
        /symbolic link/,
      ],
      [
        'a hardlink to a host file',
        [{ path: 'shadow', type: '1', linkPath: '/etc/shadow' }],
        'BUNDLE_UNSAFE',
        /hard link \(to "\/etc\/shadow"\)/,
      ],
      ['a character device', [{ path: 'null', type: '3' }], 'BUNDLE_UNSAFE', /character-device entry/],
      ['a block device', [{ path: 'sda', type: '4' }], 'BUNDLE_UNSAFE', /block-device entry/],
      ['a FIFO', [{ path: 'pipe', type: '6' }], 'BUNDLE_UNSAFE', /fifo entry/],
      ['an unknown entry type', [{ path: 'x', type: 'Z' }], 'BUNDLE_UNSAFE', /unsupported entry type "Z"/],
      [
        'a duplicate file',
        [
          { path: 'a.txt', body: '1' },
          { path: 'a.txt', body: '2' },
        ],
        'BUNDLE_UNSAFE',
        /duplicate entry/,
      ],
      [
        'a file where a directory is',
        [
          { path: 'd/', type: '5' },
          { path: 'd', body: 'x' },
        ],
        'BUNDLE_UNSAFE',
        /share this path/,
      ],
      [
        'a directory below a file',
        [
          { path: 'f', body: 'x' },
          { path: 'f/g', body: 'y' },
        ],
        'BUNDLE_UNSAFE',
        /share this path/,
      ],
      ['a file without a name', [{ path: './', body: 'x' }], 'BUNDLE_UNSAFE', /without a name/],
    ];
    it.each(cases)('%s', async (_name, entries, code, detail) => {
      const err = await refused(makeTarGz(entries), code);
      expect(err.message).toMatch(detail);
    });
  });

  it('refuses too many files, too many entries and too many bytes (from the headers, before writing)', async () => {
    const files = Array.from({ length: 6 }, (_, i): FixtureEntry => ({ path: `f${i}`, body: 'x' }));
    expect((await refused(makeTarGz(files), 'BUNDLE_TOO_LARGE', { maxFiles: 5 })).message).toMatch(
      /more than 5 files/,
    );
    const dirs = Array.from({ length: 20 }, (_, i): FixtureEntry => ({ path: `d${i}/`, type: '5' }));
    expect(
      (await refused(makeTarGz(dirs), 'BUNDLE_TOO_LARGE', { maxFiles: 5, maxEntries: 10 })).message,
    ).toMatch(/more than 10 entries/);
    // the header announces 2 MiB: refused before a byte of it is written
    const big = await refused(
      makeTarGz([{ path: 'big.bin', body: Buffer.alloc(2 * 1024 * 1024, 1) }]),
      'BUNDLE_TOO_LARGE',
      { maxBytes: 1024 * 1024 },
    );
    expect(big.message).toMatch(/more than 1048576 bytes of files/);
    const sum = [0, 1, 2].map((i): FixtureEntry => ({ path: `p${i}`, body: Buffer.alloc(400 * 1024) }));
    await refused(makeTarGz(sum), 'BUNDLE_TOO_LARGE', { maxBytes: 1024 * 1024 });
  });

  it('stops a gzip bomb at the decompressed-bytes budget, long before it is inflated', async () => {
    // 48 MiB of zeros after a valid end marker compress to ~50 KiB
    const bomb = Buffer.concat([
      makeTar([{ path: 'a.txt', body: 'a' }], { end: false }),
      Buffer.alloc(48 * 1024 * 1024),
    ]);
    const gz = gzipSync(bomb, { level: 9 });
    expect(gz.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const err = await refused(gz, 'BUNDLE_TOO_LARGE', { maxBytes: 1024 * 1024, maxFiles: 10 });
    expect(err.message).toMatch(/once decompressed/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a pax record larger than 1 MiB (the reader never buffers it)', async () => {
    const header = tarHeader({ name: 'PaxHeader', type: 'x', size: 2 * 1024 * 1024 });
    await refused(Buffer.concat([header, Buffer.alloc(1024)]), 'BUNDLE_INVALID', {
      maxBytes: 8 * 1024 * 1024,
    });
  });

  it.each([
    ['bad gzip data', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 0xff)]), /gzip/],
    [
      'a truncated gzip stream',
      makeTarGz([{ path: 'a', body: 'x'.repeat(5000) }]).subarray(0, 40),
      /gzip|end of archive/,
    ],
    ['not an archive at all', Buffer.from('hello, this is a text file\n'.repeat(40)), /checksum/],
    ['an empty upload', Buffer.alloc(0), /without an end-of-archive marker/],
    [
      'a tar cut short inside a file',
      makeTar([{ path: 'a', body: 'x'.repeat(5000) }]).subarray(0, 2048),
      /unexpected end/,
    ],
    ['a tar without its end marker', makeTar([{ path: 'a', body: 'x' }], { end: false }), /end-of-archive/],
    [
      'data after an empty block',
      Buffer.concat([Buffer.alloc(512), makeTar([{ path: 'a', body: 'x' }])]),
      /data after an empty block/,
    ],
    [
      'a header with a corrupted size field',
      (() => {
        const t = makeTar([{ path: 'a', body: 'x' }]);
        t.write('zz', 124, 'latin1');
        return t;
      })(),
      /checksum|invalid size/,
    ],
  ])('refuses %s as BUNDLE_INVALID', async (_name, archive, detail) => {
    const err = await refused(archive, 'BUNDLE_INVALID');
    expect(err).toBeInstanceOf(InvalidBundleError);
    expect(err.message).toMatch(detail);
  });

  it('never extracts over an existing folder (nor through a symlinked destination)', async () => {
    const d = dest();
    await mkdir(d);
    await expect(
      extractBundle(Readable.from([makeTar([{ path: 'a', body: 'x' }])]), d, LIMITS),
    ).rejects.toMatchObject({
      code: 'EEXIST',
    });
    const link = dest();
    await symlink(base, link);
    await expect(
      extractBundle(Readable.from([makeTar([{ path: 'a', body: 'x' }])]), link, LIMITS),
    ).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('gives directories and files their modes whatever the umask (the sandbox user must read them)', async () => {
    const d = dest();
    const old = process.umask(0o077);
    try {
      await extractBundle(
        Readable.from([makeTar([{ path: 'a/b/c.txt', body: 'c', mode: 0o600 }])]),
        d,
        LIMITS,
      );
    } finally {
      process.umask(old);
    }
    for (const dir of [d, join(d, 'a'), join(d, 'a', 'b')])
      expect((await stat(dir)).mode & 0o777).toBe(0o755);
    expect((await stat(join(d, 'a', 'b', 'c.txt'))).mode & 0o777).toBe(0o644);
  });

  it('skips links and devices with unsupported: skip (collected run outputs) and lists them', async () => {
    const d = dest();
    const r = await extractBundle(
      Readable.from([
        makeTar([
          { path: 'ok.txt', body: 'ok' },
          { path: 'shadow', type: '2', linkPath: '/etc/shadow' },
          { path: 'dev', type: '3' },
        ]),
      ]),
      d,
      { ...LIMITS, unsupported: 'skip', compression: 'none' },
    );
    expect(r.files).toBe(1);
    expect(r.skipped).toEqual(['shadow (symbolic link (to "/etc/shadow"))', 'dev (character-device entry)']);
    expect(await readdir(d)).toEqual(['ok.txt']);
  });

  it('error classes carry their stable codes', () => {
    expect(new InvalidBundleError('x').code).toBe('BUNDLE_INVALID');
    expect(new UnsafeBundleError('e', 'r').code).toBe('BUNDLE_UNSAFE');
    expect(new BundleTooLargeError('x', 1).code).toBe('BUNDLE_TOO_LARGE');
  });
});
