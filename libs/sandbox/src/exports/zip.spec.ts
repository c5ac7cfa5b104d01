import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZip } from './zip';

describe('buildZip', () => {
  it('writes an archive python can read back (names, contents)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    const zip = join(dir, 'a.zip');
    writeFileSync(
      zip,
      buildZip([
        { name: 'summary.csv', data: Buffer.from('a,b\n1,2\n') },
        { name: '图/表.txt', data: Buffer.from('你好') },
      ]),
    );
    const out = execFileSync('python3', [
      '-c',
      'import sys,zipfile,json; z=zipfile.ZipFile(sys.argv[1]); print(json.dumps({n: z.read(n).decode() for n in z.namelist()}, ensure_ascii=False)); assert z.testzip() is None',
      zip,
    ]);
    expect(JSON.parse(out.toString())).toEqual({ 'summary.csv': 'a,b\n1,2\n', '图/表.txt': '你好' });
    expect(readFileSync(zip).subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  });
});
