import { randomInt } from 'node:crypto';
import { AuditEventEntity } from '@aihub/audit';
import { NotificationEntity } from '@aihub/notifications';
import type { TestApp, TestUser } from '../utils/test-app';

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;

/** The roles of the lifecycle, each in its own organization (gov2 and ent2 are "other tenants"). */
export interface Cast {
  operator: TestUser;
  gov: TestUser;
  gov2: TestUser;
  ent1: TestUser;
  ent2: TestUser;
  auditor: TestUser;
  expert: TestUser;
  steward: TestUser;
}

export async function createCast(t: TestApp): Promise<Cast> {
  const [operator, gov, gov2, ent1, ent2, auditor, expert, steward] = await Promise.all([
    t.createUser(['operator']),
    t.createUser(['gov']),
    t.createUser(['gov']),
    t.createUser(['enterprise']),
    t.createUser(['enterprise']),
    t.createUser(['auditor']),
    t.createUser(['expert']),
    t.createUser(['data_steward']),
  ]);
  return { operator, gov, gov2, ent1, ent2, auditor, expert, steward };
}

/** A published batch with a number no other test file uses (numbers are unique per database). */
export async function publishedBatch(
  t: TestApp,
  operator: TestUser,
  publish = true,
): Promise<{ id: string; number: number }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const number = randomInt(1000, 9999);
    const res = await t.http
      .post('/api/v1/batches')
      .set(operator.auth)
      .send({ number, title: `第${number}期AI应用场景需求清单` });
    if (res.status === 409) continue;
    if (res.status !== 201) throw new Error(`batch create: ${res.status} ${JSON.stringify(res.body)}`);
    if (publish) await t.http.post(`/api/v1/batches/${res.body.id}/publish`).set(operator.auth).expect(200);
    return { id: res.body.id, number };
  }
  throw new Error('no free batch number');
}

/**
 * A valid scenario body. The default window is open now and ends in a year, so that the suite that moves
 * its clock (award-publicity) and sweeps the shared database never closes other suites' scenarios.
 */
export function scenarioBody(overrides: Record<string, unknown> = {}, now = Date.now()) {
  return {
    title: '城市事件智能分拨',
    summary: '基于12345热线与网格事件数据，自动判定事件类别与承办部门。',
    description: '背景、数据、预期成果……',
    domain: 'government_services',
    techField: 'text_processing',
    layer: 'government',
    awardMode: 'single',
    maxAwardees: 1,
    applicationOpensAt: new Date(now - HOUR).toISOString(),
    applicationClosesAt: new Date(now + 365 * DAY).toISOString(),
    sandboxDays: 90,
    datasetIds: [],
    ...overrides,
  };
}

export async function draftScenario(
  t: TestApp,
  gov: TestUser,
  overrides: Record<string, unknown> = {},
  now?: number,
) {
  const res = await t.http.post('/api/v1/scenarios').set(gov.auth).send(scenarioBody(overrides, now));
  if (res.status !== 201) throw new Error(`scenario create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; [k: string]: unknown };
}

export async function publishedScenario(
  t: TestApp,
  cast: Pick<Cast, 'gov' | 'operator'>,
  batchId: string,
  overrides: Record<string, unknown> = {},
  now?: number,
) {
  const s = await draftScenario(t, cast.gov, overrides, now);
  await t.http.post(`/api/v1/scenarios/${s.id}/submit`).set(cast.gov.auth).expect(200);
  const res = await t.http
    .post(`/api/v1/scenarios/${s.id}/publish`)
    .set(cast.operator.auth)
    .send({ batchId })
    .expect(200);
  return res.body as { id: string; status: string; [k: string]: unknown };
}

export async function draftApplication(
  t: TestApp,
  ent: TestUser,
  scenarioId: string,
  body: Record<string, unknown> = {},
) {
  const res = await t.http
    .post(`/api/v1/scenarios/${scenarioId}/applications`)
    .set(ent.auth)
    .send({ proposal: '我们的技术方案：……', ...body });
  if (res.status !== 201) throw new Error(`application create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string; [k: string]: unknown };
}

export async function submittedApplication(t: TestApp, ent: TestUser, scenarioId: string) {
  const app = await draftApplication(t, ent, scenarioId);
  await t.http.post(`/api/v1/applications/${app.id}/submit`).set(ent.auth).expect(200);
  return app;
}

export async function formalPassedApplication(
  t: TestApp,
  ent: TestUser,
  operator: TestUser,
  scenarioId: string,
) {
  const app = await submittedApplication(t, ent, scenarioId);
  await t.http
    .post(`/api/v1/applications/${app.id}/formal-check`)
    .set(operator.auth)
    .send({ decision: 'pass' })
    .expect(200);
  return app;
}

export const auditEvents = (t: TestApp, objectId: string, action?: string) =>
  t.dataSource
    .getRepository(AuditEventEntity)
    .find({ where: action ? { objectId, action } : { objectId }, order: { seq: 'ASC' } });

export async function auditActions(t: TestApp, objectId: string): Promise<string[]> {
  return (await auditEvents(t, objectId)).map((e) => e.action);
}

export const notificationsOf = (t: TestApp, userId: string, objectId?: string) =>
  t.dataSource
    .getRepository(NotificationEntity)
    .find({ where: objectId ? { userId, objectId } : { userId }, order: { createdAt: 'ASC' } });
