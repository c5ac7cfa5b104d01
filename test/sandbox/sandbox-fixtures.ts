import { randomInt } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Clock } from '@aihub/core';
import { residentIdCheckCharacter } from '@aihub/datasets';
import { RunExecutor, SandboxEntity, SandboxProvisioningService } from '@aihub/sandbox';
import { PublicitiesService, PublicityEntity, SandboxProvisionRequestEntity } from '@aihub/scenarios';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import {
  Cast,
  createCast,
  draftApplication,
  formalPassedApplication,
  publishedBatch,
  publishedScenario,
} from '../scenarios/lifecycle-fixtures';
import type { TestApp, TestUser } from '../utils/test-app';

export const API = '/api/v1';
export const MISSING = '00000000-0000-4000-8000-000000000000';

export interface TarEntry {
  name: string;
  body?: string;
  type?: 'file' | 'symlink' | 'dir';
  linkname?: string;
}

function tarHeader(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, 'utf8');
  h.write(`${(e.type === 'dir' ? 0o755 : 0o644).toString(8).padStart(7, '0')}\0`, 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, '0')}\0`,
    136,
  );
  h.write('        ', 148);
  h.write(e.type === 'symlink' ? '2' : e.type === 'dir' ? '5' : '0', 156);
  if (e.linkname) h.write(e.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** A .tar.gz of the given files (names as given: tests also build hostile ones). */
export function tarGz(files: Record<string, string>, extra: TarEntry[] = []): Buffer {
  const parts: Buffer[] = [];
  const entries: TarEntry[] = [...Object.entries(files).map(([name, body]) => ({ name, body })), ...extra];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '', 'utf8');
    const size = e.type && e.type !== 'file' ? 0 : body.length;
    parts.push(tarHeader(e, size));
    if (size) parts.push(body, Buffer.alloc((512 - (size % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

/** A valid 18-digit resident ID (GB 11643) born in 1990 with sequence `n`. */
export function residentId(n: number): string {
  const first17 = `440304199001${String(1 + (n % 28)).padStart(2, '0')}${String(100 + n).slice(-3)}`;
  return first17 + residentIdCheckCharacter(first17)!;
}

export const STREETS = ['福田街道', '南园街道', '园岭街道'];

/** 36 residents, 12 per street: every per-street count is >= 10 (no small cell). */
export function residentsCsv(seed = randomInt(1000, 9999)): { csv: string; rows: string[][] } {
  const rows: string[][] = [];
  for (let i = 0; i < 36; i++)
    rows.push([
      `居民${seed}-${i}`,
      residentId(i),
      `139${String(seed).padStart(4, '0')}${String(i).padStart(4, '0')}`,
      STREETS[i % 3],
      String(20 + ((i * 7) % 50)),
    ]);
  return {
    csv: ['name,resident_id,phone,street,age', ...rows.map((r) => r.join(','))].join('\n') + '\n',
    rows,
  };
}

export const RESIDENT_FIELDS = [
  { name: 'name', type: 'string', identifier: 'direct', masking: 'hash' },
  { name: 'resident_id', type: 'string', identifier: 'direct', masking: 'drop' },
  { name: 'phone', type: 'string', identifier: 'direct', masking: 'hash' },
  { name: 'street', type: 'string', identifier: 'none', masking: 'none' },
  { name: 'age', type: 'integer', identifier: 'quasi', masking: 'generalize' },
];

export interface Dataset {
  id: string;
  name: string;
  versionId: string;
  rows: string[][];
}

export async function createDataset(
  t: TestApp,
  steward: TestUser,
  grade: 'general' | 'important' | 'core',
): Promise<Dataset> {
  const name = `residents-${grade}-${randomInt(1e6, 1e7)}`;
  const ds = await t.http.post(`${API}/datasets`).set(steward.auth).send({
    name,
    description: '测试居民数据',
    grade,
    openAttribute: 'conditional',
    fields: RESIDENT_FIELDS,
  });
  if (ds.status !== 201) throw new Error(`dataset: ${ds.status} ${JSON.stringify(ds.body)}`);
  const { csv, rows } = residentsCsv();
  const v = await t.http
    .post(`${API}/datasets/${ds.body.id}/versions`)
    .set(steward.auth)
    .attach('file', Buffer.from(csv), { filename: 'residents.csv', contentType: 'text/csv' });
  if (v.status !== 201) throw new Error(`version: ${v.status} ${JSON.stringify(v.body)}`);
  return { id: ds.body.id, name, versionId: v.body.id, rows };
}

export interface SandboxWorld {
  cast: Cast;
  /** a second data steward of the same provider (important data needs two) */
  steward2: TestUser;
  /** a data steward of another government organization */
  otherSteward: TestUser;
  sandboxId: string;
  applicationId: string;
  scenarioId: string;
}

/**
 * The real path to a sandbox: published scenario → application → formal check → close → award →
 * publicity passes (clock moved past its end) → the provision request is consumed.
 */
export async function awardedSandbox(
  t: TestApp,
  sandboxDays = 30,
  /**
   * how the provision request is consumed: here, by someone else (a worker) within the deadline, or
   * not at all ('none': `sandboxId` is empty, the request stays pending for an operator's POST /sandboxes)
   */
  provision: 'here' | 'none' | { waitMs: number } = 'here',
  /** enterprise users of the consortium's member organizations (ent1's organization leads) */
  consortium: TestUser[] = [],
): Promise<SandboxWorld> {
  const cast = await createCast(t);
  const [steward2, otherSteward] = await Promise.all([
    t.createUser(['data_steward'], await orgOf(t, cast.steward)),
    t.createUser(['data_steward']),
  ]);
  const batch = await publishedBatch(t, cast.operator);
  const scenario = await publishedScenario(t, cast, batch.id, { sandboxDays });
  const app = consortium.length
    ? await consortiumApplication(t, cast, scenario.id, consortium)
    : await formalPassedApplication(t, cast.ent1, cast.operator, scenario.id);
  await t.http.post(`${API}/scenarios/${scenario.id}/close`).set(cast.operator.auth).expect(200);
  await t.http
    .post(`${API}/scenarios/${scenario.id}/award`)
    .set(cast.gov.auth)
    .send({ applicationIds: [app.id] })
    .expect(201);
  const publicity = await t.dataSource
    .getRepository(PublicityEntity)
    .findOneByOrFail({ scenarioId: scenario.id, kind: 'award' });
  const clock = t.get(Clock);
  clock.advance(publicity.endsAt.getTime() - clock.now().getTime() + 1000);
  const closed = await t.get(PublicitiesService).closeIfDue(publicity.id);
  if (!closed.closed) throw new Error(`publicity did not close: ${JSON.stringify(closed)}`);
  const request = await t.dataSource
    .getRepository(SandboxProvisionRequestEntity)
    .findOneByOrFail({ applicationId: app.id });
  let sandboxId: string | null = null;
  if (provision === 'none') sandboxId = '';
  else if (provision === 'here')
    sandboxId = await t.get(SandboxProvisioningService).provisionRequest(request.id);
  else
    for (const until = Date.now() + provision.waitMs; !sandboxId && Date.now() < until;) {
      const row = await t.dataSource.getRepository(SandboxEntity).findOneBy({ applicationId: app.id });
      if (row) sandboxId = row.id;
      else await new Promise((r) => setTimeout(r, 100));
    }
  if (sandboxId === null) throw new Error('no sandbox provisioned');
  return { cast, steward2, otherSteward, sandboxId, applicationId: app.id, scenarioId: scenario.id };
}

/** ent1 leads, the given users' organizations are members; submitted and past the formal check. */
async function consortiumApplication(t: TestApp, cast: Cast, scenarioId: string, members: TestUser[]) {
  const app = await draftApplication(t, cast.ent1, scenarioId, {
    consortium: members.map((m) => ({ organizationId: m.organizationId })),
  });
  await t.http.post(`${API}/applications/${app.id}/submit`).set(cast.ent1.auth).expect(200);
  await t.http
    .post(`${API}/applications/${app.id}/formal-check`)
    .set(cast.operator.auth)
    .send({ decision: 'pass' })
    .expect(200);
  return app;
}

async function orgOf(t: TestApp, user: TestUser) {
  const { OrganizationEntity } = await import('@aihub/identity');
  return t.dataSource.getRepository(OrganizationEntity).findOneByOrFail({ id: user.organizationId });
}

export async function grant(
  t: TestApp,
  w: SandboxWorld,
  ds: Dataset,
  view: 'raw' | 'masked' | 'synthetic',
  approve = true,
): Promise<string> {
  const res = await t.http
    .post(`${API}/sandboxes/${w.sandboxId}/grants`)
    .set(w.cast.ent1.auth)
    .send({ datasetVersionId: ds.versionId, view });
  if (res.status !== 201) throw new Error(`grant: ${res.status} ${JSON.stringify(res.body)}`);
  if (approve) await t.http.post(`${API}/grants/${res.body.id}/approve`).set(w.cast.steward.auth).expect(200);
  return res.body.id;
}

export function submitRun(
  t: TestApp,
  who: TestUser,
  sandboxId: string,
  bundle: Buffer,
  command: unknown,
  key?: string,
) {
  const req = t.http
    .post(`${API}/sandboxes/${sandboxId}/runs`)
    .set(who.auth)
    .attach('bundle', bundle, { filename: 'code.tar.gz', contentType: 'application/gzip' })
    .field('command', typeof command === 'string' ? command : JSON.stringify(command));
  return key ? req.set('Idempotency-Key', key) : req;
}

/** Submits a run and executes it as the worker would (tests boot only the api). */
export async function runToEnd(
  t: TestApp,
  who: TestUser,
  sandboxId: string,
  files: Record<string, string>,
  command: string[],
) {
  const res = await submitRun(t, who, sandboxId, tarGz(files), command);
  if (res.status !== 202) throw new Error(`run: ${res.status} ${JSON.stringify(res.body)}`);
  await t.get(RunExecutor).execute(res.body.id);
  return (await t.http.get(`${API}/runs/${res.body.id}`).set(who.auth).expect(200)).body as {
    id: string;
    status: string;
    exitCode: number | null;
    reason: string | null;
    outputs: { path: string; sizeBytes: number; sha256: string }[];
    usage: { cpuSeconds: number; maxMemoryMb: number } | null;
    redactedLines: number;
    mounts: { mountPath: string; view: string }[];
  };
}

export async function outputText(t: TestApp, runId: string, path: string): Promise<string> {
  const storage = t.get<ObjectStorage>(OBJECT_STORAGE);
  const chunks: Buffer[] = [];
  for await (const c of await storage.get(Bucket.Outputs, `runs/${runId}/output/${path}`))
    chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export { createCast };
