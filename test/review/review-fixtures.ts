import { buildPdf } from '@aihub/scenarios/testing/zip-writer';
import { OrganizationEntity } from '@aihub/identity';
import type { TestApp, TestUser } from '../utils/test-app';
import { publishedBatch, publishedScenario, type Cast } from '../scenarios/lifecycle-fixtures';

export const RUBRIC = [
  { criterion: '技术方案', weight: 0.6, maxScore: 100 },
  { criterion: '应用价值', weight: 0.4, maxScore: 50 },
];

export interface PoolExpert extends TestUser {
  name: string;
}

/** Experts in the pool, each in its own platform organization unless an affiliation is given. */
export async function poolExperts(
  t: TestApp,
  operator: TestUser,
  affiliations: (string | undefined)[],
): Promise<TestUser[]> {
  const experts: TestUser[] = [];
  for (const affiliationOrgId of affiliations) {
    const user = await t.createUser(['expert']);
    await t.http
      .post('/api/v1/experts')
      .set(operator.auth)
      .send({
        userId: user.id,
        expertise: ['text_processing'],
        ...(affiliationOrgId ? { affiliationOrgId } : {}),
      })
      .expect(201);
    experts.push(user);
  }
  return experts;
}

export const organization = (t: TestApp, id: string) =>
  t.dataSource.getRepository(OrganizationEntity).findOneByOrFail({ id });

const BOUNDARY = '----aihub-review-boundary-5f1c';
/** multipart body with the file name exactly as written (supertest would mangle non-ASCII names) */
export function pdfUpload(filename: string): { body: Buffer; type: string } {
  const body = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
      'utf8',
    ),
    buildPdf(),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${BOUNDARY}` };
}

/**
 * An application with a proposal (naming its own company, as real proposals do) and an attachment
 * whose file name contains the company name; submitted and formally passed.
 */
export async function passedApplication(
  t: TestApp,
  ent: TestUser,
  operator: TestUser,
  scenarioId: string,
  consortium: string[] = [],
): Promise<{ id: string; orgName: string; creditCode: string; fileName: string }> {
  const org = await organization(t, ent.organizationId);
  const proposal = `${org.name}（统一社会信用代码：${org.creditCode}）提出如下技术方案：……由${org.name}负责实施。`;
  const res = await t.http
    .post(`/api/v1/scenarios/${scenarioId}/applications`)
    .set(ent.auth)
    .send({ proposal, consortium: consortium.map((organizationId) => ({ organizationId })) });
  if (res.status !== 201) throw new Error(`application: ${res.status} ${JSON.stringify(res.body)}`);
  const fileName = `${org.name}-技术方案.pdf`;
  const upload = pdfUpload(fileName);
  await t.http
    .post(`/api/v1/applications/${res.body.id}/attachments`)
    .set(ent.auth)
    .set('Content-Type', upload.type)
    .send(upload.body)
    .expect(201);
  await t.http.post(`/api/v1/applications/${res.body.id}/submit`).set(ent.auth).expect(200);
  await t.http
    .post(`/api/v1/applications/${res.body.id}/formal-check`)
    .set(operator.auth)
    .send({ decision: 'pass' })
    .expect(200);
  return { id: res.body.id, orgName: org.name, creditCode: org.creditCode!, fileName };
}

/** A published scenario (its own batch) that the operator closes once the applications are in. */
export async function openScenario(t: TestApp, cast: Pick<Cast, 'gov' | 'operator'>, overrides = {}) {
  const batch = await publishedBatch(t, cast.operator);
  return publishedScenario(t, cast, batch.id, overrides);
}

export const closeScenario = (t: TestApp, operator: TestUser, id: string) =>
  t.http.post(`/api/v1/scenarios/${id}/close`).set(operator.auth).expect(200);

export function panelBody(scenarioId: string, expertIds: string[], extra: Record<string, unknown> = {}) {
  return {
    scenarioId,
    stage: 'application',
    expertIds,
    blind: true,
    rubric: RUBRIC,
    aggregation: 'trimmed_mean',
    ...extra,
  };
}
