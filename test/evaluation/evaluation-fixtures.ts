import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationEntity, ScenarioEntity } from '@aihub/scenarios';
import type { TestApp, TestUser } from '../utils/test-app';
import {
  type Cast,
  DAY,
  formalPassedApplication,
  HOUR,
  publishedBatch,
  publishedScenario,
} from '../scenarios/lifecycle-fixtures';

export { DAY, HOUR };

/** An awarded scenario whose awardee is `awardee` (fixtures move the lifecycle directly in the database). */
export async function awardedScenario(
  t: TestApp,
  cast: Cast,
  awardee: TestUser,
  consortium: TestUser[] = [],
) {
  const batch = await publishedBatch(t, cast.operator);
  const scenario = await publishedScenario(t, cast, batch.id);
  const app = await formalPassedApplication(t, awardee, cast.operator, scenario.id);
  await t.dataSource
    .getRepository(ApplicationEntity)
    .update(
      { id: app.id },
      { status: 'selected', consortiumOrgIds: consortium.map((c) => c.organizationId) },
    );
  await t.dataSource.getRepository(ScenarioEntity).update({ id: scenario.id }, { status: 'awarded' });
  return scenario;
}

export function phaseBody(overrides: Record<string, unknown> = {}, now = Date.now()) {
  return {
    name: '初赛',
    startsAt: new Date(now - HOUR).toISOString(),
    endsAt: new Date(now + 30 * DAY).toISOString(),
    mode: 'predictions',
    metric: 'macro_f1',
    dailyLimit: 50,
    maxFileMb: 5,
    publicFraction: 0.5,
    ...overrides,
  };
}

/** Deterministic classification data: id,label with three classes. */
export function labelTruth(n: number, seed = 7): { csv: string; ids: string[]; labels: string[] } {
  const classes = ['市容环境', '交通出行', '噪音扰民'];
  const ids: string[] = [];
  const labels: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    ids.push(`T${String(i).padStart(6, '0')}`);
    labels.push(classes[x % 3]);
  }
  return { csv: 'id,label\n' + ids.map((id, i) => `${id},${labels[i]}`).join('\n') + '\n', ids, labels };
}

/** Predictions equal to the truth except every `wrongEvery`-th row (label rotated). */
export function labelPredictions(
  truth: { ids: string[]; labels: string[] },
  wrongEvery: number,
): { csv: string; labels: string[] } {
  const classes = ['市容环境', '交通出行', '噪音扰民'];
  const labels = truth.labels.map((l, i) =>
    wrongEvery && i % wrongEvery === 0 ? classes[(classes.indexOf(l) + 1) % 3] : l,
  );
  return { csv: 'id,label\n' + truth.ids.map((id, i) => `${id},${labels[i]}`).join('\n') + '\n', labels };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  deadlineMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`Timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Polls GET /submissions/:id until it leaves queued/scoring. */
export async function settled(t: TestApp, user: TestUser, id: string, deadlineMs = 30_000) {
  return waitFor(
    async () => {
      const res = await t.http.get(`/api/v1/submissions/${id}`).set(user.auth);
      if (res.status !== 200) throw new Error(`GET submission: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.status === 'scored' || res.body.status === 'failed' ? res.body : undefined;
    },
    deadlineMs,
    `submission ${id} to be scored`,
  );
}
