import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig, Clock } from '@aihub/core';
import { OrganizationEntity, UserEntity } from '@aihub/identity';
import { ScenarioEntity } from '@aihub/scenarios/entities/scenario.entity';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import { localDay } from '../services/quota-day';
import { ScoringService } from '../services/scoring.service';
import { newSplitSecret } from '../services/split';
import {
  DEMO_ROWS,
  DEMO_SCENARIO_TITLE,
  demoBaseline,
  demoPredictions,
  demoTruth,
  toCsv,
} from './demo-evaluation';

const DAY = 86_400_000;

/** Who submits what in the demo (quality = share of correct predictions). */
const PLAN: { email: string; quality: number | 'baseline'; daysAgo: number }[] = [
  { email: 'operator@demo.aihub', quality: 'baseline', daysAgo: 12 },
  { email: 'enterprise@demo.aihub', quality: 0.71, daysAgo: 10 },
  { email: 'enterprise2@demo.aihub', quality: 0.66, daysAgo: 9 },
  { email: 'enterprise@demo.aihub', quality: 0.83, daysAgo: 6 },
  { email: 'enterprise2@demo.aihub', quality: 0.79, daysAgo: 4 },
  { email: 'enterprise@demo.aihub', quality: 0.88, daysAgo: 2 },
];

/**
 * Demo only (`DEMO=true`): the awarded demo scenario gets an evaluation (12345 hotline ticket classification,
 * macro_f1) with generated ground truth, a majority-class baseline and scored submissions of both demo companies.
 * Idempotent: nothing is done when the scenario already has an evaluation. Scores come from the real scorer,
 * run in-process (the api has no worker).
 */
@Injectable()
export class EvaluationDemoSeedService {
  private readonly logger = new Logger(EvaluationDemoSeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly scoring: ScoringService,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<{ submissions: number } | null> {
    const scenario = await this.dataSource
      .getRepository(ScenarioEntity)
      .findOne({ where: { title: DEMO_SCENARIO_TITLE } });
    if (!scenario || scenario.status !== 'awarded') {
      this.logger.warn(
        `demo evaluation skipped: the demo scenario '${DEMO_SCENARIO_TITLE}' is missing or not awarded`,
      );
      return null;
    }
    const now = this.clock.now();
    const truth = demoTruth();
    const created = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`evaluation-demo:${scenario.id}`]);
      if (await manager.getRepository(EvaluationSpecEntity).exists({ where: { scenarioId: scenario.id } }))
        return null;
      const truthKey = `scenarios/${scenario.id}/demo-truth`;
      const stored = await this.storage.put(
        Bucket.GroundTruth,
        truthKey,
        Readable.from([toCsv(truth.ids, truth.labels)]),
        {
          contentType: 'text/csv',
        },
      );
      await manager.getRepository(EvaluationSpecEntity).insert({
        scenarioId: scenario.id,
        idColumn: 'ticket_id',
        targetColumn: 'category',
        groundTruthKey: truthKey,
        groundTruthSha256: stored.sha256,
        groundTruthSizeBytes: stored.sizeBytes,
        groundTruthRows: DEMO_ROWS,
        truthLabels: [...new Set(truth.labels)],
        groundTruthUploadedAt: new Date(now.getTime() - 14 * DAY),
      });
      const phase = await manager.getRepository(EvaluationPhaseEntity).save(
        manager.getRepository(EvaluationPhaseEntity).create({
          scenarioId: scenario.id,
          name: '12345热线工单分类 · 公开评测',
          startsAt: new Date(now.getTime() - 14 * DAY),
          endsAt: new Date(now.getTime() + 30 * DAY),
          mode: 'predictions',
          metric: 'macro_f1',
          metricParams: null,
          dailyLimit: 5,
          totalLimit: 100,
          maxFileMb: 20,
          publicFraction: 0.3,
          open: true,
          splitSecret: newSplitSecret(),
        }),
      );
      const ids: string[] = [];
      for (const [i, p] of PLAN.entries()) {
        const user = await manager.getRepository(UserEntity).findOne({ where: { email: p.email } });
        if (
          !user ||
          !(await manager.getRepository(OrganizationEntity).exists({ where: { id: user.organizationId } }))
        )
          continue;
        const labels =
          p.quality === 'baseline' ? demoBaseline(truth) : demoPredictions(truth, p.quality, 100 + i);
        const id = randomUUID();
        const key = `phases/${phase.id}/${id}`;
        const file = await this.storage.put(
          Bucket.Submissions,
          key,
          Readable.from([toCsv(truth.ids, labels)]),
          {
            contentType: 'text/csv',
          },
        );
        const at = new Date(now.getTime() - p.daysAgo * DAY);
        await manager.getRepository(SubmissionEntity).insert({
          id,
          phaseId: phase.id,
          scenarioId: scenario.id,
          organizationId: user.organizationId,
          submittedBy: user.id,
          status: 'queued',
          fileName: p.quality === 'baseline' ? 'baseline-majority-class.csv' : `predictions-v${i}.csv`,
          storageKey: key,
          sha256: file.sha256,
          sizeBytes: file.sizeBytes,
          quotaDay: localDay(at, this.config.timeZone),
          createdAt: at,
        });
        ids.push(id);
      }
      return ids;
    });
    if (!created) return null;
    for (const id of created) await this.scoring.score(id);
    this.logger.log({ scenarioId: scenario.id, submissions: created.length }, 'demo evaluation seeded');
    return { submissions: created.length };
  }
}
