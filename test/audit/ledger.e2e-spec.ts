/**
 * The audit ledger over HTTP, as clients see it: indexes and leaf hashes on events, the signed checkpoint,
 * inclusion and consistency proofs, verification and export. Other suites write audit events into the same
 * database meanwhile, so every assertion is about this suite's own events or holds for any ledger.
 */
import {
  AuditSequencer,
  AuditService,
  AuditVerifier,
  CheckpointSigner,
  verifyConsistency,
  verifyInclusion,
} from '@aihub/audit';
import { createTestApp, PROBLEM_JSON, TestApp, TestUser, uniqueSuffix } from '../utils/test-app';
import { CheckpointJson, checkpointSignatureValid, leafHashOfItem, unhex } from './ledger-helpers';

interface EventItem {
  index: number | null;
  at: string;
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  outcome: string;
  ip: string | null;
  details: Record<string, unknown>;
  leafHash: string | null;
}

describe('audit ledger (e2e)', () => {
  let t: TestApp;
  let auditor: TestUser;
  let operator: TestUser;
  let enterprise: TestUser;
  let sequencer: AuditSequencer;
  const action = `test.ledger.${uniqueSuffix()}`;

  const record = (i: number, details: Record<string, unknown>) =>
    t.get(AuditService).recordDetached({ action, objectType: 'LedgerTest', objectId: `obj-${i}`, details });

  async function ourEvents(): Promise<EventItem[]> {
    const res = await t.http
      .get('/api/v1/audit/events')
      .query({ action, limit: 100 })
      .set(auditor.auth)
      .expect(200);
    return res.body.items as EventItem[];
  }

  async function latest(): Promise<CheckpointJson> {
    return (await t.http.get('/api/v1/audit/checkpoints/latest').expect(200)).body as CheckpointJson;
  }

  beforeAll(async () => {
    t = await createTestApp();
    sequencer = t.get(AuditSequencer);
    [auditor, operator, enterprise] = await Promise.all([
      t.createUser(['auditor']),
      t.createUser(['operator']),
      t.createUser(['enterprise']),
    ]);
    await record(0, { note: '第一条', nested: { z: [1, 2, { b: true, a: null }], a: 'x' } });
    // written as JSON text: jsonb keeps 12345678901234567890 exactly, the API returns what JSON.parse makes
    // of it, and the leaf hash is over that (numbers serialize as ECMAScript does)
    await t.dataSource.query(
      `INSERT INTO audit_events (action, object_type, object_id, outcome, details)
       VALUES ($1, 'LedgerTest', 'obj-1', 'success', $2::jsonb)`,
      [
        action,
        '{"big": 12345678901234567890, "tiny": 1E-7, "exp": 1e21, "frac": 4.50, "neg": -0.25, "zero": -0}',
      ],
    );
    await record(2, { text: 'tab\there, quote " and \\ and \u0001 and emoji 😀 and \u2028' });
    for (let i = 3; i < 7; i++) await record(i, { i });
    // text that JSON must escape, in the members PostgreSQL escapes itself when verifying
    await t.get(AuditService).recordDetached({
      action,
      objectType: 'Ledger"Test\\ \u0007\u001f\n',
      objectId: 'obj-7 😀 \u2028 é ‮ "quoted"',
      ip: '::ffff:10.0.0.1\t',
      actorId: null,
      details: { '': 'empty name', 'z\u0001': 'control escaped', a: [{ '10': 1, '9': 2 }] },
    });
    await sequencer.sync();
  });
  afterAll(() => t.close());

  it('gives committed events contiguous indexes and leaf hashes anyone can recompute from the JSON', async () => {
    const items = await ourEvents();
    expect(items).toHaveLength(8);
    for (const item of items) {
      expect(typeof item.index).toBe('number');
      expect(item.leafHash).toMatch(/^[0-9a-f]{64}$/);
      expect(leafHashOfItem(item as unknown as Record<string, unknown>)).toBe(item.leafHash);
      expect(item.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // newest first, and in the order they committed (recorded one after another)
    const indexes = items.map((i) => i.index!);
    expect([...indexes].sort((a, b) => b - a)).toEqual(indexes);
    expect(new Set(indexes).size).toBe(8);
    const numbers = items.find((i) => i.objectId === 'obj-1')!.details;
    expect(numbers).toEqual({
      big: Number('12345678901234567890'),
      tiny: 1e-7,
      exp: 1e21,
      frac: 4.5,
      neg: -0.25,
      zero: 0,
    });
  });

  it('has PostgreSQL recompute the same leaves for verification (only the old-style event is left to JS)', async () => {
    const items = await ourEvents();
    const size = (await latest()).treeSize;
    const verifier = t.get(AuditVerifier);
    const unconfirmed = new Set(await verifier.unconfirmedEntries(size));
    // the same entries whichever event_seq ranges the pass is split into
    for (const leafPassRanges of [1, 5]) {
      const defaults = verifier.leafPassRanges;
      verifier.leafPassRanges = leafPassRanges;
      try {
        expect({ leafPassRanges, found: await verifier.unconfirmedEntries(size) }).toEqual({
          leafPassRanges,
          found: [...unconfirmed],
        });
      } finally {
        verifier.leafPassRanges = defaults;
      }
    }
    // events written without canonical details text (as before it existed) are hashed in JavaScript
    const expected = items.filter((i) => i.objectId === 'obj-1').map((i) => i.index);
    expect(items.filter((i) => unconfirmed.has(i.index!)).map((i) => i.index)).toEqual(expected);
    const odd = items.find((i) => i.objectId?.startsWith('obj-7'))!;
    expect(odd.objectType).toBe('Ledger"Test\\ \u0007\u001f\n');
    expect(odd.details).toEqual({ '': 'empty name', 'z\u0001': 'control escaped', a: [{ '10': 1, '9': 2 }] });
    expect(leafHashOfItem(odd as unknown as Record<string, unknown>)).toBe(odd.leafHash);
  });

  it('shows index and leafHash as null until the sequencer reaches an event', async () => {
    await record(100, { late: true });
    const pending = (await ourEvents()).find((i) => i.objectId === 'obj-100')!;
    expect(pending).toMatchObject({ index: null, leafHash: null });
    await sequencer.sequencePending();
    const done = (await ourEvents()).find((i) => i.objectId === 'obj-100')!;
    expect(done.index).toEqual(expect.any(Number));
    expect(leafHashOfItem(done as unknown as Record<string, unknown>)).toBe(done.leafHash);
  });

  it('publishes the latest checkpoint to anyone, signed over the documented message', async () => {
    await sequencer.sync();
    const cp = await latest();
    expect(cp).toEqual({
      treeSize: expect.any(Number),
      rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      signature: expect.any(String),
      publicKey: t.get(CheckpointSigner).publicKey.toString('base64'),
    });
    expect(Buffer.from(cp.publicKey, 'base64')).toHaveLength(32);
    expect(checkpointSignatureValid(cp)).toBe(true);
    expect(checkpointSignatureValid({ ...cp, treeSize: cp.treeSize + 1 })).toBe(false);
    const maxIndex = Math.max(...(await ourEvents()).map((i) => i.index!));
    expect(cp.treeSize).toBeGreaterThan(maxIndex);
  });

  it('serves inclusion proofs that verify against the latest signed checkpoint', async () => {
    await sequencer.sync();
    const cp = await latest();
    for (const item of await ourEvents()) {
      const res = await t.http
        .get('/api/v1/audit/proofs/inclusion')
        .query({ index: item.index, treeSize: cp.treeSize })
        .expect(200);
      expect(res.body).toEqual({
        index: item.index,
        treeSize: cp.treeSize,
        leafHash: item.leafHash,
        proof: expect.any(Array),
      });
      const proof = (res.body.proof as string[]).map(unhex);
      expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(cp.treeSize)));
      expect(
        verifyInclusion(item.index!, cp.treeSize, unhex(item.leafHash!), proof, unhex(cp.rootHash)),
      ).toBe(true);
      // and not for another leaf
      expect(
        verifyInclusion(item.index!, cp.treeSize, unhex(leafHashOfItem({ x: 1 })), proof, unhex(cp.rootHash)),
      ).toBe(false);
    }
  });

  it('serves consistency proofs between checkpoints', async () => {
    await sequencer.sync();
    const first = await latest();
    for (let i = 200; i < 203; i++) await record(i, { i });
    await sequencer.sync();
    const second = await latest();
    expect(second.treeSize).toBeGreaterThan(first.treeSize);
    expect(checkpointSignatureValid(second)).toBe(true);
    const res = await t.http
      .get('/api/v1/audit/proofs/consistency')
      .query({ from: first.treeSize, to: second.treeSize })
      .expect(200);
    expect(res.body).toEqual({ from: first.treeSize, to: second.treeSize, proof: expect.any(Array) });
    const proof = (res.body.proof as string[]).map(unhex);
    expect(
      verifyConsistency(
        first.treeSize,
        second.treeSize,
        unhex(first.rootHash),
        unhex(second.rootHash),
        proof,
      ),
    ).toBe(true);
    const same = await t.http
      .get('/api/v1/audit/proofs/consistency')
      .query({ from: second.treeSize, to: second.treeSize })
      .expect(200);
    expect(same.body.proof).toEqual([]);
  });

  it('answers bad ranges with problem+json', async () => {
    await sequencer.sync();
    const cp = await latest();
    const n = cp.treeSize;
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['/audit/proofs/inclusion', { index: n, treeSize: n }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/inclusion', { index: -1, treeSize: n }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/inclusion', { index: 'x', treeSize: n }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/inclusion', { index: 0 }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/inclusion', { index: 0, treeSize: 0 }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/inclusion', { index: 0, treeSize: n + 1_000_000 }, 404, 'AUDIT_TREE_SIZE_NOT_FOUND'],
      ['/audit/proofs/consistency', { from: 2, to: 1 }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/consistency', { from: 0, to: n }, 400, 'VALIDATION_FAILED'],
      ['/audit/proofs/consistency', { from: 1, to: n + 1_000_000 }, 404, 'AUDIT_TREE_SIZE_NOT_FOUND'],
      ['/audit/proofs/consistency', { from: 1.5, to: n }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [path, query, status, code] of cases) {
      const res = await t.http.get(`/api/v1${path}`).query(query);
      expect({ path, query, status: res.status, code: res.body.code }).toEqual({ path, query, status, code });
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    }
    const exportCases: [Record<string, unknown>, number, string][] = [
      [{ fromIndex: 5, toIndex: 5 }, 400, 'VALIDATION_FAILED'],
      [{ fromIndex: 0, toIndex: 10_001 }, 400, 'VALIDATION_FAILED'],
      [{ fromIndex: 0, toIndex: n + 1 }, 409, 'AUDIT_RANGE_NOT_CHECKPOINTED'],
      [{ fromIndex: n + 5 }, 409, 'AUDIT_RANGE_NOT_CHECKPOINTED'],
      [{ fromIndex: -1 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [query, status, code] of exportCases) {
      const res = await t.http.get('/api/v1/audit/export').query(query).set(auditor.auth);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status, code });
    }
  });

  it('lets auditors (only) verify the whole ledger', async () => {
    await sequencer.sync();
    const res = await t.http.post('/api/v1/audit/verify').set(auditor.auth).expect(200);
    expect(res.body).toMatchObject({ ok: true, problems: [], eventsNotInLedger: 0 });
    expect(res.body).not.toHaveProperty('firstBadIndex');
    expect(res.body.treeSize).toBeGreaterThanOrEqual((await latest()).treeSize);
    expect(res.body.checkpointsChecked).toBeGreaterThanOrEqual(2);
    await t.http.post('/api/v1/audit/verify').set(operator.auth).expect(403);
    await t.http.post('/api/v1/audit/verify').set(enterprise.auth).expect(403);
    await t.http.post('/api/v1/audit/verify').expect(401);
  });

  it('lists events to auditors and operators only, with the documented filters', async () => {
    await t.http.get('/api/v1/audit/events').set(enterprise.auth).expect(403);
    await t.http.get('/api/v1/audit/events').expect(401);
    const byOperator = await t.http
      .get('/api/v1/audit/events')
      .query({ action, objectId: 'obj-2', outcome: 'success' })
      .set(operator.auth)
      .expect(200);
    expect(byOperator.body.items).toHaveLength(1);
    const at = byOperator.body.items[0].at as string;
    const window = await t.http
      .get('/api/v1/audit/events')
      .query({ action, from: at, to: new Date(Date.parse(at) + 1).toISOString() })
      .set(auditor.auth)
      .expect(200);
    expect(window.body.items.map((i: EventItem) => i.objectId)).toContain('obj-2');
    const mine = await t.http
      .get('/api/v1/audit/events')
      .query({ actorId: enterprise.id, action: 'auth.login' })
      .set(auditor.auth)
      .expect(200);
    expect(mine.body.items).toHaveLength(1);
  });

  it('exports a range as NDJSON: events, the signed checkpoint, one inclusion proof per event', async () => {
    await sequencer.sync();
    const indexes = (await ourEvents()).map((i) => i.index!);
    const fromIndex = Math.min(...indexes);
    const toIndex = Math.max(...indexes) + 1;
    const res = await t.http
      .get('/api/v1/audit/export')
      .query({ fromIndex, toIndex })
      .set(operator.auth)
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => done(null, text));
      })
      .expect(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = (res.body as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({
      type: 'header',
      format: 'aihub-audit-export/v1',
      fromIndex,
      toIndex,
      treeSize: expect.any(Number),
    });
    const events = lines.filter((l) => l.type === 'event').map((l) => l.event as EventItem);
    const [checkpointLine] = lines.filter((l) => l.type === 'checkpoint');
    const inclusions = lines.filter((l) => l.type === 'inclusion');
    expect(events.map((e) => e.index)).toEqual(
      Array.from({ length: toIndex - fromIndex }, (_, k) => fromIndex + k),
    );
    expect(lines[lines.length - 1]).toEqual({ type: 'end', events: toIndex - fromIndex });
    const cp = checkpointLine.checkpoint as CheckpointJson;
    expect(checkpointSignatureValid(cp)).toBe(true);
    for (const [k, event] of events.entries()) {
      expect(leafHashOfItem(event as unknown as Record<string, unknown>)).toBe(event.leafHash);
      const inc = inclusions[k];
      expect(inc).toMatchObject({ index: event.index, treeSize: cp.treeSize, leafHash: event.leafHash });
      const proof = (inc.proof as string[]).map(unhex);
      expect(
        verifyInclusion(event.index!, cp.treeSize, unhex(event.leafHash!), proof, unhex(cp.rootHash)),
      ).toBe(true);
    }
    await t.http.get('/api/v1/audit/export').set(enterprise.auth).expect(403);
  });
});
