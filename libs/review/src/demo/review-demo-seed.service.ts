import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { AbilityFactory, AuthenticatedActor, AuthUser } from '@aihub/authz';
import { runWithRequestContext } from '@aihub/core';
import { UserEntity } from '@aihub/identity';
import { ApplicationEntity, ScenarioEntity } from '@aihub/scenarios';
import { ExpertEntity } from '../entities/expert.entity';
import { PanelEntity } from '../entities/panel.entity';
import { ExpertsService } from '../services/experts.service';
import { PanelRoundsService } from '../services/panel-rounds.service';
import { PanelsService } from '../services/panels.service';
import { ScoringService } from '../services/scoring.service';
import { DEMO_AWARDED_SCENARIO, DEMO_EXPERTS, DEMO_RUBRIC, DEMO_SCORES } from './review-demo';

const SEED_LOCK = `SELECT pg_advisory_lock(hashtext('aihub.demo.review'))`;
const SEED_UNLOCK = `SELECT pg_advisory_unlock(hashtext('aihub.demo.review'))`;

/**
 * Demo content of expert review (DEMO=true only), through the review services as the demo accounts:
 * the five demo experts in the pool (expert1 affiliated with a demo company, so recusal shows), a
 * closed blind application panel and an open result panel on the awarded demo scenario. Converges:
 * each step runs only if its object is missing, so a second run adds nothing.
 */
@Injectable()
export class ReviewDemoSeedService {
  private readonly logger = new Logger(ReviewDemoSeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly abilities: AbilityFactory,
    private readonly experts: ExpertsService,
    private readonly panels: PanelsService,
    private readonly rounds: PanelRoundsService,
    private readonly scoring: ScoringService,
  ) {}

  async run(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(SEED_LOCK);
      try {
        await this.seed();
      } catch (err) {
        this.logger.error({ err }, 'demo seed: expert review content could not be seeded');
      } finally {
        await runner.query(SEED_UNLOCK);
      }
    } finally {
      await runner.release();
    }
  }

  private async seed(): Promise<void> {
    const operator = await this.actor('operator@demo.aihub');
    const company = await this.dataSource
      .getRepository(UserEntity)
      .findOneByOrFail({ email: 'enterprise@demo.aihub' });
    const experts: AuthenticatedActor[] = [];
    for (const d of DEMO_EXPERTS) {
      const expert = await this.actor(d.email);
      experts.push(expert);
      if (await this.dataSource.getRepository(ExpertEntity).existsBy({ id: expert.user.id })) continue;
      await this.as(operator, () =>
        this.experts.create(operator, {
          userId: expert.user.id,
          affiliationOrgId: d.affiliation === 'company:ent1' ? company.organizationId : undefined,
          expertise: d.expertise,
        }),
      );
    }
    const scenario = await this.dataSource
      .getRepository(ScenarioEntity)
      .findOne({ where: { title: DEMO_AWARDED_SCENARIO, status: In(['awarded', 'evaluating']) } });
    if (!scenario) {
      this.logger.warn(`demo seed: no awarded scenario "${DEMO_AWARDED_SCENARIO}"; no demo panels`);
      return;
    }
    const expertIds = experts.map((e) => e.user.id);
    const panelOf = (stage: 'application' | 'result') =>
      this.dataSource.getRepository(PanelEntity).findOne({ where: { scenarioId: scenario.id, stage } });

    // the application panel that led to the award, backfilled over the decided applications
    if (!(await panelOf('application'))) {
      const view = await this.as(operator, () =>
        this.panels.create(
          operator,
          {
            scenarioId: scenario.id,
            stage: 'application',
            expertIds,
            blind: true,
            rubric: DEMO_RUBRIC,
            aggregation: 'trimmed_mean',
          },
          { subjectStates: ['selected', 'not_selected'] },
        ),
      );
      const apps = await this.dataSource
        .getRepository(ApplicationEntity)
        .find({ where: { id: In(view.subjects.map((s) => s.applicationId)) } });
      for (const subject of view.subjects) {
        const winner = apps.find((a) => a.id === subject.applicationId)?.status === 'selected';
        const plan = DEMO_SCORES[winner ? 'winner' : 'other'];
        for (const [i, expert] of experts.entries()) {
          if (subject.recusedExpertIds.includes(expert.user.id)) continue;
          const { scores, comment } = plan[i];
          await this.as(expert, () =>
            this.scoring.score(expert, view.id, subject.id, {
              scores: Object.fromEntries(DEMO_RUBRIC.map((c, k) => [c.criterion, scores[k]])),
              comment,
            }),
          );
        }
      }
      await this.as(operator, () => this.rounds.close(operator, view.id));
    }
    // the result panel, open: experts 2 and 3 have scored so far
    if (!(await panelOf('result'))) {
      const view = await this.as(operator, () =>
        this.panels.create(operator, {
          scenarioId: scenario.id,
          stage: 'result',
          expertIds,
          blind: true,
          rubric: DEMO_RUBRIC,
          aggregation: 'trimmed_mean',
        }),
      );
      for (const subject of view.subjects)
        for (const i of [1, 2]) {
          const expert = experts[i];
          if (subject.recusedExpertIds.includes(expert.user.id)) continue;
          const { scores, comment } = DEMO_SCORES.winner[i];
          await this.as(expert, () =>
            this.scoring.score(expert, view.id, subject.id, {
              scores: Object.fromEntries(DEMO_RUBRIC.map((c, k) => [c.criterion, scores[k]])),
              comment,
            }),
          );
        }
    }
  }

  private async actor(email: string): Promise<AuthenticatedActor> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { email }, relations: { organization: true } });
    if (!user?.organization) throw new Error(`demo seed: account ${email} is missing`);
    const authUser: AuthUser = {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      organizationId: user.organizationId,
      organizationType: user.organization.type,
      roles: user.roles,
    };
    return { user: authUser, ability: this.abilities.createFor(authUser) };
  }

  /** Runs a service call as `actor`, so its audit events name the demo account. */
  private as<T>(actor: AuthenticatedActor, fn: () => Promise<T>): Promise<T> {
    return runWithRequestContext(
      {
        requestId: `demo-seed-${randomUUID()}`,
        actorId: actor.user.id,
        actorOrgId: actor.user.organizationId,
      },
      fn,
    );
  }
}
