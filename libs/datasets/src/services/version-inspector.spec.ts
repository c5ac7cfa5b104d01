import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ARCHIVE_LIMITS } from '../archive/archive-policy';
import type { DatasetField } from '../schema/dataset-schema';
import { buildTarGz } from '../testing/tar-writer';
import { formatFromName, VersionInspector } from './version-inspector';

const FIELDS: DatasetField[] = [
  { name: 'id', type: 'integer', identifier: 'none', masking: 'none' },
  { name: 'note', type: 'string', identifier: 'none', masking: 'none' },
];

async function inspect(data: Buffer | string, name: string, chunk = 3) {
  const inspector = new VersionInspector(name, FIELDS);
  const buf = Buffer.from(data);
  const parts = Array.from({ length: Math.ceil(buf.length / chunk) }, (_, i) =>
    buf.subarray(i * chunk, i * chunk + chunk),
  );
  const sink = new PassThrough();
  let passed = 0;
  sink.on('data', (c: Buffer) => (passed += c.length));
  await pipeline(Readable.from(parts), inspector, sink);
  return { inspector, passed };
}

describe('VersionInspector', () => {
  it.each([
    ['a.csv', 'csv'],
    ['A.TAR.GZ', 'tar.gz'],
    ['x.tgz', 'tar.gz'],
    ['x.zip', 'zip'],
    ['noext', null],
    ['x.xlsx', 'unsupported'],
  ])('formatFromName(%s) = %s', (name, format) => expect(formatFromName(name)).toBe(format));

  it('passes every byte through while counting CSV rows (quoted newlines, tiny chunks)', async () => {
    const csv = 'note,id\n"a\nb",1\nc,2\n';
    const { inspector, passed } = await inspect(csv, 'x.csv', 1);
    expect(passed).toBe(Buffer.byteLength(csv));
    expect(inspector.format).toBe('csv');
    expect(inspector.rowCount).toBe(2);
    expect(inspector.columns).toEqual(['note', 'id']);
  });

  it('fails the stream with the schema problem', async () => {
    await expect(inspect('id,note\nx,1\n', 'x.csv')).rejects.toMatchObject({
      code: 'DATASET_SCHEMA_MISMATCH',
    });
  });

  it('counts the files of a .tar.gz and refuses one that expands past the limit', async () => {
    const tgz = buildTarGz([
      { name: 'd/', type: '5' },
      { name: 'd/1.jpg', data: 'x' },
      { name: '2.jpg', data: 'yy' },
    ]);
    const { inspector } = await inspect(tgz, 'images.tar.gz', 64);
    expect(inspector.format).toBe('tar.gz');
    expect(inspector.rowCount).toBe(2);
    const saved = ARCHIVE_LIMITS.maxTotalBytes;
    ARCHIVE_LIMITS.maxTotalBytes = 2;
    try {
      await expect(inspect(tgz, 'images.tar.gz', 64)).rejects.toMatchObject({
        code: 'DATASET_ARCHIVE_INVALID',
      });
    } finally {
      ARCHIVE_LIMITS.maxTotalBytes = saved;
    }
  });

  it('refuses a name that contradicts the bytes, and unsupported names', async () => {
    await expect(inspect('id,note\n1,a\n', 'x.zip')).rejects.toMatchObject({ code: 'DATASET_FILE_TYPE' });
    await expect(inspect('id,note\n1,a\n', 'x.parquet')).rejects.toMatchObject({ code: 'DATASET_FILE_TYPE' });
  });
});
