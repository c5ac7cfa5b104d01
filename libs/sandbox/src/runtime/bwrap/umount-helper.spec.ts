import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UmountHelper } from './umount-helper';

describe('UmountHelper', () => {
  let dir: string;
  let fake: string;
  let helper: UmountHelper;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aihub-umount-spec-'));
    fake = join(dir, 'fake-umount');
    // records its argv; fails for paths containing "busy" unless lazy (-l), and "stuck" always
    await writeFile(
      fake,
      [
        '#!/bin/sh',
        `echo "$*" >> ${join(dir, 'calls')}`,
        'case "$*" in *stuck*) exit 32;; "-l "*) exit 0;; *busy*) exit 32;; esac',
        'exit 0',
      ].join('\n'),
    );
    await chmod(fake, 0o755);
  });
  beforeEach(() => {
    helper = new UmountHelper(fake);
  });
  afterEach(() => helper.close());
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const calls = async () => (await readFile(join(dir, 'calls'), 'utf8').catch(() => '')).trim().split('\n');

  it('answers each request in order, trying a lazy unmount when the plain one fails', async () => {
    await rm(join(dir, 'calls'), { force: true });
    const results = await Promise.all([
      helper.unmount('/stage/a'),
      helper.unmount('/stage/busy b'),
      helper.unmount('/stage/stuck'),
    ]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 32]);
    expect(await calls()).toEqual([
      '-- /stage/a',
      '-- /stage/busy b',
      '-l -- /stage/busy b',
      '-- /stage/stuck',
      '-l -- /stage/stuck',
    ]);
  });

  it('restarts after the shell is gone, and refuses paths with a newline', async () => {
    expect((await helper.unmount('/stage/1')).code).toBe(0);
    helper.close();
    expect((await helper.unmount('/stage/2')).code).toBe(0);
    await expect(helper.unmount('/stage/x\n/etc')).rejects.toThrow(/newline/);
  });
});
