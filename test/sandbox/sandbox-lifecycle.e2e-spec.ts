/**
 * Sandboxes around the runs: provisioning (from the award's requests and by operators), extensions,
 * suspension, the expiry timer (clock moved), grants' authorization and states, run uploads (bad
 * bundles, bad argv, Idempotency-Key), cancel of queued and running runs.
 */
import { AuditEventEntity } from '@aihub/audit';
import { Clock } from '@aihub/core';
import {
  RunExecutor,
  SandboxEntity,
  SandboxProvisionHandler,
  SandboxProvisioningService,
  SandboxRunEntity,
} from '@aihub/sandbox';
import { SandboxProvisionRequestEntity } from '@aihub/scenarios';
import { createTestApp, PROBLEM_JSON, TestApp } from '../utils/test-app';
import {
  API,
  awardedSandbox,
  createDataset,
  grant,
  MISSING,
  SandboxWorld,
  submitRun,
  tarGz,
} from './sandbox-fixtures';

jest.setTimeout(180_000);
const DAY = 24 * 3600 * 1000;

describe('sandboxes, grants and runs: lifecycle and authorization (e2e)', () => {
  let t: TestApp;
  let w: SandboxWorld;

  beforeAll(async () => {
    // a small log cap, so that truncation is visible
    t = await createTestApp({ env: { SANDBOX_LOG_MAX_KB: '4' } });
    w = await awardedSandbox(t, 30);
  });
  afterAll(() => t.close());

  const get = (id: string, who = w.cast.ent1) => t.http.get(`${API}/sandboxes/${id}`).set(who.auth);

  it('provisions the awardee a sandbox with the default quota for the scenario’s sandboxDays, once', async () => {
    const s = (await get(w.sandboxId).expect(200)).body;
    expect(s).toMatchObject({
      id: w.sandboxId,
      scenarioId: w.scenarioId,
      organizationId: w.cast.ent1.organizationId,
      applicationId: w.applicationId,
      status: 'active',
      quota: { cpus: 1, memoryMb: 1024, diskMb: 1024, runTimeoutSeconds: 600 },
    });
    const now = t.get(Clock).now().getTime();
    expect(Math.abs(Date.parse(s.expiresAt) - (now + 30 * DAY))).toBeLessThan(120_000);
    // the award's transaction queued the provision job itself (trigger → outbox), and the job is idempotent
    const request = await t.dataSource
      .getRepository(SandboxProvisionRequestEntity)
      .findOneByOrFail({ applicationId: w.applicationId });
    expect(request.status).toBe('provisioned');
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id = $1`, [
      `sandbox.provision/${request.id}`,
    ]);
    expect(n).toBe(1);
    expect(await t.get(SandboxProvisionHandler).handle({ requestId: request.id })).toBeNull();
    // the request is consumed; consuming it again does not double it, and an operator gets 409 (not the
    // global provisionPending() sweep: it would also consume other test files' pending requests)
    expect(await t.get(SandboxProvisioningService).provisionRequest(request.id)).toBeNull();
    const again = await t.http
      .post(`${API}/sandboxes`)
      .set(w.cast.operator.auth)
      .send({ applicationId: w.applicationId })
      .expect(409);
    expect(again.body.code).toBe('SANDBOX_EXISTS');
    const created = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { objectId: w.sandboxId, action: 'sandbox.create' } });
    expect(created).toHaveLength(1);
    // visible to its organization, operators and auditors only
    await get(w.sandboxId, w.cast.operator).expect(200);
    await get(w.sandboxId, w.cast.auditor).expect(200);
    await get(w.sandboxId, w.cast.ent2).expect(404);
    await get(w.sandboxId, w.cast.steward).expect(403); // stewards read no sandbox at all
    await t.http.get(`${API}/sandboxes/${w.sandboxId}`).expect(401);
    await get(MISSING).expect(404);
    await get('not-a-uuid').expect(400);
    const mine = (await t.http.get(`${API}/sandboxes`).set(w.cast.ent1.auth).expect(200)).body.items;
    expect(mine.map((x: { id: string }) => x.id)).toEqual([w.sandboxId]);
  });

  it('lets operators create sandboxes for selected applications only', async () => {
    await t.http
      .post(`${API}/sandboxes`)
      .set(w.cast.ent1.auth)
      .send({ applicationId: w.applicationId })
      .expect(403);
    await t.http.post(`${API}/sandboxes`).send({ applicationId: w.applicationId }).expect(401);
    await t.http
      .post(`${API}/sandboxes`)
      .set(w.cast.operator.auth)
      .send({ applicationId: MISSING })
      .expect(404);
    await t.http.post(`${API}/sandboxes`).set(w.cast.operator.auth).send({ applicationId: 'x' }).expect(400);
  });

  it('routes extension requests to operators, who approve or reject them once', async () => {
    const before = Date.parse((await get(w.sandboxId).expect(200)).body.expiresAt);
    const ext = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(w.cast.ent1.auth)
      .send({ days: 10, reason: '需要更多时间完成实验。' })
      .expect(201);
    expect(ext.body.status).toBe('pending');
    expect(
      (
        await t.http
          .post(`${API}/sandboxes/${w.sandboxId}/extend`)
          .set(w.cast.ent1.auth)
          .send({ days: 5, reason: '再申请一次。' })
          .expect(409)
      ).body.code,
    ).toBe('EXTENSION_PENDING');
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(w.cast.ent1.auth)
      .send({ days: 0, reason: 'x' })
      .expect(400);
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(w.cast.ent2.auth)
      .send({ days: 5, reason: '别人的沙箱。' })
      .expect(404);
    const decide = (who = w.cast.operator, approve = true) =>
      t.http
        .post(`${API}/sandbox-extensions/${ext.body.id}/decision`)
        .set(who.auth)
        .send({ approve, reason: '同意' });
    await decide(w.cast.ent1).expect(403);
    await t.http
      .post(`${API}/sandbox-extensions/${MISSING}/decision`)
      .set(w.cast.operator.auth)
      .send({ approve: true })
      .expect(404);
    expect((await decide().expect(200)).body.status).toBe('approved');
    expect((await decide(w.cast.operator, false).expect(409)).body.code).toBe('EXTENSION_ALREADY_DECIDED');
    const after = Date.parse((await get(w.sandboxId).expect(200)).body.expiresAt);
    expect(after - before).toBe(10 * DAY);
    const list = (
      await t.http.get(`${API}/sandboxes/${w.sandboxId}/extensions`).set(w.cast.ent1.auth).expect(200)
    ).body.items;
    expect(list[0]).toMatchObject({ id: ext.body.id, status: 'approved', days: 10 });
    // a rejected one leaves the end where it was
    const ext2 = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/extend`)
      .set(w.cast.ent1.auth)
      .send({ days: 3, reason: '第二次申请。' })
      .expect(201);
    await t.http
      .post(`${API}/sandbox-extensions/${ext2.body.id}/decision`)
      .set(w.cast.operator.auth)
      .send({ approve: false, reason: '不同意' })
      .expect(200);
    expect(Date.parse((await get(w.sandboxId).expect(200)).body.expiresAt)).toBe(after);
  });

  it('grants: requested by the sandbox organization, approved or revoked by a steward of the provider', async () => {
    const ds = await createDataset(t, w.cast.steward, 'general');
    const request = (
      who = w.cast.ent1,
      body: Record<string, unknown> = { datasetVersionId: ds.versionId, view: 'masked' },
    ) => t.http.post(`${API}/sandboxes/${w.sandboxId}/grants`).set(who.auth).send(body);
    await request(w.cast.ent2).expect(404);
    await request(w.cast.steward).expect(403);
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/grants`)
      .send({ datasetVersionId: ds.versionId, view: 'raw' })
      .expect(401);
    expect(
      (await request(w.cast.ent1, { datasetVersionId: MISSING, view: 'raw' }).expect(422)).body.code,
    ).toBe('DATASET_VERSION_NOT_FOUND');
    await request(w.cast.ent1, { datasetVersionId: ds.versionId, view: 'plain' }).expect(400);
    const g = (await request().expect(201)).body;
    expect(g).toMatchObject({
      status: 'requested',
      view: 'masked',
      datasetName: ds.name,
      grade: 'general',
      providerOrgId: w.cast.steward.organizationId,
    });
    expect((await request().expect(409)).body.code).toBe('GRANT_EXISTS');
    const queue = (await t.http.get(`${API}/grants?status=requested`).set(w.cast.steward.auth).expect(200))
      .body.items;
    expect(queue.map((x: { id: string }) => x.id)).toContain(g.id);
    const approve = (who: { auth: { Authorization: string } }) =>
      t.http.post(`${API}/grants/${g.id}/approve`).set(who.auth);
    expect((await approve(w.cast.ent1).expect(403)).headers['content-type']).toMatch(PROBLEM_JSON);
    await approve(w.otherSteward).expect(404);
    await approve(w.cast.operator).expect(403);
    expect((await approve(w.cast.steward).expect(200)).body.status).toBe('active');
    expect((await approve(w.cast.steward).expect(409)).body.code).toBe('INVALID_STATE_TRANSITION');
    await t.http.post(`${API}/grants/${g.id}/revoke`).set(w.cast.ent1.auth).expect(403);
    expect(
      (await t.http.post(`${API}/grants/${g.id}/revoke`).set(w.cast.steward.auth).expect(200)).body.status,
    ).toBe('revoked');
    await t.http.post(`${API}/grants/${g.id}/revoke`).set(w.cast.steward.auth).expect(409);
    const actions = (
      await t.dataSource
        .getRepository(AuditEventEntity)
        .find({ where: { objectId: g.id }, order: { seq: 'ASC' } })
    ).map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('grant.'))).toEqual([
      'grant.request',
      'grant.approve',
      'grant.revoke',
    ]);
  });

  it('refuses bad run uploads with clear problems and honours Idempotency-Key', async () => {
    const code = tarGz({ 'main.py': 'print(1)\n' });
    const bad = async (bundle: Buffer, command: unknown, status: number, codeName: string) => {
      const res = await submitRun(t, w.cast.ent1, w.sandboxId, bundle, command).expect(status);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.code).toBe(codeName);
    };
    await bad(code, 'python3 main.py', 422, 'INVALID_RUN_REQUEST');
    await bad(code, [], 422, 'INVALID_RUN_REQUEST');
    await bad(Buffer.from('not a gzip'), ['python3', 'main.py'], 422, 'INVALID_RUN_REQUEST');
    await bad(tarGz({ '../escape.py': 'x' }), ['python3', 'main.py'], 422, 'BUNDLE_UNSAFE');
    await bad(tarGz({ '/etc/evil': 'x' }), ['python3', 'main.py'], 422, 'BUNDLE_UNSAFE');
    await bad(
      tarGz({}, [{ name: 'link', type: 'symlink', linkname: '/etc/shadow' }]),
      ['python3', 'main.py'],
      422,
      'BUNDLE_UNSAFE',
    );
    const noBundle = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/runs`)
      .set(w.cast.ent1.auth)
      .field('command', '["true"]')
      .expect(422);
    expect(noBundle.body.code).toBe('INVALID_RUN_REQUEST');
    await submitRun(t, w.cast.ent2, w.sandboxId, code, ['true']).expect(404);
    await submitRun(t, w.cast.steward, w.sandboxId, code, ['true']).expect(403);
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/runs`)
      .attach('bundle', code, 'c.tar.gz')
      .field('command', '["true"]')
      .expect(401);
    const refused = await t.dataSource
      .getRepository(SandboxRunEntity)
      .count({ where: { sandboxId: w.sandboxId } });
    expect(refused).toBe(0); // nothing of a refused upload is kept

    const first = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      code,
      ['python3', 'main.py'],
      'run-key-1',
    ).expect(202);
    expect(first.body.status).toBe('queued');
    const repeat = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      code,
      ['python3', 'main.py'],
      'run-key-1',
    ).expect(202);
    expect(repeat.body.id).toBe(first.body.id);
    // cancel while queued: at once; the job then finds nothing to do
    expect(
      (await t.http.post(`${API}/runs/${first.body.id}/cancel`).set(w.cast.ent1.auth).expect(200)).body
        .status,
    ).toBe('cancelled');
    expect(
      (await t.http.post(`${API}/runs/${first.body.id}/cancel`).set(w.cast.ent1.auth).expect(409)).body.code,
    ).toBe('INVALID_STATE_TRANSITION');
    expect(await t.get(RunExecutor).execute(first.body.id)).toBeNull();
    expect(
      (await t.http.get(`${API}/runs/${first.body.id}/logs`).set(w.cast.ent1.auth).expect(200)).text,
    ).toBe('');
  });

  it('kills a running run on cancel, and reports timeouts and failures', async () => {
    const res = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      tarGz({ 'sleep.py': 'import time\nprint("start", flush=True)\ntime.sleep(60)\n' }),
      ['python3', 'sleep.py'],
    ).expect(202);
    const done = t.get(RunExecutor).execute(res.body.id);
    const deadline = Date.now() + 30_000;
    while ((await t.http.get(`${API}/runs/${res.body.id}`).set(w.cast.ent1.auth)).body.status !== 'running') {
      if (Date.now() > deadline) throw new Error('run did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await t.http.get(`${API}/runs/${res.body.id}/logs`).set(w.cast.ent1.auth).expect(409);
    const t0 = Date.now();
    expect(
      (await t.http.post(`${API}/runs/${res.body.id}/cancel`).set(w.cast.ent1.auth).expect(200)).body.status,
    ).toBe('running');
    expect(await done).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(15_000);
    const run = (await t.http.get(`${API}/runs/${res.body.id}`).set(w.cast.ent1.auth).expect(200)).body;
    expect(run).toMatchObject({ status: 'cancelled', reason: 'cancelled while running' });

    const fail = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      tarGz({ 'f.py': 'import sys\nsys.exit(3)\n' }),
      ['python3', 'f.py'],
    ).expect(202);
    expect(await t.get(RunExecutor).execute(fail.body.id)).toBe('failed');
    expect((await t.http.get(`${API}/runs/${fail.body.id}`).set(w.cast.ent1.auth)).body).toMatchObject({
      exitCode: 3,
      reason: 'exited with code 3',
    });

    // the log is capped (SANDBOX_LOG_MAX_KB) and the run says so
    const chatty = await submitRun(
      t,
      w.cast.ent1,
      w.sandboxId,
      tarGz({ 'c.py': 'for i in range(2000):\n    print("line", i)\n' }),
      ['python3', 'c.py'],
    ).expect(202);
    expect(await t.get(RunExecutor).execute(chatty.body.id)).toBe('succeeded');
    expect((await t.http.get(`${API}/runs/${chatty.body.id}`).set(w.cast.ent1.auth)).body.logTruncated).toBe(
      true,
    );
    const capped = (await t.http.get(`${API}/runs/${chatty.body.id}/logs`).set(w.cast.ent1.auth).expect(200))
      .text;
    expect(capped.startsWith('line 0\nline 1\n')).toBe(true);
    expect(Buffer.byteLength(capped)).toBeLessThanOrEqual(4096);

    // the sandbox quota applies: wall clock and memory (lowered for the test, restored after)
    const repo = t.dataSource.getRepository(SandboxEntity);
    await repo.update({ id: w.sandboxId }, { runTimeoutSeconds: 2, memoryMb: 96, diskMb: 16 });
    try {
      const slow = await submitRun(
        t,
        w.cast.ent1,
        w.sandboxId,
        tarGz({ 's.py': 'import time\ntime.sleep(30)\n' }),
        ['python3', 's.py'],
      ).expect(202);
      expect(await t.get(RunExecutor).execute(slow.body.id)).toBe('timed_out');
      expect((await t.http.get(`${API}/runs/${slow.body.id}`).set(w.cast.ent1.auth)).body.reason).toBe(
        'killed after the 2 s time limit',
      );
      await repo.update({ id: w.sandboxId }, { runTimeoutSeconds: 30 });
      const hog = await submitRun(
        t,
        w.cast.ent1,
        w.sandboxId,
        tarGz({ 'm.py': 'b = bytearray(600 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n' }),
        ['python3', 'm.py'],
      ).expect(202);
      expect(await t.get(RunExecutor).execute(hog.body.id)).toBe('failed');
      expect((await t.http.get(`${API}/runs/${hog.body.id}`).set(w.cast.ent1.auth)).body.reason).toMatch(
        /out of memory|killed by SIGKILL/,
      );
    } finally {
      await repo.update({ id: w.sandboxId }, { runTimeoutSeconds: 600, memoryMb: 1024, diskMb: 1024 });
    }
  });

  it('suspends and resumes (operators only): no runs while suspended', async () => {
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/suspend`)
      .set(w.cast.ent1.auth)
      .send({ reason: '自行暂停。' })
      .expect(403);
    const s = await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/suspend`)
      .set(w.cast.operator.auth)
      .send({ reason: '违规核查中。' })
      .expect(200);
    expect(s.body).toMatchObject({ status: 'suspended', suspendedReason: '违规核查中。' });
    await t.http
      .post(`${API}/sandboxes/${w.sandboxId}/suspend`)
      .set(w.cast.operator.auth)
      .send({ reason: '再次暂停。' })
      .expect(409);
    expect(
      (await submitRun(t, w.cast.ent1, w.sandboxId, tarGz({ 'a.py': '' }), ['true']).expect(409)).body.code,
    ).toBe('SANDBOX_NOT_ACTIVE');
    expect(
      (await t.http.post(`${API}/sandboxes/${w.sandboxId}/resume`).set(w.cast.operator.auth).expect(200)).body
        .status,
    ).toBe('active');
    await t.http.post(`${API}/sandboxes/${w.sandboxId}/resume`).set(w.cast.operator.auth).expect(409);
  });

  it('expires sandboxes when their time is over: grants end with them, runs cannot start', async () => {
    const ds = await createDataset(t, w.cast.steward, 'general');
    const grantId = await grant(t, w, ds, 'raw');
    const queued = await submitRun(t, w.cast.ent1, w.sandboxId, tarGz({ 'a.py': '' }), ['true']).expect(202);
    const clock = t.get(Clock);
    const expiresAt = Date.parse((await get(w.sandboxId).expect(200)).body.expiresAt);
    clock.advance(expiresAt - clock.now().getTime() + 1000);
    // before the timer ran: already refused
    expect(
      (await submitRun(t, w.cast.ent1, w.sandboxId, tarGz({ 'a.py': '' }), ['true']).expect(409)).body.code,
    ).toBe('SANDBOX_NOT_ACTIVE');
    expect(await t.get(SandboxProvisioningService).expireIfDue(w.sandboxId)).toBe(true);
    expect(await t.get(SandboxProvisioningService).expireIfDue(w.sandboxId)).toBe(false);
    expect((await get(w.sandboxId).expect(200)).body.status).toBe('expired');
    expect((await t.http.get(`${API}/grants/${grantId}`).set(w.cast.ent1.auth).expect(200)).body.status).toBe(
      'expired',
    );
    expect(
      (await t.http.get(`${API}/runs/${queued.body.id}`).set(w.cast.ent1.auth).expect(200)).body.status,
    ).toBe('cancelled');
    expect(
      (
        await t.http
          .post(`${API}/sandboxes/${w.sandboxId}/grants`)
          .set(w.cast.ent1.auth)
          .send({ datasetVersionId: ds.versionId, view: 'masked' })
          .expect(409)
      ).body.code,
    ).toBe('SANDBOX_NOT_ACTIVE');
    expect(
      (
        await t.http
          .post(`${API}/sandboxes/${w.sandboxId}/extend`)
          .set(w.cast.ent1.auth)
          .send({ days: 5, reason: '已过期再申请。' })
          .expect(409)
      ).body.code,
    ).toBe('SANDBOX_NOT_ACTIVE');
    const expired = await t.dataSource
      .getRepository(AuditEventEntity)
      .find({ where: { objectId: w.sandboxId, action: 'sandbox.expire' } });
    expect(expired).toHaveLength(1);
  });
});
