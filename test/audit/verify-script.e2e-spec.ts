/**
 * scripts/audit-verify.mjs, the verifier an outside auditor runs: spawned as a separate Node process
 * against a running api, with nothing but the public endpoints, a checkpoint kept earlier and an export.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { AuditSequencer, AuditService, CheckpointSigner } from '@aihub/audit';
import { createTestApp, TestApp, TestUser, uniqueSuffix } from '../utils/test-app';
import type { CheckpointJson } from './ledger-helpers';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'audit-verify.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the script asynchronously: the api answering it lives in this very process. */
function runVerifier(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

describe('scripts/audit-verify.mjs (e2e)', () => {
  let t: TestApp;
  let auditor: TestUser;
  let url: string;
  let dir: string;
  let trusted: CheckpointJson;
  let exportFile: string;
  const action = `test.verifier.${uniqueSuffix()}`;

  async function latest(): Promise<CheckpointJson> {
    return (await t.http.get('/api/v1/audit/checkpoints/latest').expect(200)).body as CheckpointJson;
  }

  beforeAll(async () => {
    t = await createTestApp();
    url = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'aihub-audit-verify-'));
    auditor = await t.createUser(['auditor']);
    const audit = t.get(AuditService);
    const sequencer = t.get(AuditSequencer);
    for (let i = 0; i < 5; i++)
      await audit.recordDetached({ action, objectType: 'Test', objectId: `a-${i}` });
    await sequencer.sync();
    trusted = await latest();
    for (let i = 0; i < 12; i++) {
      await audit.recordDetached({
        action,
        objectType: 'Test',
        objectId: `b-${i}`,
        details: { i, x: 0.1 * i },
      });
    }
    await sequencer.sync();
    const cp = await latest();
    const res = await t.http
      .get('/api/v1/audit/export')
      .query({ fromIndex: Math.max(0, trusted.treeSize - 5), toIndex: cp.treeSize })
      .set(auditor.auth)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => done(null, text));
      })
      .expect(200);
    exportFile = join(dir, 'export.ndjson');
    writeFileSync(exportFile, res.body as string);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('verifies the latest checkpoint, its consistency with a trusted one and every entry of an export', async () => {
    const run = await runVerifier([
      '--url',
      url,
      '--from-checkpoint',
      JSON.stringify(trusted),
      '--export',
      exportFile,
    ]);
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('OK: the audit ledger verifies') });
    expect(run.stdout).toMatch(/PASS {2}latest checkpoint signature/);
    expect(run.stdout).toMatch(new RegExp(`PASS {2}consistency: treeSize ${trusted.treeSize} -> \\d+`));
    expect(run.stdout).toMatch(/PASS {2}export .*: \d+ events .* every leaf hash recomputed/);
  });

  it('takes the trusted checkpoint from a file, reports JSON and saves the new checkpoint', async () => {
    const trustedFile = join(dir, 'trusted.json');
    const savedFile = join(dir, 'saved.json');
    writeFileSync(trustedFile, JSON.stringify(trusted));
    const run = await runVerifier([
      `--url=${url}/api/v1`,
      '--from-checkpoint',
      trustedFile,
      '--save-checkpoint',
      savedFile,
      '--json',
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, checks: [{ ok: true }, { ok: true }] });
    const saved = JSON.parse(readFileSync(savedFile, 'utf8')) as CheckpointJson;
    expect(saved.treeSize).toBeGreaterThanOrEqual(trusted.treeSize);
    // the saved checkpoint is the next run's trust anchor
    expect((await runVerifier(['--url', url, '--from-checkpoint', savedFile])).code).toBe(0);
  });

  it('finds an export whose event was altered, at its index', async () => {
    const lines = readFileSync(exportFile, 'utf8').trim().split('\n');
    const k = lines.findIndex((l) => l.includes('"objectId":"b-3"'));
    const line = JSON.parse(lines[k]);
    line.event.details.i = 99;
    lines[k] = JSON.stringify(line);
    const altered = join(dir, 'altered.ndjson');
    writeFileSync(altered, `${lines.join('\n')}\n`);
    const run = await runVerifier([
      '--url',
      url,
      '--from-checkpoint',
      JSON.stringify(trusted),
      '--export',
      altered,
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`index ${line.event.index}: the event does not hash to its leafHash`);
    expect(run.stdout).toContain('FAILED');
  });

  it('finds an export missing an event or a proof', async () => {
    const lines = readFileSync(exportFile, 'utf8').trim().split('\n');
    const dropEvent = lines.filter((l, i) => !(i === 2 && l.includes('"type":"event"')));
    const noEvent = join(dir, 'no-event.ndjson');
    writeFileSync(noEvent, dropEvent.join('\n'));
    expect((await runVerifier(['--url', url, '--export', noEvent])).stdout).toMatch(/event missing/);
    const dropProof = lines.filter((l) => !l.startsWith('{"type":"inclusion"'));
    const noProof = join(dir, 'no-proof.ndjson');
    writeFileSync(noProof, dropProof.join('\n'));
    const run = await runVerifier(['--url', url, '--export', noProof]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/no inclusion proof/);
  });

  it('refuses a history that does not extend the trusted checkpoint (a fork), even correctly signed', async () => {
    const fork = { ...trusted, rootHash: 'ab'.repeat(32) };
    fork.signature = t
      .get(CheckpointSigner)
      .sign({ treeSize: fork.treeSize, rootHash: fork.rootHash, at: fork.at })
      .toString('base64');
    const run = await runVerifier(['--url', url, '--from-checkpoint', JSON.stringify(fork)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}consistency: latest treeSize \d+ does not extend trusted treeSize/);
  });

  it('refuses a trusted checkpoint with a bad signature, and a platform signing with another key', async () => {
    const tampered = { ...trusted, treeSize: trusted.treeSize + 1 };
    const bad = await runVerifier(['--url', url, '--from-checkpoint', JSON.stringify(tampered)]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL {2}trusted checkpoint/);

    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const other = {
      ...trusted,
      publicKey: raw.toString('base64'),
      signature: sign(
        null,
        Buffer.from(`aihub-audit-checkpoint/v1\n${trusted.treeSize}\n${trusted.rootHash}\n${trusted.at}\n`),
        privateKey,
      ).toString('base64'),
    };
    const run = await runVerifier(['--url', url, '--from-checkpoint', JSON.stringify(other)]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/FAIL {2}latest checkpoint signature: signed by key .* not the trusted key/);
  });

  it('exits 2 on usage and network errors', async () => {
    expect((await runVerifier([])).code).toBe(2);
    expect((await runVerifier(['--url', url, '--bogus'])).code).toBe(2);
    expect((await runVerifier(['--url', 'http://127.0.0.1:9', '--from-checkpoint', '{not json'])).code).toBe(
      2,
    );
    const unreachable = await runVerifier(['--url', 'http://127.0.0.1:9']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(/cannot reach/);
  });
});
