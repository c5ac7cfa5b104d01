import { createHash } from 'node:crypto';
import { AuditEventEntity } from '@aihub/audit';
import { DatasetVersionEntity } from '@aihub/datasets';
import { buildZip } from '@aihub/scenarios/testing/zip-writer';
import { buildTarGz } from '@aihub/datasets/testing/tar-writer';
import { Bucket, OBJECT_STORAGE, type ObjectStorage } from '@aihub/storage';
import { createCast, Cast, publishedBatch, publishedScenario } from '../scenarios/lifecycle-fixtures';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser } from '../utils/test-app';
import { createDataset, HOTLINE_FIELDS, hotlineCsv, uploadVersion } from './dataset-fixtures';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('datasets (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let steward2: TestUser; // a data steward of another government organization
  let govSameOrg: TestUser; // a gov member of the steward's organization

  beforeAll(async () => {
    t = await createTestApp({ env: { UPLOAD_MAX_MB: '1', STATS_CACHE_SECONDS: '0' } });
    cast = await createCast(t);
    steward2 = await t.createUser(['data_steward']);
    const org = await t.dataSource.query('SELECT * FROM organizations WHERE id = $1', [
      cast.steward.organizationId,
    ]);
    govSameOrg = await t.createUser(['gov'], org[0]);
  });
  afterAll(() => t.close());

  const audit = (objectId: string, action: string) =>
    t.dataSource.getRepository(AuditEventEntity).find({ where: { objectId, action } });

  describe('POST /datasets', () => {
    it('registers a dataset for the steward’s organization, audited', async () => {
      const ds = await createDataset(t, cast.steward, { grade: 'important', openAttribute: 'closed' });
      expect(ds).toMatchObject({
        grade: 'important',
        openAttribute: 'closed',
        organizationId: cast.steward.organizationId,
        latestVersion: 0,
      });
      expect((ds.fields as { name: string }[]).map((f) => f.name)).toEqual(HOTLINE_FIELDS.map((f) => f.name));
      expect(ds.fields).toContainEqual({
        name: 'duration_s',
        type: 'integer',
        identifier: 'none',
        masking: 'generalize',
        params: { bandWidth: 60 },
      });
      const events = await audit(ds.id, 'dataset.create');
      expect(events).toHaveLength(1);
      expect(events[0].actorId).toBe(cast.steward.id);
    });

    it('401 without a token, 403 for roles other than data_steward', async () => {
      const body = { name: 'x-data', grade: 'general', openAttribute: 'open', fields: HOTLINE_FIELDS };
      const anon = await t.http.post('/api/v1/datasets').send(body).expect(401);
      expect(anon.headers['content-type']).toMatch(PROBLEM_JSON);
      for (const user of [cast.ent1, cast.gov, cast.operator, cast.auditor]) {
        const res = await t.http.post('/api/v1/datasets').set(user.auth).send(body).expect(403);
        expect(res.body.code).toBeDefined();
      }
    });

    it('400 with field errors: name charset, duplicate columns, params of another rule, unmasked direct identifier', async () => {
      const res = await t.http
        .post('/api/v1/datasets')
        .set(cast.steward.auth)
        .send({ name: '../Etc', grade: 'general', openAttribute: 'open', fields: HOTLINE_FIELDS })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const bad = await t.http
        .post('/api/v1/datasets')
        .set(cast.steward.auth)
        .send({
          name: 'bad-fields',
          grade: 'general',
          openAttribute: 'open',
          fields: [
            { name: 'a', type: 'string', identifier: 'none', masking: 'none' },
            { name: 'a', type: 'string', identifier: 'none', masking: 'none' },
            { name: 'b', type: 'integer', identifier: 'none', masking: 'drop', params: { bandWidth: 5 } },
            { name: 'phone', type: 'string', identifier: 'direct', masking: 'none' },
          ],
        })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'fields[1].name',
        'fields[2].params',
        'fields[3].masking',
      ]);
      await t.http
        .post('/api/v1/datasets')
        .set(cast.steward.auth)
        .send({ name: 'x-y', grade: 'secret', openAttribute: 'open', fields: HOTLINE_FIELDS })
        .expect(400);
    });

    it('409 for a name the organization already uses; another organization may use it', async () => {
      const ds = await createDataset(t, cast.steward);
      const again = await t.http
        .post('/api/v1/datasets')
        .set(cast.steward.auth)
        .send({ name: ds.name, grade: 'general', openAttribute: 'open', fields: HOTLINE_FIELDS })
        .expect(409);
      expect(again.body.code).toBe('DATASET_NAME_TAKEN');
      await createDataset(t, steward2, { name: ds.name });
    });
  });

  describe('POST /datasets/:id/versions', () => {
    let datasetId: string;
    beforeAll(async () => {
      datasetId = (await createDataset(t, cast.steward)).id;
    });

    it('streams a CSV in: sha256, size, row count (quoted newlines are one row), version numbers', async () => {
      const csv = hotlineCsv(50);
      const res = await uploadVersion(t, cast.steward, datasetId, csv).expect(201);
      expect(res.body).toMatchObject({
        version: 1,
        kind: 'csv',
        sha256: sha256(csv),
        sizeBytes: Buffer.byteLength(csv),
        rowCount: 50,
        columns: HOTLINE_FIELDS.map((f) => f.name),
        fileName: 'tickets.csv',
      });
      // stored privately, byte for byte
      const storage = t.get<ObjectStorage>(OBJECT_STORAGE);
      const row = await t.dataSource.getRepository(DatasetVersionEntity).findOneByOrFail({ id: res.body.id });
      const chunks: Buffer[] = [];
      for await (const c of await storage.get(Bucket.Datasets, row.storageKey)) chunks.push(c as Buffer);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(csv));

      const second = await uploadVersion(t, cast.steward, datasetId, hotlineCsv(20, 2)).expect(201);
      expect(second.body.version).toBe(2);
      const events = await audit(datasetId, 'dataset.version.create');
      expect(events.map((e) => (e.details as { version: number }).version)).toEqual([1, 2]);
      expect(events[0].details).toMatchObject({ sha256: sha256(csv), rowCount: 50 });

      const detail = await t.http.get(`/api/v1/datasets/${datasetId}`).set(cast.steward.auth).expect(200);
      expect(detail.body.latestVersion).toBe(2);
      expect(
        detail.body.versions.map((v: { version: number; rowCount: number }) => [v.version, v.rowCount]),
      ).toEqual([
        [1, 50],
        [2, 20],
      ]);
    });

    it('422 DATASET_SCHEMA_MISMATCH with line numbers; nothing is stored', async () => {
      const before = await t.dataSource.getRepository(DatasetVersionEntity).countBy({ datasetId });
      const header = await uploadVersion(
        t,
        cast.steward,
        datasetId,
        'ticket_id,created_at,extra\nA,2024-01-01T00:00:00Z,x\n',
      ).expect(422);
      expect(header.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(header.body.code).toBe('DATASET_SCHEMA_MISMATCH');
      expect(header.body.errors).toContainEqual({
        line: 1,
        column: 'extra',
        message: 'the column is not declared in the dataset fields',
      });
      expect(header.body.errors).toContainEqual({
        line: 1,
        column: 'caller_mobile',
        message: 'a declared field is missing from the header',
      });
      // row 1 starts on line 2 and spans line 3 (quoted newline); the bad duration is on line 4
      const lines = hotlineCsv(3).split('\n');
      lines[3] = lines[3].replace(/,\d+$/, ',twelve');
      const typed = await uploadVersion(t, cast.steward, datasetId, lines.join('\n')).expect(422);
      expect(typed.body.errors).toEqual([
        { line: 4, column: 'duration_s', message: '"twelve" is not an integer' },
      ]);
      expect(typed.body.detail).toContain('line 4');
      expect(await t.dataSource.getRepository(DatasetVersionEntity).countBy({ datasetId })).toBe(before);
    });

    it('422 for broken CSV, wrong types of file, empty files and unsafe archives', async () => {
      const broken = await uploadVersion(
        t,
        cast.steward,
        datasetId,
        `${hotlineCsv(2)}GD9,"unterminated\n`,
      ).expect(422);
      expect(broken.body.code).toBe('DATASET_CSV_INVALID');
      expect(broken.body.errors[0].line).toBe(5);
      const latin1 = Buffer.concat([Buffer.from(hotlineCsv(1)), Buffer.from([0xff, 0xfe, 0x0a])]);
      expect((await uploadVersion(t, cast.steward, datasetId, latin1).expect(422)).body.code).toBe(
        'DATASET_CSV_INVALID',
      );
      expect((await uploadVersion(t, cast.steward, datasetId, 'x', 'data.xlsx').expect(422)).body.code).toBe(
        'DATASET_FILE_TYPE',
      );
      expect(
        (await uploadVersion(t, cast.steward, datasetId, hotlineCsv(1), 'images.zip').expect(422)).body.code,
      ).toBe('DATASET_FILE_TYPE');
      expect((await uploadVersion(t, cast.steward, datasetId, '').expect(422)).body.code).toBe(
        'DATASET_FILE_EMPTY',
      );
      const headerOnly = `${hotlineCsv(0)}`;
      expect((await uploadVersion(t, cast.steward, datasetId, headerOnly).expect(422)).body.code).toBe(
        'DATASET_FILE_EMPTY',
      );
      const traversal = buildTarGz([{ name: '../escape.jpg', data: 'x' }]);
      const bad = await uploadVersion(t, cast.steward, datasetId, traversal, 'images.tar.gz').expect(422);
      expect(bad.body.code).toBe('DATASET_ARCHIVE_INVALID');
      const link = buildTarGz([{ name: 'l.jpg', type: '2', linkName: '/etc/shadow' }]);
      expect(
        (await uploadVersion(t, cast.steward, datasetId, link, 'images.tgz').expect(422)).body.code,
      ).toBe('DATASET_ARCHIVE_INVALID');
      const zipBad = buildZip([{ name: '/abs.jpg', data: 'x' }]);
      expect(
        (await uploadVersion(t, cast.steward, datasetId, zipBad, 'images.zip').expect(422)).body.code,
      ).toBe('DATASET_ARCHIVE_INVALID');
    });

    it('accepts archives of files (.tar.gz, .zip): rowCount is the number of files', async () => {
      const images = await createDataset(t, cast.steward, {
        fields: [{ name: 'file', type: 'string', identifier: 'none', masking: 'none' }],
      });
      const tgz = buildTarGz([
        { name: 'img/', type: '5' },
        { name: 'img/1.jpg', data: Buffer.alloc(2000, 1) },
        { name: 'img/2.jpg', data: Buffer.alloc(10, 2) },
        { name: 'labels.txt', data: '1 cat\n2 dog\n' },
      ]);
      const a = await uploadVersion(t, cast.steward, images.id, tgz, 'images.tar.gz').expect(201);
      expect(a.body).toMatchObject({
        kind: 'archive',
        archiveFormat: 'tar.gz',
        rowCount: 3,
        sha256: sha256(tgz),
        columns: [],
      });
      const zip = buildZip([
        { name: 'audio/', data: '' },
        { name: 'audio/a.wav', data: 'RIFF' },
        { name: 'audio/b.wav', data: 'RIFF2' },
      ]);
      const b = await uploadVersion(t, cast.steward, images.id, zip, 'audio.zip').expect(201);
      expect(b.body).toMatchObject({ kind: 'archive', archiveFormat: 'zip', rowCount: 2, version: 2 });
    });

    it('413 past UPLOAD_MAX_MB with nothing stored', async () => {
      const before = await t.dataSource.getRepository(DatasetVersionEntity).countBy({ datasetId });
      const big = hotlineCsv(12_000); // ~1.3 MB
      expect(Buffer.byteLength(big)).toBeGreaterThan(1024 * 1024 + 64 * 1024);
      const res = await uploadVersion(t, cast.steward, datasetId, big).expect(413);
      expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await t.dataSource.getRepository(DatasetVersionEntity).countBy({ datasetId })).toBe(before);
    });

    it('400 without a file part; 401; 403 for other roles; 404 for unknown or invisible datasets', async () => {
      const noFile = await t.http
        .post(`/api/v1/datasets/${datasetId}/versions`)
        .set(cast.steward.auth)
        .set('Content-Type', 'multipart/form-data; boundary=xyz')
        .send('--xyz\r\nContent-Disposition: form-data; name="other"\r\n\r\nv\r\n--xyz--\r\n')
        .expect(400);
      expect(noFile.body.code).toBe('VALIDATION_FAILED');
      await uploadVersion(
        t,
        { ...cast.steward, auth: { Authorization: 'Bearer nope' } },
        datasetId,
        'x',
      ).expect(401);
      // an open dataset: others can read it, but not add versions
      expect((await uploadVersion(t, steward2, datasetId, hotlineCsv(1)).expect(403)).body.code).toBe(
        'FORBIDDEN',
      );
      const denied = await audit(datasetId, 'authz.denied');
      expect(denied.some((e) => e.actorId === steward2.id && e.outcome === 'denied')).toBe(true);
      await uploadVersion(t, govSameOrg, datasetId, hotlineCsv(1)).expect(403);
      await uploadVersion(t, cast.ent1, datasetId, hotlineCsv(1)).expect(403);
      // a closed dataset of another organization does not exist for them
      const closed = await createDataset(t, cast.steward, { openAttribute: 'closed' });
      const hidden = await uploadVersion(t, steward2, closed.id, hotlineCsv(1)).expect(404);
      expect(hidden.body.code).toBe('DATASET_NOT_FOUND');
      await uploadVersion(t, cast.steward, '00000000-0000-4000-8000-000000000000', hotlineCsv(1)).expect(404);
    });
  });

  describe('GET /datasets, GET /datasets/:id: metadata per the rules, contents never', () => {
    let open: { id: string };
    let conditional: { id: string };
    let closed: { id: string };
    const csv = hotlineCsv(10, 7);

    beforeAll(async () => {
      open = await createDataset(t, cast.steward, { openAttribute: 'open' });
      conditional = await createDataset(t, cast.steward, { openAttribute: 'conditional' });
      closed = await createDataset(t, cast.steward, { openAttribute: 'closed', grade: 'core' });
      for (const d of [open, conditional, closed])
        await uploadVersion(t, cast.steward, d.id, csv).expect(201);
    });

    const listIds = async (user?: TestUser, query = '') => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const req = t.http.get(
          `/api/v1/datasets?organizationId=${cast.steward.organizationId}&limit=50${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        const res = await (user ? req.set(user.auth) : req).expect(200);
        ids.push(...res.body.items.map((d: { id: string }) => d.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };

    it('anonymous and other tenants see open datasets only; the provider, operators and auditors see all', async () => {
      for (const who of [undefined, cast.ent1, steward2, cast.gov2]) {
        const ids = await listIds(who);
        expect(ids).toContain(open.id);
        expect(ids).not.toContain(conditional.id);
        expect(ids).not.toContain(closed.id);
        const req = t.http.get(`/api/v1/datasets/${closed.id}`);
        const res = await (who ? req.set(who.auth) : req).expect(404);
        expect(res.body.code).toBe('DATASET_NOT_FOUND');
        await (
          who
            ? t.http.get(`/api/v1/datasets/${conditional.id}`).set(who.auth)
            : t.http.get(`/api/v1/datasets/${conditional.id}`)
        ).expect(404);
      }
      for (const who of [cast.steward, govSameOrg, cast.operator, cast.auditor]) {
        const ids = await listIds(who);
        expect(ids).toEqual(expect.arrayContaining([open.id, conditional.id, closed.id]));
        await t.http.get(`/api/v1/datasets/${closed.id}`).set(who.auth).expect(200);
      }
    });

    it('a conditional dataset becomes visible once attached to a scenario the caller can see', async () => {
      const batch = await publishedBatch(t, cast.operator);
      await publishedScenario(t, cast, batch.id, { datasetIds: [conditional.id] });
      const ids = await listIds(cast.ent1);
      expect(ids).toContain(conditional.id);
      await t.http.get(`/api/v1/datasets/${conditional.id}`).expect(200);
      // closed data stays hidden even when a scenario names it
      await publishedScenario(t, cast, batch.id, { datasetIds: [closed.id] });
      expect(await listIds(cast.ent1)).not.toContain(closed.id);
    });

    it('filters and pages (newest first, keyset)', async () => {
      const ids = await listIds(cast.steward, '&openAttribute=closed');
      expect(ids).toContain(closed.id);
      expect(ids).not.toContain(open.id);
      const page = await t.http
        .get(`/api/v1/datasets?organizationId=${cast.steward.organizationId}&limit=1`)
        .set(cast.steward.auth)
        .expect(200);
      expect(page.body.items).toHaveLength(1);
      expect(page.body.nextCursor).toEqual(expect.any(String));
      await t.http.get('/api/v1/datasets?cursor=garbage').expect(400);
      await t.http.get('/api/v1/datasets/not-a-uuid').expect(400);
    });

    it('never serves contents: no cell value in any answer, no download route', async () => {
      const detail = await t.http.get(`/api/v1/datasets/${open.id}`).set(cast.steward.auth).expect(200);
      const list = await t.http.get('/api/v1/datasets?limit=100').set(cast.steward.auth).expect(200);
      const cells = csv.split('\n')[3].split(','); // the second record (the first spans two lines)
      for (const body of [JSON.stringify(detail.body), JSON.stringify(list.body)])
        for (const cell of [cells[0], cells[5], cells[6]]) expect(body).not.toContain(cell);
      const versionId = detail.body.versions[0].id;
      for (const path of [
        `/api/v1/datasets/${open.id}/versions/${versionId}`,
        `/api/v1/datasets/${open.id}/versions/${versionId}/download`,
        `/api/v1/datasets/${open.id}/download`,
        `/api/v1/datasets/${open.id}/versions`,
      ])
        await t.http.get(path).set(cast.steward.auth).expect(404);
    });

    it('counts datasets and rows of latest versions in GET /stats', async () => {
      const before = (await t.http.get('/api/v1/stats').expect(200)).body;
      const ds = await createDataset(t, cast.steward);
      await uploadVersion(t, cast.steward, ds.id, hotlineCsv(30)).expect(201);
      await uploadVersion(t, cast.steward, ds.id, hotlineCsv(40)).expect(201);
      const after = (await t.http.get('/api/v1/stats').expect(200)).body;
      // other suites add datasets concurrently: at least ours
      expect(after.datasets - before.datasets).toBeGreaterThanOrEqual(1);
      expect(after.datasetRows - before.datasetRows).toBeGreaterThanOrEqual(40);
    });
  });
});
