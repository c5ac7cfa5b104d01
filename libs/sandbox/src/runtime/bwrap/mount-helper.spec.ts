import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from './host-tools';
import { MountHelper } from './mount-helper';

async function mountLine(target: string): Promise<string | undefined> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').find((l) => l.split(' ')[4] === target);
}

// real mounts: these run as root, like CI and the worker (the sandbox runtime suites need root too)
describe.each(['perl', 'sh'] as const)('MountHelper (%s)', (kind) => {
  let dir: string;
  let helper: MountHelper;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aihub-mount-spec-'));
    const perl = kind === 'perl' ? await findTool('perl') : null;
    helper = new MountHelper({
      mount: (await findTool('mount'))!,
      umount: (await findTool('umount'))!,
      perl,
    });
    expect(helper.kind).toBe(kind);
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'src', 'f.txt'), 'hello');
    for (const d of ['bind', 'tmp']) await mkdir(join(dir, d));
  });
  afterAll(async () => {
    helper.close();
    for (const d of ['bind', 'tmp'])
      if (await mountLine(join(dir, d))) await helper.request({ op: 'umount', target: join(dir, d) });
    await rm(dir, { recursive: true, force: true });
  });

  it('binds a directory and unmounts it', async () => {
    const target = join(dir, 'bind');
    expect(await helper.request({ op: 'bind', source: join(dir, 'src'), target })).toBe(0);
    expect(await readdir(target)).toEqual(['f.txt']);
    expect(await helper.request({ op: 'umount', target })).toBe(0);
    expect(await readdir(target)).toEqual([]);
    expect(await mountLine(target)).toBeUndefined();
  });

  it('mounts a size-capped nosuid,nodev,noexec tmpfs with owner and mode, and remounts it with a new size', async () => {
    const target = join(dir, 'tmp');
    const options = 'size=1048576,nr_inodes=64,mode=0700,uid=12345,gid=23456';
    expect(await helper.request({ op: 'tmpfs', options, target })).toBe(0);
    const line = (await mountLine(target))!;
    expect(line).toMatch(/ rw,nosuid,nodev,noexec,/);
    expect(line).toMatch(/ - tmpfs aihub-output .*size=1024k,nr_inodes=64,mode=700,uid=12345,gid=23456/);
    const st = await stat(target);
    expect({ uid: st.uid, gid: st.gid, mode: (st.mode & 0o777).toString(8) }).toEqual({
      uid: 12345,
      gid: 23456,
      mode: '700',
    });
    expect(await helper.request({ op: 'remount-tmpfs', options: 'size=2097152,nr_inodes=128', target })).toBe(
      0,
    );
    expect(await mountLine(target)).toMatch(/size=2048k,nr_inodes=128/);
    // one mount, not a second one on top
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    expect(info.split('\n').filter((l) => l.split(' ')[4] === target)).toHaveLength(1);
    expect(await helper.request({ op: 'umount', target })).toBe(0);
  });

  it('serves every kind of request from one long-lived process (no fallback to one-off mounts)', async () => {
    const target = join(dir, 'tmp');
    expect(await helper.request({ op: 'bind', source: join(dir, 'src'), target })).toBe(0);
    const pid = helper.pid;
    expect(pid).toBeDefined();
    expect(await helper.request({ op: 'umount', target })).toBe(0);
    expect(await helper.request({ op: 'tmpfs', options: 'size=1048576', target })).toBe(0);
    expect(await helper.request({ op: 'remount-tmpfs', options: 'size=2097152', target })).toBe(0);
    expect(await helper.request({ op: 'umount', target })).toBe(0);
    expect(await helper.request({ op: 'umount', target })).not.toBe(0);
    expect(helper.pid).toBe(pid);
  });

  it('answers failures with a non-zero code, in order, and keeps serving', async () => {
    const missing = join(dir, 'missing');
    const results = await Promise.all([
      helper.request({ op: 'bind', source: join(dir, 'src'), target: missing }),
      helper.request({ op: 'umount', target: join(dir, 'src') }),
      helper.request({ op: 'bind', source: join(dir, 'src'), target: join(dir, 'bind') }),
    ]);
    expect(results[0]).not.toBe(0);
    expect(results[1]).not.toBe(0);
    expect(results[2]).toBe(0);
    expect(await helper.request({ op: 'umount', target: join(dir, 'bind') })).toBe(0);
  });

  it('restarts after the helper is gone, and refuses a path with a tab or newline', async () => {
    helper.close();
    const target = join(dir, 'bind');
    expect(await helper.request({ op: 'bind', source: join(dir, 'src'), target })).toBe(0);
    expect(await helper.request({ op: 'umount', target })).toBe(0);
    await expect(helper.request({ op: 'umount', target: '/x\n/etc' })).rejects.toThrow(/newline/);
    await expect(helper.request({ op: 'bind', source: '/a\tb', target })).rejects.toThrow(/tab/);
  });
});

describe('MountHelper when its process cannot start', () => {
  it('answers through a one-off shell running the same script', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aihub-mount-spec-'));
    const helper = new MountHelper({
      mount: (await findTool('mount'))!,
      umount: (await findTool('umount'))!,
      perl: join(dir, 'no-such-perl'),
    });
    try {
      await mkdir(join(dir, 'src'));
      await writeFile(join(dir, 'src', 'f.txt'), 'x');
      await mkdir(join(dir, 'bind'));
      expect(await helper.request({ op: 'bind', source: join(dir, 'src'), target: join(dir, 'bind') })).toBe(
        0,
      );
      expect(await readdir(join(dir, 'bind'))).toEqual(['f.txt']);
      expect(await helper.request({ op: 'umount', target: join(dir, 'bind') })).toBe(0);
      expect(await helper.request({ op: 'umount', target: join(dir, 'bind') })).not.toBe(0);
      expect(await readdir(join(dir, 'bind'))).toEqual([]);
    } finally {
      helper.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
