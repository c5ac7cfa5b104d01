import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomInt } from 'node:crypto';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Clock, FieldError, Page, pageByCreatedAt, ValidationFailedError } from '@aihub/core';
import { NotificationsService } from '@aihub/notifications';
import { ApplicationEntity, LifecycleAccess, ScenarioEntity } from '@aihub/scenarios';
import type { CreatePanelDto, PanelListQueryDto, PanelView } from '../dto/panel.dto';
import { ExpertEntity } from '../entities/expert.entity';
import { PanelEntity, PanelStage } from '../entities/panel.entity';
import { PanelMemberEntity } from '../entities/panel-member.entity';
import { PanelRecusalEntity } from '../entities/panel-recusal.entity';
import { PanelSubjectEntity } from '../entities/panel-subject.entity';
import { NoPanelSubjectsError, ReviewReferencesError, ScenarioNotReadyForPanelError } from '../review.errors';
import { validateRubric } from '../scoring/panel-math';
import { panelCode, shuffled } from './blind';
import { organizationRefs, PanelParts, toPanelView } from './panel-views';
import { ResultMetricsReader } from './result-metrics.service';

/** scenario states in which a panel of each stage may be formed */
const READY: Record<PanelStage, readonly string[]> = {
  application: ['closed', 'awarding'],
  result: ['awarded', 'evaluating'],
};
/** the applications each stage scores */
const SUBJECT_STATES: Record<PanelStage, readonly string[]> = {
  application: ['formal_passed', 'shortlisted'],
  result: ['selected'],
};
const CODE_PREFIX: Record<PanelStage, string> = { application: 'A', result: 'R' };

/**
 * Panels (专家评审组): forming one for a scenario and stage (subjects, blind codes, automatic recusal of
 * experts affiliated with a subject's organizations), and the operator's / issuer's views of them.
 */
@Injectable()
export class PanelsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly metrics: ResultMetricsReader,
    private readonly clock: Clock,
    private readonly notifications: NotificationsService,
  ) {}

  /**
   * `backfill` is for the demo seed only: a panel over applications that have already moved on
   * (selected / not selected) of a scenario past the stage's window.
   */
  async create(
    actor: AuthenticatedActor,
    dto: CreatePanelDto,
    backfill?: { subjectStates: string[] },
  ): Promise<PanelView> {
    const rubricProblems = validateRubric(dto.rubric);
    if (rubricProblems.length) throw new ValidationFailedError(rubricProblems);
    const expertIds = [...new Set(dto.expertIds.map((id) => id.toLowerCase()))];
    if (expertIds.length !== dto.expertIds.length)
      throw new ValidationFailedError([{ field: 'expertIds', message: 'an expert is listed twice' }]);
    if (dto.stage === 'result' && dto.shortlistSize !== undefined)
      throw new ValidationFailedError([
        { field: 'shortlistSize', message: 'only application panels shortlist' },
      ]);

    const panelId = await this.dataSource.transaction(async (manager) => {
      const scenario = await manager
        .getRepository(ScenarioEntity)
        .findOne({ where: { id: dto.scenarioId }, lock: { mode: 'pessimistic_read' } });
      if (!scenario) throw new ReviewReferencesError([{ field: 'scenarioId', message: 'no such scenario' }]);
      if (!backfill && !READY[dto.stage].includes(scenario.status))
        throw new ScenarioNotReadyForPanelError(dto.stage, scenario.status, READY[dto.stage]);
      const experts = await this.poolExperts(manager, expertIds);
      const apps = await manager.getRepository(ApplicationEntity).find({
        where: {
          scenarioId: scenario.id,
          status: In(backfill?.subjectStates ?? [...SUBJECT_STATES[dto.stage]]),
        },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      if (!apps.length) throw new NoPanelSubjectsError(dto.stage);

      const panelRepo = manager.getRepository(PanelEntity);
      const panel = await panelRepo.save(
        panelRepo.create({
          scenarioId: scenario.id,
          issuerOrgId: scenario.issuerOrgId,
          stage: dto.stage,
          blind: dto.blind,
          rubric: dto.rubric.map((c) => ({ criterion: c.criterion, weight: c.weight, maxScore: c.maxScore })),
          aggregation: dto.aggregation,
          status: 'open',
          round: 1,
          shortlistSize: dto.shortlistSize ?? null,
          closedAt: null,
          createdBy: actor.user.id,
        }),
      );
      await manager
        .getRepository(PanelMemberEntity)
        .insert(expertIds.map((expertId, position) => ({ panelId: panel.id, expertId, position })));

      const finals = dto.stage === 'result' ? await this.metrics.forScenario(manager, scenario.id) : null;
      // codes in random order: "A-01" must not mean "applied first"
      const ordered = shuffled(apps, (n) => randomInt(n));
      const subjects = await manager.getRepository(PanelSubjectEntity).save(
        ordered.map((a, i) =>
          manager.getRepository(PanelSubjectEntity).create({
            panelId: panel.id,
            applicationId: a.id,
            organizationIds: [a.applicantOrgId, ...a.consortiumOrgIds],
            submissionId: finals?.byOrganization.get(a.applicantOrgId)?.submissionId ?? null,
            code: panelCode(CODE_PREFIX[dto.stage], i + 1),
            position: i + 1,
          }),
        ),
      );
      // 回避: an expert affiliated with the lead or any consortium member never sees that subject
      const recusals = subjects.flatMap((s) =>
        experts
          .filter((e) => s.organizationIds.includes(e.affiliationOrgId))
          .map((e) => ({
            panelId: panel.id,
            subjectId: s.id,
            expertId: e.id,
            kind: 'affiliation' as const,
            reason: null,
          })),
      );
      if (recusals.length) await manager.getRepository(PanelRecusalEntity).insert(recusals);
      await this.audit.record(manager, {
        action: 'panel.create',
        objectType: 'Panel',
        objectId: panel.id,
        details: {
          scenarioId: scenario.id,
          stage: dto.stage,
          blind: dto.blind,
          aggregation: dto.aggregation,
          rubric: panel.rubric,
          expertIds,
          subjects: subjects.map((s) => ({ subjectId: s.id, code: s.code, applicationId: s.applicationId })),
          recusals: recusals.map((r) => ({ subjectId: r.subjectId, expertId: r.expertId, kind: r.kind })),
          at: this.clock.now().toISOString(),
        },
      });
      // the invitation names the (public) scenario, never the subjects
      await this.notifications.notify(manager, {
        recipients: { userIds: expertIds },
        kind: 'panel.assigned',
        title: dto.stage === 'application' ? '揭榜申报专家评审邀请' : '成果评审专家邀请',
        body: `场景「${scenario.title}」：${apps.length} 个评审对象${dto.blind ? '（盲评）' : ''}，请在评审关闭前完成评分。`,
        objectType: 'Panel',
        objectId: panel.id,
      });
      return panel.id;
    });
    return this.view(this.dataSource.manager, await this.parts(this.dataSource.manager, panelId));
  }

  async get(actor: Actor, id: string): Promise<PanelView> {
    const row = await this.dataSource.getRepository(PanelEntity).findOne({ where: { id } });
    await this.access.authorize(actor, 'read', 'Panel', row, id);
    return this.view(this.dataSource.manager, await this.parts(this.dataSource.manager, id));
  }

  async list(actor: Actor, query: PanelListQueryDto): Promise<Page<PanelView>> {
    const qb = this.dataSource.getRepository(PanelEntity).createQueryBuilder('p');
    whereAccessible(qb, actor.ability, 'read', 'Panel');
    if (query.scenarioId) qb.andWhere('p.scenario_id = :scenarioId', { scenarioId: query.scenarioId });
    const page = await pageByCreatedAt(qb, query, (p) => p);
    const items: PanelView[] = [];
    for (const p of page.items)
      items.push(this.view(this.dataSource.manager, await this.parts(this.dataSource.manager, p.id)));
    return { items, nextCursor: page.nextCursor };
  }

  /** A panel with its members, subjects, recusals and the subjects' organizations. */
  async parts(manager: EntityManager, panelId: string, lock = false): Promise<PanelParts> {
    const panel = await manager.getRepository(PanelEntity).findOneOrFail({
      where: { id: panelId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    const [members, subjects, recusals] = await Promise.all([
      manager
        .getRepository(PanelMemberEntity)
        .find({ where: { panelId }, order: { position: 'ASC', id: 'ASC' } }),
      manager.getRepository(PanelSubjectEntity).find({ where: { panelId }, order: { position: 'ASC' } }),
      manager
        .getRepository(PanelRecusalEntity)
        .find({ where: { panelId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    ]);
    const orgs = await organizationRefs(
      manager,
      subjects.flatMap((s) => s.organizationIds),
    );
    return { panel, members, subjects, recusals, orgs };
  }

  view(_manager: EntityManager, parts: PanelParts): PanelView {
    return toPanelView(parts);
  }

  /** Every id must be an active expert of the pool. */
  private async poolExperts(manager: EntityManager, ids: string[]): Promise<ExpertEntity[]> {
    const experts = await manager.getRepository(ExpertEntity).find({ where: { id: In(ids) } });
    const byId = new Map(experts.map((e) => [e.id, e]));
    const errors: FieldError[] = [];
    ids.forEach((id, i) => {
      const e = byId.get(id);
      if (!e) errors.push({ field: `expertIds[${i}]`, message: `${id} is not in the expert pool` });
      else if (!e.active) errors.push({ field: `expertIds[${i}]`, message: `expert ${id} is inactive` });
    });
    if (errors.length) throw new ReviewReferencesError(errors);
    return ids.map((id) => byId.get(id)!);
  }
}
