import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FingerprintService,
  keyedHash,
  MaterializationService,
  parseCsv,
  rowFingerprint,
} from '@aihub/datasets';
import { buildTarGz } from '@aihub/datasets/testing/tar-writer';
import { buildZip } from '@aihub/scenarios/testing/zip-writer';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';
import { createDataset, hotlineCsv, uploadVersion } from './dataset-fixtures';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('materialization cache and fingerprints (e2e)', () => {
  let t: TestApp;
  let steward: TestUser;
  let materialization: MaterializationService;
  let fingerprints: FingerprintService;
  let versionId: string;
  const csv = hotlineCsv(300, 3);
  const rows = parseCsv(csv).map((r) => r.fields);
  const header = rows[0];
  const data = rows.slice(1);

  beforeAll(async () => {
    t = await createTestApp();
    steward = await t.createUser(['data_steward']);
    materialization = t.get(MaterializationService);
    fingerprints = t.get(FingerprintService);
    const ds = await createDataset(t, steward, { openAttribute: 'closed', grade: 'important' });
    versionId = (await uploadVersion(t, steward, ds.id, csv).expect(201)).body.id;
  });
  afterAll(() => t.close());

  it('raw: the upload byte for byte, then a verified cache hit; read-only for everyone else', async () => {
    const cold = await materialization.materialize({ versionId, view: 'raw' });
    expect(cold.cacheHit).toBe(false);
    expect(cold.files).toEqual(['data.csv']);
    expect(cold.rowCount).toBe(300);
    expect(cold.sha256).toBe(sha256(csv));
    expect(readFileSync(join(cold.hostPath, 'data.csv'), 'utf8')).toBe(csv);
    expect(cold.hostPath.startsWith(join(t.config.dataDir, 'materialized'))).toBe(true);
    const warm = await materialization.materialize({ versionId, view: 'raw' });
    expect(warm).toEqual({ ...cold, cacheHit: true });
    // o+rx directories, o+r files, nobody may write
    expect(statSync(cold.hostPath).mode & 0o777).toBe(0o555);
    expect(statSync(join(cold.hostPath, 'data.csv')).mode & 0o777).toBe(0o444);
  });

  it('rebuilds an entry whose bytes no longer match their checksum', async () => {
    const first = await materialization.materialize({ versionId, view: 'raw' });
    const file = join(first.hostPath, 'data.csv');
    chmodSync(first.hostPath, 0o755);
    chmodSync(file, 0o644);
    writeFileSync(file, csv.replace('GD', 'XX'));
    const again = await materialization.materialize({ versionId, view: 'raw' });
    expect(again.cacheHit).toBe(false);
    expect(readFileSync(join(again.hostPath, 'data.csv'), 'utf8')).toBe(csv);
  });

  it('masked: rules applied, keyed by the grant salt (cached per salt), no raw identifier', async () => {
    const saltA = randomBytes(32);
    const saltB = randomBytes(32);
    const a = await materialization.materialize({ versionId, view: 'masked', grantSalt: saltA });
    const b = await materialization.materialize({ versionId, view: 'masked', grantSalt: saltB });
    expect(a.cacheHit).toBe(false);
    expect(a.hostPath).not.toBe(b.hostPath);
    expect(
      (await materialization.materialize({ versionId, view: 'masked', grantSalt: saltA })).cacheHit,
    ).toBe(true);
    const text = readFileSync(join(a.hostPath, 'data.csv'), 'utf8');
    const masked = parseCsv(text).map((r) => r.fields);
    expect(masked[0]).toEqual([
      'ticket_id',
      'created_at',
      'district',
      'category',
      'text',
      'caller_id_card',
      'duration_s',
    ]);
    expect(masked).toHaveLength(301);
    expect(a.rowCount).toBe(300);
    const idCol = header.indexOf('caller_id_card');
    for (let i = 0; i < data.length; i++) {
      const raw = data[i];
      expect(text).not.toContain(raw[header.indexOf('caller_mobile')]);
      expect(text).not.toContain(raw[idCol]);
      expect(masked[i + 1][5]).toBe(keyedHash(saltA, raw[idCol]));
      expect(masked[i + 1][1]).toBe(raw[1].slice(0, 7)); // month
    }
    const other = parseCsv(readFileSync(join(b.hostPath, 'data.csv'), 'utf8')).map((r) => r.fields);
    expect(other[1][5]).not.toBe(masked[1][5]);
    await expect(materialization.materialize({ versionId, view: 'masked' })).rejects.toThrow(/salt/);
  });

  it('synthetic: same schema and size, no real row, deterministic (cached)', async () => {
    const s = await materialization.materialize({ versionId, view: 'synthetic' });
    const synth = parseCsv(readFileSync(join(s.hostPath, 'data.csv'), 'utf8')).map((r) => r.fields);
    expect(synth[0]).toEqual(header);
    expect(synth).toHaveLength(301);
    const real = new Set(data.map((r) => rowFingerprint(r)));
    for (const r of synth.slice(1)) expect(real.has(rowFingerprint(r))).toBe(false);
    const phones = new Set(data.map((r) => r[5]));
    for (const r of synth.slice(1)) expect(phones.has(r[5])).toBe(false);
    expect((await materialization.materialize({ versionId, view: 'synthetic' })).cacheHit).toBe(true);
  });

  it('archives: raw view is the extracted files; derived views are refused', async () => {
    const ds = await createDataset(t, steward, {
      fields: [{ name: 'file', type: 'string', identifier: 'none', masking: 'none' }],
    });
    const tgz = buildTarGz([
      { name: 'img/', type: '5' },
      { name: 'img/1.jpg', data: Buffer.alloc(3000, 7) },
      { name: 'labels.txt', data: '1 cat\n' },
    ]);
    const v1 = (await uploadVersion(t, steward, ds.id, tgz, 'images.tar.gz').expect(201)).body.id;
    const m = await materialization.materialize({ versionId: v1, view: 'raw' });
    expect(m.files.sort()).toEqual(['img/1.jpg', 'labels.txt']);
    expect(m.sha256).toBe(sha256(tgz));
    expect(readFileSync(join(m.hostPath, 'labels.txt'), 'utf8')).toBe('1 cat\n');
    expect(statSync(join(m.hostPath, 'img')).mode & 0o777).toBe(0o555);
    const zip = buildZip([{ name: 'a/b.wav', data: 'RIFF....' }]);
    const v2 = (await uploadVersion(t, steward, ds.id, zip, 'audio.zip').expect(201)).body.id;
    const z = await materialization.materialize({ versionId: v2, view: 'raw' });
    expect(readFileSync(join(z.hostPath, 'a/b.wav'), 'utf8')).toBe('RIFF....');
    await expect(materialization.materialize({ versionId: v1, view: 'synthetic' })).rejects.toMatchObject({
      code: 'DATASET_VIEW_NOT_AVAILABLE',
    });
    const fp = await fingerprints.buildFingerprintSet(v1);
    expect(fp.size).toBe(0);
  });

  it('unknown versions are 404', async () => {
    await expect(
      materialization.materialize({ versionId: '00000000-0000-4000-8000-000000000000', view: 'raw' }),
    ).rejects.toMatchObject({ code: 'DATASET_VERSION_NOT_FOUND' });
  });

  it('fingerprints: every row, persisted once, verified on load, direct columns named', async () => {
    const built = await fingerprints.buildFingerprintSet(versionId);
    expect(built.size).toBe(300);
    expect(built.directColumns).toEqual(['caller_mobile', 'caller_id_card']);
    expect(await fingerprints.buildFingerprintSet(versionId)).toEqual(built);
    const { set, directColumns } = await fingerprints.loadFingerprintSet(versionId);
    expect(directColumns).toEqual(['caller_mobile', 'caller_id_card']);
    for (const r of data.slice(0, 50)) expect(set.matches(r)).toBe(true);
    // normalized: case and outer blanks do not hide a copied row
    expect(set.matches(data[1].map((c) => ` ${c.toUpperCase()} `))).toBe(true);
    expect(set.matches([...data[1].slice(0, 7), '9999'])).toBe(false);
  });
});
