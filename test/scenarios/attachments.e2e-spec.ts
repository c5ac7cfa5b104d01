import { createHash } from 'node:crypto';
import { buildDocx, buildPdf, buildZip } from '@aihub/scenarios/testing/zip-writer';
import { ApplicationAttachmentEntity } from '@aihub/scenarios';
import { Bucket, OBJECT_STORAGE, type ObjectStorage } from '@aihub/storage';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser } from '../utils/test-app';
import {
  auditEvents,
  Cast,
  createCast,
  draftApplication,
  publishedBatch,
  publishedScenario,
} from './lifecycle-fixtures';

const MiB = 1024 * 1024;
const BOUNDARY = '----aihub-test-boundary-7MA4YWxkTrZu0gW';

/** A multipart/form-data body built by hand, so file names reach the server exactly as written. */
function multipart(
  parts: { name: string; filename?: string; data: Buffer | string; type?: string }[],
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename === undefined
        ? `form-data; name="${p.name}"`
        : `form-data; name="${p.name}"; filename="${p.filename}"`;
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n` +
          (p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n`) +
          '\r\n',
        'utf8',
      ),
      typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** a PDF of exactly `size` bytes */
const pdfOfSize = (size: number) => Buffer.concat([buildPdf(), Buffer.alloc(size - buildPdf().length, 0x20)]);

describe('application attachments (e2e)', () => {
  let t: TestApp;
  let cast: Cast;
  let scenarioId: string;
  let storage: ObjectStorage;

  beforeAll(async () => {
    t = await createTestApp({ env: { ATTACHMENT_MAX_MB: '1' } });
    cast = await createCast(t);
    storage = t.get<ObjectStorage>(OBJECT_STORAGE);
    scenarioId = (await publishedScenario(t, cast, (await publishedBatch(t, cast.operator)).id)).id;
  });
  afterAll(() => t.close());

  const upload = (
    who: TestUser | null,
    appId: string,
    body: Buffer,
    contentType = `multipart/form-data; boundary=${BOUNDARY}`,
  ) => {
    const req = t.http.post(`/api/v1/applications/${appId}/attachments`).set('Content-Type', contentType);
    return (who ? req.set(who.auth) : req).send(body);
  };
  const uploadFile = (who: TestUser | null, appId: string, filename: string, data: Buffer) =>
    upload(who, appId, multipart([{ name: 'file', filename, data }]));
  /** a draft application of a fresh enterprise */
  const newApp = async () => {
    const owner = await t.createUser(['enterprise']);
    return { app: await draftApplication(t, owner, scenarioId), owner };
  };
  const storedCount = (appId: string) => storage.removePrefix(Bucket.Attachments, `applications/${appId}/`);
  const rows = (applicationId: string) =>
    t.dataSource.getRepository(ApplicationAttachmentEntity).find({ where: { applicationId } });

  it('stores a PDF, a DOCX and a ZIP, typed by their bytes, streamed to storage, audited', async () => {
    const { app, owner } = await newApp();
    const pdf = buildPdf('揭榜方案');
    const res = await uploadFile(owner, app.id, '技术方案.pdf', pdf).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      applicationId: app.id,
      fileName: '技术方案.pdf',
      kind: 'pdf',
      contentType: 'application/pdf',
      sizeBytes: pdf.length,
      sha256: createHash('sha256').update(pdf).digest('hex'),
      createdAt: expect.any(String),
    });
    const [row] = await rows(app.id);
    expect(row.storageKey).toBe(`applications/${app.id}/${res.body.id}`);
    const body = await storage.get(Bucket.Attachments, row.storageKey);
    const back: Buffer[] = [];
    for await (const c of body) back.push(c as Buffer);
    expect(Buffer.concat(back).equals(pdf)).toBe(true);

    const docx = await uploadFile(owner, app.id, '方案说明.docx', buildDocx()).expect(201);
    expect(docx.body).toEqual(
      expect.objectContaining({
        kind: 'docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      }),
    );
    const zip = await uploadFile(
      owner,
      app.id,
      '附件材料.zip',
      buildZip([{ name: '数据.csv', data: 'a,b\n1,2\n' }]),
    ).expect(201);
    expect(zip.body.kind).toBe('zip');
    // a DOCX is a ZIP: named .zip it is kept as a zip
    expect((await uploadFile(owner, app.id, 'word.zip', buildDocx()).expect(201)).body.kind).toBe('zip');
    // no extension: the bytes decide
    expect((await uploadFile(owner, app.id, 'proposal', buildDocx()).expect(201)).body.kind).toBe('docx');

    const list = await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(owner.auth).expect(200);
    expect(list.body.items.map((a: { fileName: string }) => a.fileName)).toEqual([
      '技术方案.pdf',
      '方案说明.docx',
      '附件材料.zip',
      'word.zip',
      'proposal',
    ]);
    const events = await auditEvents(t, app.id, 'application.attach');
    expect(events).toHaveLength(5);
    expect(events[0].details).toEqual(
      expect.objectContaining({
        attachmentId: res.body.id,
        fileName: '技术方案.pdf',
        kind: 'pdf',
        sizeBytes: pdf.length,
      }),
    );
  });

  it('reads a ZIP directory larger than the tail it keeps back from storage', async () => {
    const { app, owner } = await newApp();
    const entries = [{ name: '[Content_Types].xml', data: '<Types/>' }];
    for (let i = 0; i < 1500; i++)
      entries.push({
        name: `word/media/image-${String(i).padStart(5, '0')}-with-a-rather-long-name.png`,
        data: '',
      });
    const docx = buildZip(entries);
    const res = await uploadFile(owner, app.id, 'big-directory.docx', docx).expect(201);
    expect(res.body).toEqual(expect.objectContaining({ kind: 'docx', sizeBytes: docx.length }));
  });

  it('refuses wrong magic bytes (422) and stores nothing', async () => {
    const { app, owner } = await newApp();
    const cases: [string, Buffer][] = [
      ['report.pdf', Buffer.from('this is plain text pretending to be a PDF')],
      ['image.pdf', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])],
      ['setup.docx', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2000)])],
      ['tiny.pdf', Buffer.from('%PD')],
      ['broken.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(500, 1)])],
    ];
    for (const [name, data] of cases) {
      const res = await uploadFile(owner, app.id, name, data).expect(422);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect({ name, code: res.body.code }).toEqual({ name, code: 'ATTACHMENT_TYPE_NOT_ALLOWED' });
    }
    expect(await rows(app.id)).toEqual([]);
    expect(await storedCount(app.id)).toBe(0);
  });

  it('refuses names that contradict the content, and extensions other than pdf/docx/zip (422)', async () => {
    const { app, owner } = await newApp();
    const mismatch = [
      ['fake.docx', buildPdf()],
      ['fake.pdf', buildDocx()],
      ['plain.docx', buildZip([{ name: 'a.txt', data: 'a' }])],
    ] as const;
    for (const [name, data] of mismatch) {
      const res = await uploadFile(owner, app.id, name, data).expect(422);
      expect({ name, code: res.body.code }).toEqual({ name, code: 'ATTACHMENT_TYPE_MISMATCH' });
    }
    for (const name of ['payload.exe', 'script.js', 'page.html']) {
      const res = await uploadFile(owner, app.id, name, buildPdf()).expect(422);
      expect(res.body.code).toBe('ATTACHMENT_TYPE_NOT_ALLOWED');
    }
    expect(await rows(app.id)).toEqual([]);
    expect(await storedCount(app.id)).toBe(0);
  });

  it('refuses a file over ATTACHMENT_MAX_MB (413) whether or not Content-Length announces it; the limit itself is fine', async () => {
    const { app, owner } = await newApp();
    const over = await uploadFile(owner, app.id, 'big.pdf', pdfOfSize(MiB + 1)).expect(413);
    expect(over.body).toEqual(expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE', limitBytes: MiB }));
    const announced = await uploadFile(owner, app.id, 'huge.pdf', pdfOfSize(3 * MiB)).expect(413);
    expect(announced.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await rows(app.id)).toEqual([]);
    expect(await storedCount(app.id)).toBe(0);
    const exact = await uploadFile(owner, app.id, 'exact.pdf', pdfOfSize(MiB)).expect(201);
    expect(exact.body.sizeBytes).toBe(MiB);
  });

  it('refuses zero bytes (422 ATTACHMENT_EMPTY)', async () => {
    const { app, owner } = await newApp();
    const res = await uploadFile(owner, app.id, 'empty.pdf', Buffer.alloc(0)).expect(422);
    expect(res.body.code).toBe('ATTACHMENT_EMPTY');
    expect(await rows(app.id)).toEqual([]);
  });

  it('keeps a path-traversal file name only as a sanitized display name', async () => {
    const { app, owner } = await newApp();
    for (const [raw, shown] of [
      ['../../etc/passwd.pdf', 'passwd.pdf'],
      ['..\\..\\windows\\win.ini.pdf', 'win.ini.pdf'],
      ['/etc/shadow.pdf', 'shadow.pdf'],
      ['..', 'attachment'],
    ]) {
      const res = await uploadFile(owner, app.id, raw, buildPdf()).expect(201);
      expect({ raw, fileName: res.body.fileName }).toEqual({ raw, fileName: shown });
    }
    for (const row of await rows(app.id)) {
      expect(row.storageKey).toMatch(new RegExp(`^applications/${app.id}/[0-9a-f-]{36}$`));
      expect(row.storageKey).not.toContain('..');
    }
  });

  it('needs multipart/form-data with a "file" part (400)', async () => {
    const { app, owner } = await newApp();
    const noFile = await upload(owner, app.id, multipart([{ name: 'note', data: 'hello' }])).expect(400);
    expect(noFile.body).toEqual(
      expect.objectContaining({
        code: 'VALIDATION_FAILED',
        errors: [expect.objectContaining({ field: 'file' })],
      }),
    );
    await upload(owner, app.id, multipart([{ name: 'other', filename: 'a.pdf', data: buildPdf() }])).expect(
      400,
    );
    await upload(owner, app.id, Buffer.from('{"file":"x"}'), 'application/json').expect(400);
    await upload(owner, app.id, Buffer.from('garbage without boundary')).expect(400);
  });

  it('accepts attachments only while the application is draft or returned (409 otherwise)', async () => {
    const { app, owner } = await newApp();
    await t.http.post(`/api/v1/applications/${app.id}/submit`).set(owner.auth).expect(200);
    const res = await uploadFile(owner, app.id, 'late.pdf', buildPdf()).expect(409);
    expect(res.body.code).toBe('INVALID_STATE_TRANSITION');
    await t.http
      .post(`/api/v1/applications/${app.id}/formal-check`)
      .set(cast.operator.auth)
      .send({ decision: 'return', reason: '请补充营业执照' })
      .expect(200);
    await uploadFile(owner, app.id, '营业执照.pdf', buildPdf()).expect(201);
  });

  it('keeps tenants apart: 404 for another enterprise, upload and list alike', async () => {
    const { app, owner } = await newApp();
    await uploadFile(owner, app.id, 'secret.pdf', buildPdf()).expect(201);
    await uploadFile(cast.ent2, app.id, 'intruder.pdf', buildPdf()).expect(404);
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(cast.ent2.auth).expect(404);
    // the issuer only after submission, read-only
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(cast.gov.auth).expect(404);
    await t.http.post(`/api/v1/applications/${app.id}/submit`).set(owner.auth).expect(200);
    const issuer = await t.http
      .get(`/api/v1/applications/${app.id}/attachments`)
      .set(cast.gov.auth)
      .expect(200);
    expect(issuer.body.items).toHaveLength(1);
    await uploadFile(cast.gov, app.id, 'gov.pdf', buildPdf()).expect(403);
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(cast.gov2.auth).expect(404);
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(cast.operator.auth).expect(200);
    expect((await rows(app.id)).map((r) => r.fileName)).toEqual(['secret.pdf']);
  });

  it('401 / 403 / 404 / 400 paths', async () => {
    const { app } = await newApp();
    await uploadFile(null, app.id, 'a.pdf', buildPdf()).expect(401);
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).expect(401);
    await uploadFile(cast.expert, app.id, 'a.pdf', buildPdf()).expect(403);
    await t.http.get(`/api/v1/applications/${app.id}/attachments`).set(cast.expert.auth).expect(403);
    await uploadFile(cast.operator, app.id, 'a.pdf', buildPdf()).expect(403);
    await uploadFile(cast.ent1, '00000000-0000-4000-8000-000000000000', 'a.pdf', buildPdf()).expect(404);
    await uploadFile(cast.ent1, 'nope', 'a.pdf', buildPdf()).expect(400);
  });
});
