/**
 * Tamper evidence, in a database of this suite's own: the application role cannot change history at all,
 * and what a superuser changes behind the database's back (triggers disabled) is found by POST /audit/verify
 * at the exact index. After each tampering the ledger is restored from a snapshot and verifies again.
 */
import { Client } from 'pg';
import {
  AuditSequencer,
  AuditService,
  AuditVerifier,
  eventLeafHash,
  MerkleFrontier,
  toLedgerEvent,
} from '@aihub/audit';
import { parseDatabaseUrl } from '@aihub/core';
import { createIsolatedEnvironment, IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp, TestUser } from '../utils/test-app';

const LEDGER_TABLES = ['audit_events', 'audit_ledger_entries', 'audit_tree_nodes', 'audit_checkpoints'];
const EVENTS = 40;

interface VerifyBody {
  ok: boolean;
  treeSize: number;
  rootHash: string;
  firstBadIndex?: number;
  problems: { kind: string; index?: number }[];
  eventsNotInLedger: number;
}

describe('audit ledger tamper evidence (e2e, own database)', () => {
  let env: IsolatedEnvironment;
  let t: TestApp;
  let admin: Client;
  let auditor: TestUser;

  /** the superuser, connected to this suite's database */
  async function asSuperuser<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await admin.query(sql, params)).rows as T[];
  }

  /** Runs statements as a superuser with every trigger disabled: tampering behind the database's back. */
  async function behindTheBack(statements: [string, unknown[]?][]): Promise<void> {
    await admin.query('BEGIN');
    try {
      await admin.query('SET LOCAL session_replication_role = replica');
      for (const [sql, params] of statements) await admin.query(sql, params ?? []);
      await admin.query('COMMIT');
    } catch (err) {
      await admin.query('ROLLBACK');
      throw err;
    }
  }

  /**
   * POST /audit/verify — and the same verification with chunks of 4 and of 8 leaves, so that the 41 entries
   * cross chunk boundaries (the service works on chunks of 65536), and with the leaf pass split into 1, 3
   * and 4 event_seq ranges (the tampered entries of the tests below lie in every one of them): every
   * finding must be the same.
   */
  async function verify(): Promise<VerifyBody> {
    const body = (await t.http.post('/api/v1/audit/verify').set(auditor.auth).expect(200)).body as VerifyBody;
    const verifier = t.get(AuditVerifier);
    const defaults = { chunkLevel: verifier.chunkLevel, leafPassRanges: verifier.leafPassRanges };
    for (const variant of [
      { chunkLevel: 2, leafPassRanges: 3 },
      { chunkLevel: 3, leafPassRanges: 4 },
      { chunkLevel: 16, leafPassRanges: 1 },
    ]) {
      Object.assign(verifier, variant);
      try {
        const { durationMs: _ms, ...again } = await verifier.verify();
        const { durationMs: _ms2, ...first } = body as VerifyBody & { durationMs: number };
        expect({ variant, result: again }).toEqual({ variant, result: first });
      } finally {
        Object.assign(verifier, defaults);
      }
    }
    return body;
  }

  const seqAt = async (index: number): Promise<string> =>
    (
      await asSuperuser<{ s: string }>(
        'SELECT event_seq::text AS s FROM audit_ledger_entries WHERE leaf_index = $1',
        [index],
      )
    )[0].s;

  beforeAll(async () => {
    env = await createIsolatedEnvironment('audit_tamper');
    t = await createTestApp({ env: env.env });
    const url = new URL(env.config.database.adminUrl);
    url.pathname = `/${parseDatabaseUrl(env.config.database.url).database}`;
    admin = new Client({ connectionString: url.toString() });
    await admin.connect();
    auditor = await t.createUser(['auditor']);
    const audit = t.get(AuditService);
    // two signed checkpoints: after entry 20 (the auditor's login is entry 0) and after entry 40
    for (let i = 0; i < EVENTS; i++) {
      await audit.recordDetached({
        action: 'test.tamper',
        objectType: 'Dataset',
        objectId: `ds-${i}`,
        details: { i, rows: i * 1000, note: `事件 ${i}` },
      });
      if (i === EVENTS / 2 - 1) await t.get(AuditSequencer).sync();
    }
    await t.get(AuditSequencer).sync();
    // snapshot, so every test starts from the untouched ledger
    for (const table of LEDGER_TABLES) await admin.query(`CREATE TABLE snapshot_${table} AS TABLE ${table}`);
  });

  afterEach(async () => {
    await behindTheBack(
      LEDGER_TABLES.flatMap((table): [string][] => [
        [`DELETE FROM ${table}`],
        [`INSERT INTO ${table} SELECT * FROM snapshot_${table}`],
      ]),
    );
    await expect(verify()).resolves.toMatchObject({ ok: true, problems: [] });
  });

  afterAll(async () => {
    await admin?.end();
    await t?.close();
    await env?.dispose();
  });

  it('verifies the untouched ledger', async () => {
    const result = await verify();
    expect(result).toMatchObject({ ok: true, treeSize: EVENTS + 1, problems: [], eventsNotInLedger: 0 });
    expect(result.firstBadIndex).toBeUndefined();
  });

  it('refuses UPDATE, DELETE and TRUNCATE of every ledger table to the application role', async () => {
    // the application's role, over a connection of its own (TypeORM would log each refusal)
    const app = new Client({ connectionString: env.config.database.url });
    await app.connect();
    try {
      for (const table of LEDGER_TABLES) {
        const column =
          table === 'audit_events' ? 'action' : table === 'audit_tree_nodes' ? 'hash' : 'leaf_hash';
        const set = table === 'audit_checkpoints' ? 'root_hash = root_hash' : `${column} = ${column}`;
        await expect(app.query(`UPDATE ${table} SET ${set}`)).rejects.toThrow(/permission denied/);
        await expect(app.query(`DELETE FROM ${table}`)).rejects.toThrow(/permission denied/);
        await expect(app.query(`TRUNCATE ${table}`)).rejects.toThrow(/permission denied/);
      }
      // the role owns the tables and could grant itself the privileges back: the triggers still refuse
      await app.query('GRANT UPDATE, DELETE, TRUNCATE ON audit_events TO CURRENT_USER');
      try {
        await expect(app.query(`UPDATE audit_events SET action = 'x'`)).rejects.toThrow(
          /append-only: UPDATE refused/,
        );
        await expect(app.query('DELETE FROM audit_events')).rejects.toThrow(/append-only: DELETE refused/);
        await expect(app.query('TRUNCATE audit_events')).rejects.toThrow(/append-only: TRUNCATE refused/);
      } finally {
        await app.query('REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM CURRENT_USER');
      }
    } finally {
      await app.end();
    }
    // even a superuser is refused unless the triggers are disabled
    await expect(admin.query(`UPDATE audit_ledger_entries SET leaf_index = leaf_index`)).rejects.toThrow(
      /append-only/,
    );
    await expect(admin.query(`DELETE FROM audit_checkpoints`)).rejects.toThrow(/append-only/);
    expect((await verify()).ok).toBe(true);
  });

  it('finds an edited event at its index', async () => {
    const k = 17;
    await behindTheBack([
      // what is shown is details_jcs; details is the same JSON (a CHECK the intruder has to satisfy)
      [
        `UPDATE audit_events SET details = details || '{"rows": 1}', details_jcs = (details || '{"rows": 1}')::text
          WHERE seq = $1`,
        [await seqAt(k)],
      ],
    ]);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBadIndex: k });
    expect(result.problems[0]).toMatchObject({ kind: 'leaf_mismatch', index: k });
  });

  it('finds an edited timestamp or outcome at its index', async () => {
    await behindTheBack([
      [`UPDATE audit_events SET at = at - interval '1 millisecond' WHERE seq = $1`, [await seqAt(30)]],
    ]);
    expect(await verify()).toMatchObject({ ok: false, firstBadIndex: 30 });
    await behindTheBack([[`UPDATE audit_events SET outcome = 'denied' WHERE seq = $1`, [await seqAt(9)]]]);
    expect(await verify()).toMatchObject({ ok: false, firstBadIndex: 9 });
  });

  it('finds a deleted event at its index', async () => {
    const k = 23;
    await behindTheBack([['DELETE FROM audit_events WHERE seq = $1', [await seqAt(k)]]]);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBadIndex: k });
    expect(result.problems[0]).toMatchObject({ kind: 'missing_event', index: k });
  });

  it('finds an event deleted together with its entry, the later entries renumbered', async () => {
    const k = 12;
    await behindTheBack([
      ['DELETE FROM audit_events WHERE seq = $1', [await seqAt(k)]],
      ['DELETE FROM audit_ledger_entries WHERE leaf_index = $1', [k]],
      // renumber through an offset (leaf_index is the primary key)
      ['UPDATE audit_ledger_entries SET leaf_index = leaf_index + 1000000 WHERE leaf_index > $1', [k]],
      ['UPDATE audit_ledger_entries SET leaf_index = leaf_index - 1000001 WHERE leaf_index > 1000000'],
    ]);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBadIndex: k });
    expect(result.problems[0]).toMatchObject({ kind: 'entry_removed', index: k });
  });

  it('finds the last entries removed (the signed checkpoint is longer than the ledger)', async () => {
    await behindTheBack([
      [
        'DELETE FROM audit_events WHERE seq IN (SELECT event_seq FROM audit_ledger_entries WHERE leaf_index >= 38)',
      ],
      ['DELETE FROM audit_ledger_entries WHERE leaf_index >= 38'],
    ]);
    expect(await verify()).toMatchObject({ ok: false, firstBadIndex: 38 });
  });

  it('finds two events swapped at the first of them', async () => {
    const k = 20;
    const [a, b] = [await seqAt(k), await seqAt(k + 1)];
    await behindTheBack([
      ['UPDATE audit_ledger_entries SET event_seq = -1 WHERE leaf_index = $1', [k]],
      ['UPDATE audit_ledger_entries SET event_seq = $1 WHERE leaf_index = $2', [a, k + 1]],
      ['UPDATE audit_ledger_entries SET event_seq = $1 WHERE leaf_index = $2', [b, k]],
    ]);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBadIndex: k });
    expect(result.problems[0]).toMatchObject({ kind: 'leaf_mismatch', index: k });
  });

  it.each([
    ['copies a neighbouring leaf hash', false],
    ['computes the right leaf hash for the forged event', true],
  ])('finds an event inserted into history at its index (the intruder %s)', async (_how, recompute) => {
    for (const k of [14, 15]) {
      const [forged] = await asSuperuser<{ seq: string; at: Date }>(
        `INSERT INTO audit_events (action, object_type, object_id, outcome, details, at)
         SELECT 'dataset.mount', 'Dataset', 'ds-forged', 'success', '{"forged": true}', at FROM audit_events WHERE seq = $1
         RETURNING seq::text, at`,
        [await seqAt(k)],
      );
      const leaf = recompute
        ? eventLeafHash(
            toLedgerEvent(k, {
              at: forged.at,
              actorId: null,
              action: 'dataset.mount',
              objectType: 'Dataset',
              objectId: 'ds-forged',
              outcome: 'success',
              ip: null,
              details: { forged: true },
            }),
          )
        : (
            await asSuperuser<{ h: Buffer }>(
              'SELECT leaf_hash AS h FROM audit_ledger_entries WHERE leaf_index = $1',
              [k],
            )
          )[0].h;
      await behindTheBack([
        ['UPDATE audit_ledger_entries SET leaf_index = leaf_index + 1000001 WHERE leaf_index >= $1', [k]],
        ['UPDATE audit_ledger_entries SET leaf_index = leaf_index - 1000000 WHERE leaf_index > 1000000'],
        [
          'INSERT INTO audit_ledger_entries (leaf_index, event_seq, leaf_hash) VALUES ($1, $2, $3)',
          [k, forged.seq, leaf],
        ],
      ]);
      const result = await verify();
      expect({ k, result }).toMatchObject({ k, result: { ok: false, firstBadIndex: k } });
      // restore before the next position
      await behindTheBack(
        LEDGER_TABLES.flatMap((table): [string][] => [
          [`DELETE FROM ${table}`],
          [`INSERT INTO ${table} SELECT * FROM snapshot_${table}`],
        ]),
      );
    }
  });

  it('finds an edited or deleted stored subtree at the start of its leaves', async () => {
    // level 2 lies inside every chunk size verify() uses; level 3 lies above the chunks of 4 leaves
    for (const [level, position] of [
      [2, 5],
      [3, 3],
    ]) {
      await behindTheBack([
        [
          'UPDATE audit_tree_nodes SET hash = sha256(hash) WHERE level = $1 AND position = $2',
          [level, position],
        ],
      ]);
      const edited = await verify();
      const start = position * 2 ** level;
      expect({ level, edited }).toMatchObject({ level, edited: { ok: false, firstBadIndex: start } });
      expect(edited.problems).toEqual([expect.objectContaining({ kind: 'node_mismatch', index: start })]);
      await behindTheBack([
        ['DELETE FROM audit_tree_nodes WHERE level = $1 AND position = $2', [level, position]],
      ]);
      const deleted = await verify();
      expect({ level, deleted }).toMatchObject({ level, deleted: { ok: false, firstBadIndex: start } });
      expect(deleted.problems).toEqual([expect.objectContaining({ kind: 'node_mismatch', index: start })]);
      await behindTheBack(
        LEDGER_TABLES.flatMap((table): [string][] => [
          [`DELETE FROM ${table}`],
          [`INSERT INTO ${table} SELECT * FROM snapshot_${table}`],
        ]),
      );
    }
  });

  it('finds rewritten hashes through the signed checkpoints, at the start of the unsigned interval', async () => {
    // an intruder who edits event 33 and then rewrites its leaf and every stored subtree above it
    // consistently: the stored tree agrees with itself, only the signatures (not forgeable) still tell
    const k = 33;
    const seq = await seqAt(k);
    await behindTheBack([
      [
        `UPDATE audit_events SET details = '{"rewritten": true}', details_jcs = '{"rewritten":true}' WHERE seq = $1`,
        [seq],
      ],
    ]);
    const [row] = await asSuperuser<{ at: Date; action: string; object_type: string; object_id: string }>(
      'SELECT at, action, object_type, object_id FROM audit_events WHERE seq = $1',
      [seq],
    );
    const leaf = eventLeafHash(
      toLedgerEvent(k, {
        at: row.at,
        actorId: null,
        action: row.action,
        objectType: row.object_type,
        objectId: row.object_id,
        outcome: 'success',
        ip: null,
        details: { rewritten: true },
      }),
    );
    const leaves = (
      await asSuperuser<{ h: Buffer }>('SELECT leaf_hash AS h FROM audit_ledger_entries ORDER BY leaf_index')
    ).map((r, i) => (i === k ? leaf : r.h));
    const rewritten: [string, unknown[]][] = [
      ['UPDATE audit_ledger_entries SET leaf_hash = $1 WHERE leaf_index = $2', [leaf, k]],
    ];
    const frontier = MerkleFrontier.empty();
    for (const h of leaves) {
      frontier.append(h, (n) => {
        if (n.index === Math.floor(k / 2 ** n.level)) {
          rewritten.push([
            'UPDATE audit_tree_nodes SET hash = $1 WHERE level = $2 AND position = $3',
            [n.hash, n.level, n.index],
          ]);
        }
      });
    }
    await behindTheBack(rewritten);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint_root_mismatch', index: 21, treeSize: 41 }),
    ]);
    // the checkpoint at 21 still matches; the one at 41 does not: the change is in [21, 41)
    expect(result.firstBadIndex).toBe(21);
  });

  it('finds a forged checkpoint and events slipped in outside the ledger', async () => {
    await behindTheBack([
      [
        `INSERT INTO audit_checkpoints (tree_size, root_hash, at, signature, public_key)
         SELECT tree_size + 1000, root_hash, at, signature, public_key FROM audit_checkpoints ORDER BY tree_size DESC LIMIT 1`,
      ],
      [
        // seq 0 was never drawn: an old-looking event the sequencer will never look at
        `INSERT INTO audit_events (seq, action, object_type, outcome, details)
         VALUES (0, 'dataset.export', 'Dataset', 'success', '{}')`,
      ],
    ]);
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining(['checkpoint_bad_signature', 'event_not_in_ledger']),
    );
    expect(result.eventsNotInLedger).toBe(1);
  });
});
