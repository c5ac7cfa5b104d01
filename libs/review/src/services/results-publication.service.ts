import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Not } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, assertCanRead } from '@aihub/authz';
import { Clock, InvalidStateError, NotFoundError, ValidationFailedError } from '@aihub/core';
import {
  LifecycleAccess,
  PublicitiesService,
  PublicityView,
  PublicityEntity,
  ScenarioEntity,
  ScenarioTransitionsService,
} from '@aihub/scenarios';
import type { PublishResultsDto, ScenarioResultView } from '../dto/results.dto';
import { PanelEntity } from '../entities/panel.entity';
import { PanelResultEntity } from '../entities/panel-result.entity';
import { PanelSubjectEntity } from '../entities/panel-subject.entity';
import { ScenarioResultEntity, ScenarioResultItem } from '../entities/scenario-result.entity';
import { ResultPanelNotClosedError, ResultsAlreadyPublishedError } from '../review.errors';
import { combineRanking } from '../scoring/panel-math';
import { iso, organizationRefs, orgRef } from './panel-views';
import { ResultMetricsReader } from './result-metrics.service';

const round4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/**
 * The final ranking of a scenario (result stage): the normalized private metric score and the expert
 * aggregate, combined with the weights given at publication, shown in a `results` publicity (公示);
 * when it passes the scenario is `concluded`, the ranking public and the private scores revealed.
 */
@Injectable()
export class ResultsPublicationService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly publicities: PublicitiesService,
    private readonly transitions: ScenarioTransitionsService,
    private readonly metrics: ResultMetricsReader,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.publicities.registerCompletion('results', (manager, publicity) => this.complete(manager, publicity));
  }

  /** Opens the results publicity and answers it (like the award proposal); the ranking is at GET …/results. */
  async publish(
    actor: AuthenticatedActor,
    scenarioId: string,
    dto: PublishResultsDto,
  ): Promise<PublicityView> {
    const { metric, expert } = dto.weights;
    if (metric + expert <= 0)
      throw new ValidationFailedError([{ field: 'weights', message: 'the weights must not both be 0' }]);
    const publicityId = await this.dataSource.transaction(async (manager) => {
      const row = await this.transitions.lock(manager, scenarioId);
      const scenario = await this.access.authorize(actor, 'read', 'Scenario', row, scenarioId);
      if (scenario.status !== 'evaluating' && scenario.status !== 'awarded')
        throw new InvalidStateError('Scenario', scenario.status, 'publish the results of');
      const live = await manager
        .getRepository(ScenarioResultEntity)
        .findOne({ where: { scenarioId, status: Not('failed') } });
      if (live) throw new ResultsAlreadyPublishedError(live.status, live.id);
      const panel = await manager.getRepository(PanelEntity).findOne({
        where: { scenarioId, stage: 'result' },
        order: { createdAt: 'DESC', id: 'DESC' },
        lock: { mode: 'pessimistic_read' },
      });
      if (!panel || panel.status !== 'closed') throw new ResultPanelNotClosedError();

      const items = await this.ranking(manager, scenario, panel, dto.weights);
      // nothing else moves a scenario to `evaluating`: publishing the results is the latest point it can
      if (scenario.status === 'awarded')
        await this.transitions.startEvaluation(manager, scenarioId, { by: 'results.publish' });
      const repo = manager.getRepository(ScenarioResultEntity);
      const result = await repo.save(
        repo.create({
          scenarioId,
          panelId: panel.id,
          panelRound: panel.round,
          status: 'publicity',
          weights: { metric, expert },
          metric: items.metric,
          items: items.items,
          publicityId: null,
          publishedAt: null,
          createdBy: actor.user.id,
        }),
      );
      // the 公示 shows the ranking and the expert score; raw private scores wait for the publication
      const publicity = await this.publicities.open(manager, {
        scenarioId,
        kind: 'results',
        subjects: items.items.map((i) => ({
          objectType: 'Application',
          objectId: i.applicationId,
          organizationId: i.organizationId,
          organizationName: i.organizationName,
          rank: i.rank,
          finalScore: i.finalScore,
          expertScore: i.expertScore,
        })),
        notifyOrganizationIds: items.items.map((i) => i.organizationId),
      });
      await repo.update({ id: result.id }, { publicityId: publicity.id });
      await this.audit.record(manager, {
        action: 'results.publish',
        objectType: 'ScenarioResult',
        objectId: result.id,
        details: {
          scenarioId,
          panelId: panel.id,
          panelRound: panel.round,
          weights: { metric, expert },
          publicityId: publicity.id,
          ranking: items.items.map((i) => ({
            applicationId: i.applicationId,
            rank: i.rank,
            finalScore: i.finalScore,
          })),
        },
      });
      return publicity.id;
    });
    return this.publicities.get(actor, publicityId);
  }

  /** Public once published; operators and auditors also see it during its publicity. */
  async get(actor: Actor, scenarioId: string): Promise<ScenarioResultView> {
    return this.view(await this.readable(actor, scenarioId));
  }

  async readable(actor: Actor, scenarioId: string): Promise<ScenarioResultEntity> {
    const rows = await this.dataSource.getRepository(ScenarioResultEntity).find({
      where: { scenarioId, status: Not('failed') },
      order: { createdAt: 'DESC' },
      take: 1,
    });
    if (!rows.length) throw new NotFoundError('ScenarioResult', scenarioId);
    return assertCanRead(actor.ability, 'ScenarioResult', rows[0], scenarioId);
  }

  view(r: ScenarioResultEntity): ScenarioResultView {
    return {
      id: r.id,
      scenarioId: r.scenarioId,
      status: r.status,
      weights: r.weights,
      metric: r.metric,
      panelId: r.panelId,
      panelRound: r.panelRound,
      publicityId: r.publicityId,
      publishedAt: iso(r.publishedAt),
      items: r.items.map((i) => ({
        rank: i.rank,
        applicationId: i.applicationId,
        organization: { id: i.organizationId, name: i.organizationName },
        consortium: i.consortium,
        submissionId: i.submissionId,
        metricScore: i.metricScore,
        normalizedMetric: i.normalizedMetric,
        expertScore: i.expertScore,
        finalScore: i.finalScore,
      })),
    };
  }

  private async ranking(
    manager: EntityManager,
    scenario: ScenarioEntity,
    panel: PanelEntity,
    weights: { metric: number; expert: number },
  ): Promise<{ metric: string | null; items: ScenarioResultItem[] }> {
    const subjects = await manager
      .getRepository(PanelSubjectEntity)
      .find({ where: { panelId: panel.id }, order: { position: 'ASC' } });
    const results = await manager
      .getRepository(PanelResultEntity)
      .find({ where: { panelId: panel.id, round: panel.round } });
    const aggregateOf = new Map(results.map((r) => [r.subjectId, r.aggregate]));
    const metrics = await this.metrics.forScenario(manager, scenario.id);
    const combined = combineRanking(
      subjects.map((s) => ({
        subjectId: s.id,
        metric: metrics.byOrganization.get(s.organizationIds[0])?.privateScore ?? null,
        expert: aggregateOf.get(s.id) ?? null,
      })),
      weights,
      metrics.direction,
    );
    const orgs = await organizationRefs(
      manager,
      subjects.flatMap((s) => s.organizationIds),
    );
    const items = combined.map((c, k) => {
      const s = subjects[k];
      const lead = s.organizationIds[0];
      return {
        rank: c.rank,
        applicationId: s.applicationId,
        organizationId: lead,
        organizationName: orgRef(orgs, lead).name,
        consortium: s.organizationIds.slice(1).map((id) => orgRef(orgs, id)),
        submissionId: metrics.byOrganization.get(lead)?.submissionId ?? s.submissionId,
        metricScore: c.metric,
        normalizedMetric: round4(c.normalizedMetric),
        expertScore: round4(c.expert),
        finalScore: round4(c.final),
      };
    });
    items.sort(
      (a, b) =>
        (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.organizationName.localeCompare(b.organizationName),
    );
    return { metric: metrics.metric, items };
  }

  /** The results publicity closed: publish and conclude (`passed`), or mark the ranking failed. */
  private async complete(manager: EntityManager, publicity: PublicityEntity): Promise<void> {
    const result = await manager
      .getRepository(ScenarioResultEntity)
      .findOne({ where: { publicityId: publicity.id }, lock: { mode: 'pessimistic_write' } });
    if (!result || result.status !== 'publicity') return;
    if (publicity.outcome === 'failed') {
      await manager.getRepository(ScenarioResultEntity).update({ id: result.id }, { status: 'failed' });
      await this.audit.record(manager, {
        action: 'results.fail',
        objectType: 'ScenarioResult',
        objectId: result.id,
        actorId: null,
        actorOrgId: null,
        details: { scenarioId: result.scenarioId, publicityId: publicity.id },
      });
      return;
    }
    const now = this.clock.now();
    await manager
      .getRepository(ScenarioResultEntity)
      .update({ id: result.id }, { status: 'published', publishedAt: now });
    const revealed = await this.metrics.reveal(manager, result.scenarioId);
    await this.audit.record(manager, {
      action: 'results.published',
      objectType: 'ScenarioResult',
      objectId: result.id,
      actorId: null,
      actorOrgId: null,
      details: { scenarioId: result.scenarioId, publicityId: publicity.id, revealedPhaseIds: revealed },
    });
    await this.transitions.conclude(manager, result.scenarioId, { scenarioResultId: result.id });
  }
}
