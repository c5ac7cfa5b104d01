/**
 * The sandbox flow end to end through the real api, the real bwrap driver and python3: award →
 * sandbox → grants (raw, masked, synthetic) → a run that computes an aggregate from /data → exports
 * through the automatic checks and the stewards' review → download. Tests boot the api only, so the
 * run job is executed by calling the worker's executor directly.
 */
import { AuditEventEntity } from '@aihub/audit';
import { RunExecutor } from '@aihub/sandbox';
import { In } from 'typeorm';
import { createTestApp, PROBLEM_JSON, TestApp } from '../utils/test-app';
import {
  API,
  awardedSandbox,
  createDataset,
  Dataset,
  grant,
  MISSING,
  outputText,
  runToEnd,
  SandboxWorld,
  STREETS,
} from './sandbox-fixtures';

jest.setTimeout(240_000);

const MAIN_PY = String.raw`
import csv, json, os, sys
from collections import Counter
name = sys.argv[1]
def rows(p):
    with open(p, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))
raw = rows(f'/data/{name}/data.csv')
counts = Counter(r['street'] for r in raw)
with open('/output/summary.csv', 'w') as f:
    f.write('street,count\n')
    for s, n in sorted(counts.items()):
        f.write(f'{s},{n}\n')
with open('/output/rows.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(raw[0].keys())
    for r in raw[:3]:
        w.writerow(r.values())
open('/output/ids.txt', 'w').write('first id: ' + raw[0]['resident_id'] + '\n')
open('/output/phones.txt', 'w').write('\n'.join(r['phone'] for r in raw[:2]) + '\n')
open('/output/small.csv', 'w').write('street,count\nA,3\nB,25\n')
ids = {r['resident_id'] for r in raw}
phones = {r['phone'] for r in raw}
people = {r['name'] for r in raw}
real = {tuple(r.values()) for r in raw}
checks = {}
for view in ('masked', 'synthetic'):
    p = f'/data/{name}-{view}/data.csv'
    v = rows(p)
    text = open(p, encoding='utf-8').read()
    checks[view] = {
        'rows': len(v), 'header': list(v[0].keys()),
        'rawIds': sum(1 for x in ids if x in text), 'rawPhones': sum(1 for x in phones if x in text),
        'rawNames': sum(1 for x in people if x in text),
        'rawRows': sum(1 for r in v if tuple(r.get(k, '') for k in raw[0].keys()) in real),
    }
json.dump(checks, open('/output/views.json', 'w'))
print('mounted', sorted(os.listdir('/data')))
print(','.join(raw[0].values()))
print('mean age', sum(int(r['age']) for r in raw) / len(raw))
try:
    open(f'/data/{name}/x', 'w')
    print('WROTE INTO DATA')
except OSError:
    print('data is read-only')
`;

describe('sandbox flow: grants, runs, airlock (e2e)', () => {
  let t: TestApp;
  let w: SandboxWorld;
  let general: Dataset;
  let run: Awaited<ReturnType<typeof runToEnd>>;

  const exportReq = (runId: string, paths: string[], who = w.cast.ent1, key?: string) => {
    const req = t.http
      .post(`${API}/runs/${runId}/exports`)
      .set(who.auth)
      .send({ paths, justification: '按街道汇总的居民数量，用于结题报告。' });
    return key ? req.set('Idempotency-Key', key) : req;
  };
  const decide = (id: string, who: { auth: { Authorization: string } }, approve: boolean) =>
    t.http
      .post(`${API}/exports/${id}/decision`)
      .set(who.auth)
      .send({ approve, reason: approve ? '汇总结果，同意导出。' : '含个人信息，不同意。' });
  const auditCount = (objectId: string, action: string) =>
    t.dataSource.getRepository(AuditEventEntity).count({ where: { objectId, action } });

  beforeAll(async () => {
    t = await createTestApp();
    w = await awardedSandbox(t);
    general = await createDataset(t, w.cast.steward, 'general');
    await grant(t, w, general, 'raw');
    await grant(t, w, general, 'masked');
    await grant(t, w, general, 'synthetic');
    run = await runToEnd(t, w.cast.ent1, w.sandboxId, { 'main.py': MAIN_PY }, [
      'python3',
      'main.py',
      general.name,
    ]);
  });
  afterAll(() => t.close());

  it('runs the code next to the data: succeeded, outputs with size and sha256, usage, mounts', async () => {
    expect(run.status).toBe('succeeded');
    expect(run.exitCode).toBe(0);
    expect(run.mounts.map((m) => [m.mountPath, m.view])).toEqual([
      [`/data/${general.name}`, 'raw'],
      [`/data/${general.name}-masked`, 'masked'],
      [`/data/${general.name}-synthetic`, 'synthetic'],
    ]);
    expect(run.outputs.map((o) => o.path).sort()).toEqual([
      'ids.txt',
      'phones.txt',
      'rows.csv',
      'small.csv',
      'summary.csv',
      'views.json',
    ]);
    for (const o of run.outputs) {
      expect(o.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(o.sizeBytes).toBeGreaterThan(0);
    }
    expect(run.usage!.cpuSeconds).toBeGreaterThan(0);
    expect(run.usage!.maxMemoryMb).toBeGreaterThan(0);
    expect(await outputText(t, run.id, 'summary.csv')).toBe(
      `street,count\n${[...STREETS]
        .sort()
        .map((s) => `${s},12`)
        .join('\n')}\n`,
    );
    // one dataset.mount event per mounted grant
    const grants = (
      await t.http.get(`${API}/sandboxes/${w.sandboxId}/grants`).set(w.cast.ent1.auth).expect(200)
    ).body.items;
    expect(grants).toHaveLength(3);
    const mounts = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { action: 'dataset.mount', objectId: In(grants.map((g: { id: string }) => g.id)) } });
    expect(mounts).toHaveLength(3);
    expect(mounts.every((m) => m.details.runId === run.id)).toBe(true);
    // running it again (a redelivered job) changes nothing
    expect(await t.get(RunExecutor).execute(run.id)).toBeNull();
  });

  it('mounts a masked view without raw identifier values and a synthetic view without real rows', async () => {
    const views = JSON.parse(await outputText(t, run.id, 'views.json'));
    expect(views.masked.header).toEqual(['name', 'phone', 'street', 'age']); // resident_id dropped
    expect(views.masked.rows).toBe(36);
    expect(views.masked).toMatchObject({ rawIds: 0, rawPhones: 0, rawNames: 0, rawRows: 0 });
    expect(views.synthetic.rows).toBeGreaterThan(0);
    expect(views.synthetic.rawRows).toBe(0);
  });

  it('redacts the log for the company and shows reviewers the unredacted one', async () => {
    const log = (await t.http.get(`${API}/runs/${run.id}/logs`).set(w.cast.ent1.auth).expect(200)).text;
    expect(log).toContain('data is read-only');
    expect(log).toContain('mean age');
    expect(log).toContain('[redacted');
    expect(log).not.toContain(general.rows[0][1]);
    expect(run.redactedLines).toBeGreaterThanOrEqual(1);
    const raw = (await t.http.get(`${API}/runs/${run.id}/logs?raw=true`).set(w.cast.steward.auth).expect(200))
      .text;
    expect(raw).toContain(general.rows[0].join(','));
    await t.http.get(`${API}/runs/${run.id}/logs?raw=true`).set(w.cast.operator.auth).expect(200);
    const denied = await t.http.get(`${API}/runs/${run.id}/logs?raw=true`).set(w.cast.ent1.auth).expect(403);
    expect(denied.headers['content-type']).toMatch(PROBLEM_JSON);
    await t.http.get(`${API}/runs/${run.id}/logs?raw=true`).set(w.otherSteward.auth).expect(404);
  });

  it('passes a clean aggregate to review; one steward of the provider releases general data; the company downloads it', async () => {
    const res = await exportReq(run.id, ['summary.csv'], w.cast.ent1, 'export-summary-1').expect(201);
    expect(res.body.status).toBe('pending_review');
    expect(res.body.checks.map((c: { name: string }) => c.name)).toEqual([
      'file_types',
      'size',
      'row_fingerprints',
      'direct_identifiers',
      'small_cells',
    ]);
    expect(res.body.checks.every((c: { passed: boolean }) => c.passed)).toBe(true);
    expect(res.body.reviews).toEqual([
      expect.objectContaining({ grade: 'general', requiredApprovals: 1, status: 'pending' }),
    ]);
    const again = await exportReq(run.id, ['summary.csv'], w.cast.ent1, 'export-summary-1').expect(201);
    expect(again.body.id).toBe(res.body.id);
    const id = res.body.id;

    // not released yet: nothing to download
    expect(
      (await t.http.get(`${API}/exports/${id}/download`).set(w.cast.ent1.auth).expect(409)).body.code,
    ).toBe('EXPORT_NOT_RELEASED');
    // the requesting organization cannot approve its own export; another provider does not see it
    expect((await decide(id, w.cast.ent1, true).expect(403)).headers['content-type']).toMatch(PROBLEM_JSON);
    await decide(id, w.otherSteward, true).expect(404);
    await t.http.get(`${API}/exports/${id}`).set(w.otherSteward.auth).expect(404);
    await t.http.get(`${API}/exports/${id}`).set(w.cast.steward.auth).expect(200);
    const queue = (
      await t.http.get(`${API}/exports?status=pending_review`).set(w.cast.steward.auth).expect(200)
    ).body.items;
    expect(queue.map((e: { id: string }) => e.id)).toContain(id);

    const decided = await decide(id, w.cast.steward, true).expect(200);
    expect(decided.body.status).toBe('released');
    expect(decided.body.reviews[0].decisions).toHaveLength(1);
    await decide(id, w.steward2, true).expect(409);

    const file = await t.http
      .get(`${API}/exports/${id}/download`)
      .set(w.cast.ent1.auth)
      .buffer(true)
      .expect(200);
    expect(file.headers['content-disposition']).toContain('summary.csv');
    expect(file.body.toString('utf8')).toBe(await outputText(t, run.id, 'summary.csv'));
    await t.http.get(`${API}/exports/${id}/download`).set(w.cast.steward.auth).expect(403);
    await t.http.get(`${API}/exports/${id}/download`).set(w.cast.ent2.auth).expect(404);
    await t.http.get(`${API}/exports/${id}/download`).expect(401);
    expect(await auditCount(id, 'export.download')).toBe(1);
    expect(await auditCount(id, 'export.decision')).toBe(1);
  });

  it('releases several files as one zip', async () => {
    const res = await exportReq(run.id, ['summary.csv', 'views.json']).expect(201);
    expect(res.body.status).toBe('pending_review');
    expect((await decide(res.body.id, w.cast.steward, true).expect(200)).body.status).toBe('released');
    const zip = await t.http
      .get(`${API}/exports/${res.body.id}/download`)
      .set(w.cast.ent1.auth)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const body = zip.body as Buffer;
    expect(body.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    const summary = await outputText(t, run.id, 'summary.csv');
    expect(body.includes(Buffer.from(summary))).toBe(true); // stored entries: the bytes are in the archive
    expect(body.includes(Buffer.from('views.json'))).toBe(true);
  });

  it('flags exports with raw rows, resident IDs, phone numbers or small cells; flagged ones cannot be approved', async () => {
    const failed = async (paths: string[]) => {
      const res = await exportReq(run.id, paths).expect(201);
      expect(res.body.status).toBe('flagged');
      return {
        id: res.body.id as string,
        failed: res.body.checks
          .filter((c: { passed: boolean }) => !c.passed)
          .map((c: { name: string }) => c.name),
      };
    };
    expect((await failed(['rows.csv'])).failed).toEqual(
      expect.arrayContaining(['row_fingerprints', 'direct_identifiers']),
    );
    expect((await failed(['ids.txt'])).failed).toEqual(['direct_identifiers']);
    expect((await failed(['/output/phones.txt'])).failed).toEqual(['direct_identifiers']);
    const small = await failed(['small.csv']);
    expect(small.failed).toEqual(['small_cells']);
    expect((await decide(small.id, w.cast.steward, true).expect(409)).body.code).toBe(
      'EXPORT_NOT_PENDING_REVIEW',
    );
    expect((await decide(small.id, w.cast.steward, false).expect(200)).body.status).toBe('rejected');
    // several files in one request: any failing file flags it
    expect((await failed(['summary.csv', 'ids.txt'])).failed).toEqual(['direct_identifiers']);
  });

  it('refuses bad export requests with stable codes', async () => {
    expect((await exportReq(run.id, ['nope.csv']).expect(422)).body.code).toBe('OUTPUT_NOT_FOUND');
    expect((await exportReq(run.id, []).expect(400)).body.code).toBe('VALIDATION_FAILED');
    await t.http
      .post(`${API}/runs/${run.id}/exports`)
      .set(w.cast.ent1.auth)
      .send({ paths: ['summary.csv'] })
      .expect(400);
    await exportReq(run.id, ['summary.csv'], w.cast.ent2).expect(404);
    expect((await exportReq(run.id, ['summary.csv'], w.cast.steward).expect(403)).body.code).toBe(
      'FORBIDDEN',
    );
    await exportReq(MISSING, ['summary.csv']).expect(404);
    await t.http
      .post(`${API}/runs/${run.id}/exports`)
      .send({ paths: ['summary.csv'], justification: 'xxxxxxx' })
      .expect(401);
  });

  it('needs two distinct stewards who vote independently for important data', async () => {
    const important = await createDataset(t, w.cast.steward, 'important');
    const grantId = await grant(t, w, important, 'raw');
    const script = `import csv\nrows = list(csv.DictReader(open('/data/${important.name}/data.csv')))\nopen('/output/n.csv','w').write('n\\n%d\\n' % len(rows))\n`;
    const r = await runToEnd(t, w.cast.ent1, w.sandboxId, { 'count.py': script }, ['python3', 'count.py']);
    expect(r.status).toBe('succeeded');
    const res = await exportReq(r.id, ['n.csv']).expect(201);
    expect(res.body.status).toBe('pending_review');
    expect(res.body.reviews).toEqual([expect.objectContaining({ grade: 'important', requiredApprovals: 2 })]);
    const first = await decide(res.body.id, w.cast.steward, true).expect(200);
    expect(first.body.status).toBe('pending_review');
    expect(first.body.yourDecision.approve).toBe(true);
    const seenBySecond = (await t.http.get(`${API}/exports/${res.body.id}`).set(w.steward2.auth).expect(200))
      .body;
    expect(seenBySecond.reviews[0].decisions).toEqual([]);
    expect(seenBySecond.yourDecision).toBeNull();
    expect((await decide(res.body.id, w.cast.steward, true).expect(409)).body.code).toBe('ALREADY_DECIDED');
    const second = await decide(res.body.id, w.steward2, true).expect(200);
    expect(second.body.status).toBe('released');
    expect(second.body.reviews[0].decisions).toHaveLength(2);
    await t.http.post(`${API}/grants/${grantId}/revoke`).set(w.cast.steward.auth).expect(200);
  });

  it('never exports anything of a run that had core data mounted', async () => {
    const core = await createDataset(t, w.cast.steward, 'core');
    const grantId = await grant(t, w, core, 'raw');
    const r = await runToEnd(
      t,
      w.cast.ent1,
      w.sandboxId,
      { 'a.py': "open('/output/n.csv','w').write('n\\n100\\n')\n" },
      ['python3', 'a.py'],
    );
    expect(r.status).toBe('succeeded');
    const res = await exportReq(r.id, ['n.csv']).expect(409);
    expect(res.body.code).toBe('CORE_DATA_NOT_EXPORTABLE');
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    // revoked: the next run does not mount it
    await t.http.post(`${API}/grants/${grantId}/revoke`).set(w.cast.steward.auth).expect(200);
    const after = await runToEnd(
      t,
      w.cast.ent1,
      w.sandboxId,
      { 'ls.py': "import os\nprint(sorted(os.listdir('/data')))\n" },
      ['python3', 'ls.py'],
    );
    expect(after.mounts.map((m) => m.mountPath)).not.toContain(`/data/${core.name}`);
  });

  it("keeps enterprise 2 out of enterprise 1's sandbox, runs, logs, outputs and exports (404)", async () => {
    const ent2 = w.cast.ent2;
    await t.http.get(`${API}/sandboxes/${w.sandboxId}`).set(ent2.auth).expect(404);
    await t.http.get(`${API}/sandboxes/${w.sandboxId}/grants`).set(ent2.auth).expect(404);
    await t.http.get(`${API}/sandboxes/${w.sandboxId}/runs`).set(ent2.auth).expect(404);
    await t.http.get(`${API}/runs/${run.id}`).set(ent2.auth).expect(404);
    await t.http.get(`${API}/runs/${run.id}/logs`).set(ent2.auth).expect(404);
    await t.http.post(`${API}/runs/${run.id}/cancel`).set(ent2.auth).expect(404);
    const list = (await t.http.get(`${API}/sandboxes`).set(ent2.auth).expect(200)).body.items;
    expect(list.map((s: { id: string }) => s.id)).not.toContain(w.sandboxId);
    const exports = (await t.http.get(`${API}/exports`).set(ent2.auth).expect(200)).body.items;
    expect(exports).toEqual([]);
    const mine = (await t.http.get(`${API}/exports?runId=${run.id}`).set(w.cast.ent1.auth).expect(200)).body
      .items;
    expect(mine.length).toBeGreaterThan(0);
    for (const e of mine) await t.http.get(`${API}/exports/${e.id}`).set(ent2.auth).expect(404);
    const runs = (await t.http.get(`${API}/sandboxes/${w.sandboxId}/runs`).set(w.cast.ent1.auth).expect(200))
      .body.items;
    expect(runs.map((r: { id: string }) => r.id)).toContain(run.id);
    await t.http.get(`${API}/runs/${run.id}`).expect(401);
  });

  it('counts sandbox runs in GET /stats', async () => {
    const stats = (await t.http.get(`${API}/stats`).expect(200)).body;
    const count = Number(
      Object.entries(stats).find(([k]) => k === 'sandboxRuns')?.[1] ?? stats.counts?.sandboxRuns,
    );
    expect(count).toBeGreaterThanOrEqual(4);
  });
});
