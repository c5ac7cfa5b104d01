/**
 * A consortium's sandbox: the lead (ent1's organization) is awarded with one member organization; the
 * member's enterprise users use the one sandbox with the lead's rights (list, read, grants, runs, logs,
 * extensions, exports, downloads), nobody of the consortium approves its exports, and an unrelated
 * enterprise still gets 404 for all of it. Every list is checked beside the single read (the guard and
 * the list SQL come from the same rules and must agree).
 */
import { SandboxEntity, SandboxExportEntity, SandboxRunEntity, DatasetGrantEntity } from '@aihub/sandbox';
import { SandboxProvisionRequestEntity } from '@aihub/scenarios';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser } from '../utils/test-app';
import {
  API,
  awardedSandbox,
  createDataset,
  Dataset,
  outputText,
  runToEnd,
  SandboxWorld,
  STREETS,
  submitRun,
  tarGz,
} from './sandbox-fixtures';

jest.setTimeout(240_000);

const SUMMARY_PY = String.raw`
import csv, sys
from collections import Counter
rows = list(csv.DictReader(open(f'/data/{sys.argv[1]}/data.csv', newline='', encoding='utf-8')))
with open('/output/summary.csv', 'w') as f:
    f.write('street,count\n')
    for s, n in sorted(Counter(r['street'] for r in rows).items()):
        f.write(f'{s},{n}\n')
print(','.join(rows[0].values()))
print('rows', len(rows))
`;

const ids = (items: { id: string }[]) => items.map((i) => i.id);

describe('consortium members share the awardee sandbox (e2e)', () => {
  let t: TestApp;
  let w: SandboxWorld;
  /** an enterprise user of the consortium's member organization */
  let member: TestUser;
  /** an enterprise that has nothing to do with the award */
  let stranger: TestUser;
  let ds: Dataset;
  let grantId: string;
  let run: Awaited<ReturnType<typeof runToEnd>>;
  let exportId: string;

  beforeAll(async () => {
    t = await createTestApp();
    member = await t.createUser(['enterprise']);
    w = await awardedSandbox(t, 30, 'here', [member]);
    stranger = w.cast.ent2;
    ds = await createDataset(t, w.cast.steward, 'general');
  });
  afterAll(() => t.close());

  it('records the consortium on the sandbox; members list and read it, strangers do not', async () => {
    const row = await t.dataSource.getRepository(SandboxEntity).findOneByOrFail({ id: w.sandboxId });
    expect(row.organizationId).toBe(w.cast.ent1.organizationId);
    expect(row.consortiumOrgIds).toEqual([member.organizationId]);

    for (const who of [member, w.cast.ent1]) {
      const one = (await t.http.get(`${API}/sandboxes/${w.sandboxId}`).set(who.auth).expect(200)).body;
      expect(one).toMatchObject({
        id: w.sandboxId,
        organizationId: w.cast.ent1.organizationId,
        memberOrganizationIds: [member.organizationId],
      });
      const list = (await t.http.get(`${API}/sandboxes?status=active`).set(who.auth).expect(200)).body.items;
      expect(ids(list)).toContain(w.sandboxId);
    }
    await t.http.get(`${API}/sandboxes/${w.sandboxId}`).set(stranger.auth).expect(404);
    expect(
      ids((await t.http.get(`${API}/sandboxes`).set(stranger.auth).expect(200)).body.items),
    ).not.toContain(w.sandboxId);
  });

  it('lets a member request a grant (the provider approves it) and read it; not approve it', async () => {
    const res = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/grants`)
      .set(member.auth)
      .send({ datasetVersionId: ds.versionId, view: 'raw' })
      .expect(201);
    grantId = res.body.id;
    expect(res.body).toMatchObject({ sandboxId: w.sandboxId, organizationId: w.cast.ent1.organizationId });
    const row = await t.dataSource.getRepository(DatasetGrantEntity).findOneByOrFail({ id: grantId });
    expect(row.consortiumOrgIds).toEqual([member.organizationId]);
    expect(
      (await t.http.post(`${API}/grants/${grantId}/approve`).set(member.auth).expect(403)).body.code,
    ).toBe('FORBIDDEN');
    await t.http.post(`${API}/grants/${grantId}/approve`).set(w.cast.steward.auth).expect(200);

    expect((await t.http.get(`${API}/grants/${grantId}`).set(member.auth).expect(200)).body.status).toBe(
      'active',
    );
    for (const who of [member, w.cast.ent1]) {
      expect(
        ids((await t.http.get(`${API}/grants?status=active`).set(who.auth).expect(200)).body.items),
      ).toContain(grantId);
      expect(
        ids(
          (await t.http.get(`${API}/sandboxes/${w.sandboxId}/grants`).set(who.auth).expect(200)).body.items,
        ),
      ).toContain(grantId);
    }
    await t.http.get(`${API}/grants/${grantId}`).set(stranger.auth).expect(404);
    await t.http.get(`${API}/sandboxes/${w.sandboxId}/grants`).set(stranger.auth).expect(404);
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/grants`)
      .set(stranger.auth)
      .send({ datasetVersionId: ds.versionId, view: 'masked' })
      .expect(404);
    expect(ids((await t.http.get(`${API}/grants`).set(stranger.auth).expect(200)).body.items)).not.toContain(
      grantId,
    );
  });

  it('lets a member request an extension and see it; strangers get 404', async () => {
    const ext = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(member.auth)
      .send({ days: 10, reason: '联合体成员需要更多时间完成实验。' })
      .expect(201);
    expect(ext.body.status).toBe('pending');
    for (const who of [member, w.cast.ent1])
      expect(
        ids(
          (await t.http.get(`${API}/sandboxes/${w.sandboxId}/extensions`).set(who.auth).expect(200)).body
            .items,
        ),
      ).toContain(ext.body.id);
    await t.http.get(`${API}/sandboxes/${w.sandboxId}/extensions`).set(stranger.auth).expect(404);
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(stranger.auth)
      .send({ days: 10, reason: '不相关的企业。' })
      .expect(404);
    // members request, they never decide
    await t.http
      .post(`${API}/sandbox-extensions/${ext.body.id}/decision`)
      .set(member.auth)
      .send({ approve: true })
      .expect(403);
  });

  it('runs a member’s code on the granted data and shows it the redacted log; strangers get 404', async () => {
    run = await runToEnd(t, member, w.sandboxId, { 'main.py': SUMMARY_PY }, ['python3', 'main.py', ds.name]);
    expect(run.status).toBe('succeeded');
    expect(run.mounts.map((m) => m.mountPath)).toEqual([`/data/${ds.name}`]);
    expect(await outputText(t, run.id, 'summary.csv')).toBe(
      `street,count\n${[...STREETS]
        .sort()
        .map((s) => `${s},12`)
        .join('\n')}\n`,
    );
    const row = await t.dataSource.getRepository(SandboxRunEntity).findOneByOrFail({ id: run.id });
    expect(row).toMatchObject({
      organizationId: w.cast.ent1.organizationId,
      consortiumOrgIds: [member.organizationId],
    });

    for (const who of [member, w.cast.ent1]) {
      await t.http.get(`${API}/runs/${run.id}`).set(who.auth).expect(200);
      expect(
        ids((await t.http.get(`${API}/sandboxes/${w.sandboxId}/runs`).set(who.auth).expect(200)).body.items),
      ).toContain(run.id);
      const log = (await t.http.get(`${API}/runs/${run.id}/logs`).set(who.auth).expect(200)).text;
      expect(log).toContain('rows 36');
      expect(log).toContain('[redacted');
      expect(log).not.toContain(ds.rows[0][1]);
      await t.http.get(`${API}/runs/${run.id}/logs?raw=true`).set(who.auth).expect(403);
    }
    await t.http.get(`${API}/runs/${run.id}`).set(stranger.auth).expect(404);
    await t.http.get(`${API}/runs/${run.id}/logs`).set(stranger.auth).expect(404);
    await t.http.get(`${API}/sandboxes/${w.sandboxId}/runs`).set(stranger.auth).expect(404);
    await submitRun(t, stranger, w.sandboxId, tarGz({ 'a.py': 'print(1)\n' }), ['python3', 'a.py']).expect(
      404,
    );
  });

  it('lets a member cancel a queued run of the consortium; strangers get 404', async () => {
    // queued by the lead, cancelled by the member: same sandbox, same rights
    const queued = await submitRun(t, w.cast.ent1, w.sandboxId, tarGz({ 'a.py': 'print(1)\n' }), [
      'python3',
      'a.py',
    ]).expect(202);
    await t.http.post(`${API}/runs/${queued.body.id}/cancel`).set(stranger.auth).expect(404);
    const cancelled = await t.http.post(`${API}/runs/${queued.body.id}/cancel`).set(member.auth).expect(200);
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('lets a member request an export and download it once released; no consortium organization approves it', async () => {
    const res = await t.http
      .post(`${API}/runs/${run.id}/exports`)
      .set(member.auth)
      .send({ paths: ['summary.csv'], justification: '按街道汇总的居民数量，用于联合体结题报告。' })
      .expect(201);
    expect(res.body.status).toBe('pending_review');
    expect(res.body.organizationId).toBe(w.cast.ent1.organizationId);
    exportId = res.body.id;
    const row = await t.dataSource.getRepository(SandboxExportEntity).findOneByOrFail({ id: exportId });
    expect(row.consortiumOrgIds).toEqual([member.organizationId]);
    await t.http
      .post(`${API}/runs/${run.id}/exports`)
      .set(stranger.auth)
      .send({ paths: ['summary.csv'], justification: '不相关的企业想要导出。' })
      .expect(404);

    const decide = (who: TestUser) =>
      t.http
        .post(`${API}/exports/${exportId}/decision`)
        .set(who.auth)
        .send({ approve: true, reason: '同意。' });
    for (const who of [member, w.cast.ent1]) {
      const denied = await decide(who).expect(403);
      expect(denied.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(
        (await t.http.get(`${API}/exports/${exportId}/download`).set(who.auth).expect(409)).body.code,
      ).toBe('EXPORT_NOT_RELEASED');
      await t.http.get(`${API}/exports/${exportId}`).set(who.auth).expect(200);
      expect(
        ids((await t.http.get(`${API}/exports?runId=${run.id}`).set(who.auth).expect(200)).body.items),
      ).toContain(exportId);
    }
    // enterprises never review (the route's policy: 403 whatever the id); another provider's steward: 404
    expect((await decide(stranger).expect(403)).body.code).toBe('FORBIDDEN');
    await decide(w.otherSteward).expect(404);
    await t.http.get(`${API}/exports/${exportId}`).set(stranger.auth).expect(404);
    expect(ids((await t.http.get(`${API}/exports`).set(stranger.auth).expect(200)).body.items)).not.toContain(
      exportId,
    );

    expect((await decide(w.cast.steward).expect(200)).body.status).toBe('released');
    const expected = await outputText(t, run.id, 'summary.csv');
    for (const who of [member, w.cast.ent1]) {
      const file = await t.http
        .get(`${API}/exports/${exportId}/download`)
        .set(who.auth)
        .buffer(true)
        .expect(200);
      expect(file.body.toString('utf8')).toBe(expected);
    }
    await t.http.get(`${API}/exports/${exportId}/download`).set(stranger.auth).expect(404);
  });

  it('gives a sandbox an operator provisions by hand the application’s consortium too', async () => {
    const other = await t.createUser(['enterprise']);
    const pending = await awardedSandbox(t, 30, 'none', [other]);
    // no request to read it from (e.g. lost in an incident): the application says who the members are
    await t.dataSource
      .getRepository(SandboxProvisionRequestEntity)
      .delete({ applicationId: pending.applicationId });
    const created = await t.http
      .post(`${API}/sandboxes`)
      .set(pending.cast.operator.auth)
      .send({ applicationId: pending.applicationId })
      .expect(201);
    expect(created.body).toMatchObject({
      organizationId: pending.cast.ent1.organizationId,
      memberOrganizationIds: [other.organizationId],
    });
    await t.http.get(`${API}/sandboxes/${created.body.id}`).set(other.auth).expect(200);
    await t.http.get(`${API}/sandboxes/${created.body.id}`).set(member.auth).expect(404);
  });

  it('refuses the decision of a consortium organization even when it provided the data', async () => {
    // a member organization that also provides a dataset (roles are not tied to organization types
    // here): its steward may review other exports of that dataset, never the consortium's own
    const providerMember = await t.createUser(['enterprise', 'data_steward']);
    const own = await awardedSandbox(t, 30, 'here', [providerMember]);
    const mine = await createDataset(t, providerMember, 'general');
    const g = await t.http
      .post(`${API}/sandboxes/${own.sandboxId}/grants`)
      .set(providerMember.auth)
      .send({ datasetVersionId: mine.versionId, view: 'raw' })
      .expect(201);
    await t.http.post(`${API}/grants/${g.body.id}/approve`).set(providerMember.auth).expect(200);
    const r = await runToEnd(t, providerMember, own.sandboxId, { 'main.py': SUMMARY_PY }, [
      'python3',
      'main.py',
      mine.name,
    ]);
    expect(r.status).toBe('succeeded');
    const exp = await t.http
      .post(`${API}/runs/${r.id}/exports`)
      .set(own.cast.ent1.auth)
      .send({ paths: ['summary.csv'], justification: '按街道汇总的居民数量。' })
      .expect(201);
    expect(exp.body.reviews).toEqual([
      expect.objectContaining({ providerOrgId: providerMember.organizationId }),
    ]);
    const denied = await t.http
      .post(`${API}/exports/${exp.body.id}/decision`)
      .set(providerMember.auth)
      .send({ approve: true, reason: '自己的导出。' })
      .expect(403);
    expect(denied.body.code).toBe('FORBIDDEN');
    const fresh = (await t.http.get(`${API}/exports/${exp.body.id}`).set(own.cast.ent1.auth).expect(200))
      .body;
    expect(fresh.status).toBe('pending_review');
  });
});
