import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type Redis from 'ioredis';
import { REDIS, redisKey } from '@aihub/core';
import { OrganizationEntity } from '@aihub/identity';
import {
  ApplicationEntity,
  BatchEntity,
  ScenarioEntity,
  type ApplicationState,
  type Domain,
  type ScenarioState,
  type TechField,
} from '@aihub/scenarios';
import { StatsContributor, StatsContributorProvider, StatsCounters, StatsService } from '@aihub/stats';
import { createIsolatedEnvironment, type IsolatedEnvironment } from '../queue/isolated-environment';
import { createTestApp, TestApp, uniqueSuffix } from '../utils/test-app';

/** A second provider of counters the datasets lib already provides: the registry must refuse it. */
@StatsContributorProvider()
@Injectable()
class ConflictingDatasetStats implements StatsContributor {
  readonly provides = ['datasets', 'datasetRows'] as const;
  async contribute(manager: EntityManager): Promise<Partial<StatsCounters>> {
    const [row] = await manager.query('SELECT 4 AS n');
    return { datasets: row.n, datasetRows: 123_456 };
  }
}

describe('GET /stats (e2e, own database so the counts are exact)', () => {
  let isolated: IsolatedEnvironment;
  let t: TestApp;

  beforeAll(async () => {
    isolated = await createIsolatedEnvironment('stats');
    t = await createTestApp({ env: { ...isolated.env, STATS_CACHE_SECONDS: '0' } });
  });
  afterAll(async () => {
    await t?.close();
    await isolated?.dispose();
  });

  const stats = async () => (await t.http.get('/api/v1/stats').expect(200)).body;

  it('is public and answers zeros (with every vocabulary code) on an empty platform', async () => {
    const body = await stats();
    expect(body).toEqual({
      batches: 0,
      scenarios: {
        total: 0,
        byDomain: {
          city_appearance: 0,
          government_services: 0,
          elderly_care: 0,
          public_safety: 0,
          health: 0,
          epidemic_prevention: 0,
          transport: 0,
          education: 0,
          emergency: 0,
          economy: 0,
        },
        byTechField: {
          big_data_analytics: 0,
          video_recognition: 0,
          knowledge_graph: 0,
          text_processing: 0,
          speech_processing: 0,
        },
      },
      enterprises: 0,
      awardees: 0,
      selectedApplications: 0,
      datasets: 0,
      datasetRows: 0,
      sandboxRuns: 0,
      submissions: 0,
      generatedAt: expect.any(String),
    });
    // every counter comes from the lib that owns it, through the registry (not a hard-coded response)
    expect(t.get(StatsService).providedCounters).toEqual(
      expect.arrayContaining(['datasets', 'datasetRows', 'sandboxRuns', 'submissions', 'enterprises']),
    );
  });

  it('counts published batches, public scenarios by domain and tech field, enterprises and awardees', async () => {
    const orgs = t.dataSource.getRepository(OrganizationEntity);
    const gov = await t.createOrganization('government');
    const entA = await t.createOrganization('enterprise');
    const entB = await t.createOrganization('enterprise');
    const entC = await t.createOrganization('enterprise');
    await orgs.save({ name: `平台-${uniqueSuffix()}`, type: 'platform', creditCode: null });

    const batches = t.dataSource.getRepository(BatchEntity);
    const published = await batches.save({ number: 1, title: '第一期需求清单', status: 'published' });
    await batches.save({ number: 2, title: '第二期需求清单', status: 'published' });
    await batches.save({ number: 3, title: '第三期需求清单（草稿）', status: 'draft' });

    const scenarios = t.dataSource.getRepository(ScenarioEntity);
    const now = Date.now();
    const scenario = (status: ScenarioState, domain: Domain, techField: TechField) =>
      scenarios.save({
        title: `场景-${uniqueSuffix()}`,
        summary: '统计测试',
        description: '统计测试场景。',
        domain,
        techField,
        layer: 'government',
        awardMode: 'single',
        maxAwardees: 1,
        applicationOpensAt: new Date(now - 86_400_000),
        applicationClosesAt: new Date(now + 86_400_000),
        sandboxDays: 90,
        status,
        issuerOrgId: gov.id,
        batchId: ['draft', 'submitted', 'withdrawn'].includes(status) ? null : published.id,
      });
    const s1 = await scenario('published', 'city_appearance', 'video_recognition');
    const s2 = await scenario('awarded', 'city_appearance', 'text_processing');
    const s3 = await scenario('awarded', 'health', 'video_recognition');
    await scenario('closed', 'elderly_care', 'speech_processing');
    await scenario('concluded', 'education', 'big_data_analytics');
    await scenario('awarding', 'public_safety', 'knowledge_graph');
    await scenario('evaluating', 'government_services', 'text_processing');
    // not public: never counted
    await scenario('draft', 'health', 'video_recognition');
    await scenario('submitted', 'health', 'video_recognition');
    await scenario('withdrawn', 'health', 'video_recognition');

    const applications = t.dataSource.getRepository(ApplicationEntity);
    const application = (s: ScenarioEntity, org: OrganizationEntity, status: ApplicationState) =>
      applications.save({
        scenarioId: s.id,
        applicantOrgId: org.id,
        issuerOrgId: gov.id,
        batchId: published.id,
        proposal: '方案',
        status,
      });
    await application(s2, entA, 'selected');
    await application(s3, entA, 'selected');
    await application(s3, entB, 'selected'); // parallel award: two awardees
    await application(s2, entB, 'not_selected');
    await application(s1, entC, 'proposed');
    await application(s1, entB, 'submitted');

    const body = await stats();
    expect(body.batches).toBe(2);
    expect(body.scenarios.total).toBe(7);
    expect(body.scenarios.byDomain).toEqual(
      expect.objectContaining({
        city_appearance: 2,
        health: 1,
        elderly_care: 1,
        education: 1,
        public_safety: 1,
        government_services: 1,
        epidemic_prevention: 0,
      }),
    );
    expect(body.scenarios.byTechField).toEqual({
      video_recognition: 2,
      text_processing: 2,
      speech_processing: 1,
      big_data_analytics: 1,
      knowledge_graph: 1,
    });
    expect(body.enterprises).toBe(3);
    expect(body.awardees).toBe(2);
    expect(body.selectedApplications).toBe(3);
    expect(body.sandboxRuns).toBe(0);
    expect(body.submissions).toBe(0);
  });

  it('uses the indexes it claims: the scenario GROUP BY reads the status index', async () => {
    await t.dataSource.query('ANALYZE scenarios');
    const plan: { 'QUERY PLAN': string }[] = await t.dataSource.query(
      `EXPLAIN SELECT domain, tech_field, count(*) FROM scenarios
        WHERE status = ANY($1) GROUP BY domain, tech_field`,
      [['published', 'closed']],
    );
    // on a tiny table the planner may prefer a sequential scan; what matters is that it can use the index
    await t.dataSource.query('SET enable_seqscan = off');
    try {
      const forced: { 'QUERY PLAN': string }[] = await t.dataSource.query(
        `EXPLAIN SELECT domain, tech_field, count(*) FROM scenarios
          WHERE status = ANY($1) GROUP BY domain, tech_field`,
        [['published', 'closed']],
      );
      expect(forced.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index/);
    } finally {
      await t.dataSource.query('RESET enable_seqscan');
    }
    expect(plan.length).toBeGreaterThan(0);
  });

  it('refuses to boot with two providers of the same counter', async () => {
    await expect(
      createTestApp({
        env: { ...isolated.env, STATS_CACHE_SECONDS: '0' },
        providers: [ConflictingDatasetStats],
      }),
    ).rejects.toThrow(/datasets is provided by both/);
  });

  it('caches the answer in Redis for STATS_CACHE_SECONDS', async () => {
    const app = await createTestApp({ env: { ...isolated.env, STATS_CACHE_SECONDS: '60' } });
    try {
      const redis = app.get<Redis>(REDIS);
      const key = redisKey(app.config, 'cache', 'stats', 'v1');
      await redis.del(key);
      const first = (await app.http.get('/api/v1/stats').expect(200)).body;
      expect(await redis.ttl(key)).toBeGreaterThan(50);
      await app.createOrganization('enterprise');
      const cached = (await app.http.get('/api/v1/stats').expect(200)).body;
      expect(cached).toEqual(first);
      await redis.del(key);
      const fresh = (await app.http.get('/api/v1/stats').expect(200)).body;
      expect(fresh.enterprises).toBe(first.enterprises + 1);
      expect(fresh.generatedAt).not.toBe(first.generatedAt);
    } finally {
      await app.close();
    }
  });
});
