import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AbilityFactory, AuthenticatedActor, AuthUser } from '@aihub/authz';
import { APP_CONFIG, AppConfig, Clock, runWithRequestContext } from '@aihub/core';
import { UserEntity } from '@aihub/identity';
import { ApplicationEntity } from '../entities/application.entity';
import { BatchEntity } from '../entities/batch.entity';
import { PublicityEntity } from '../entities/publicity.entity';
import { ScenarioEntity } from '../entities/scenario.entity';
import { ApplicationsService } from '../services/applications.service';
import { AwardService } from '../services/award.service';
import { BatchesService } from '../services/batches.service';
import { FormalCheckService } from '../services/formal-check.service';
import { PublicitiesService } from '../services/publicities.service';
import { ScenarioTransitionsService } from '../services/scenario-transitions.service';
import { ScenariosService } from '../services/scenarios.service';
import {
  DEMO_APPLICATIONS,
  DEMO_COMPANY_USERS,
  type DemoApplication,
  type DemoCompany,
  demoProposal,
} from './demo-applications';
import { DEMO_BATCHES, DEMO_SCENARIOS, type DemoBatch, type DemoScenario } from './demo-scenarios';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const SEED_LOCK = `SELECT pg_advisory_lock(hashtext('aihub.demo.seed'))`;
const SEED_UNLOCK = `SELECT pg_advisory_unlock(hashtext('aihub.demo.seed'))`;

export interface DemoSeedSummary {
  created: { batches: number; scenarios: number; applications: number };
  failures: number;
}

interface Actors {
  operator: AuthenticatedActor;
  gov: AuthenticatedActor;
  companies: Record<DemoCompany, AuthenticatedActor>;
}

/** The application window a demo scenario ends up with, relative to `now` and its batch. */
export function demoWindow(
  s: DemoScenario,
  index: number,
  batchPublishedAt: Date,
  now: Date,
): { opensAt: Date; closesAt: Date } {
  const published = batchPublishedAt.getTime();
  switch (s.window) {
    case 'closed': {
      const opensAt = new Date(published + DAY);
      const closesAt = new Date(Math.min(published + 35 * DAY, now.getTime() - (2 + (index % 4)) * DAY));
      return { opensAt, closesAt };
    }
    case 'open':
      return {
        opensAt: new Date(published + DAY),
        closesAt: new Date(now.getTime() + (10 + (index % 5) * 5) * DAY),
      };
    case 'upcoming': {
      const opensAt = new Date(now.getTime() + (3 + (index % 3)) * DAY);
      return { opensAt, closesAt: new Date(opensAt.getTime() + 35 * DAY) };
    }
  }
}

/**
 * Demo content of the 揭榜挂帅 lifecycle (demo mode only): three published batches, 38 scenarios,
 * applications of the demo companies in every state, one scenario in publicity and one awarded.
 *
 * Everything goes through the lifecycle's own services as the demo accounts (operator, gov, the two
 * companies), so rules, audit events and notifications are the real ones. The seed converges: each
 * step runs only if the object is not there yet or not yet in its target state, so a second run adds
 * nothing and an interrupted run is completed by the next. Afterwards, each scenario's timestamps are
 * moved once into the past (its batch's publication, the window, the publicity) so the demo shows
 * open, closed and awarded scenarios whenever it is started; that rewrite is itself audited
 * (`demo.backdate`). Several api replicas starting at once serialize on an advisory lock.
 */
@Injectable()
export class DemoSeedService {
  private readonly logger = new Logger(DemoSeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly abilities: AbilityFactory,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly batches: BatchesService,
    private readonly scenarios: ScenariosService,
    private readonly transitions: ScenarioTransitionsService,
    private readonly applications: ApplicationsService,
    private readonly formalCheck: FormalCheckService,
    private readonly award: AwardService,
    private readonly publicities: PublicitiesService,
  ) {}

  async run(): Promise<DemoSeedSummary | null> {
    if (!this.config.demo.enabled) return null;
    // a session-level lock on a connection of its own: the seed itself runs many transactions
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(SEED_LOCK);
      try {
        return await this.seed();
      } finally {
        await runner.query(SEED_UNLOCK);
      }
    } finally {
      await runner.release();
    }
  }

  private async seed(): Promise<DemoSeedSummary> {
    const now = this.clock.now();
    const actors: Actors = {
      operator: await this.actor('operator@demo.aihub'),
      gov: await this.actor('gov@demo.aihub'),
      companies: {
        ent1: await this.actor(DEMO_COMPANY_USERS.ent1),
        ent2: await this.actor(DEMO_COMPANY_USERS.ent2),
      },
    };
    const summary: DemoSeedSummary = { created: { batches: 0, scenarios: 0, applications: 0 }, failures: 0 };
    const batches = new Map<number, BatchEntity>();
    for (const b of DEMO_BATCHES) batches.set(b.number, await this.ensureBatch(actors, b, now, summary));
    for (const [index, s] of DEMO_SCENARIOS.entries()) {
      try {
        await this.ensureScenario(actors, s, index, batches.get(s.batch)!, now, summary);
      } catch (err) {
        summary.failures++;
        this.logger.error({ err, scenario: s.title }, 'demo seed: could not seed scenario');
      }
    }
    const { batches: b, scenarios: sc, applications: a } = summary.created;
    if (b + sc + a > 0 || summary.failures > 0)
      this.logger.log(
        `demo seed: created ${b} batches, ${sc} scenarios, ${a} applications` +
          (summary.failures ? `; ${summary.failures} scenarios failed (see errors above)` : ''),
      );
    return summary;
  }

  // ---- actors ----

  private async actor(email: string): Promise<AuthenticatedActor> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { email }, relations: { organization: true } });
    if (!user?.organization)
      throw new Error(`demo seed: account ${email} is missing; identity's demo bootstrap must run first`);
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

  // ---- batches ----

  private async ensureBatch(
    actors: Actors,
    b: DemoBatch,
    now: Date,
    summary: DemoSeedSummary,
  ): Promise<BatchEntity> {
    const repo = this.dataSource.getRepository(BatchEntity);
    let batch = await repo.findOneBy({ number: b.number });
    if (!batch) {
      const view = await this.as(actors.operator, () =>
        this.batches.create(actors.operator, { number: b.number, title: b.title }),
      );
      summary.created.batches++;
      batch = await repo.findOneByOrFail({ id: view.id });
    }
    if (batch.status === 'draft') {
      const id = batch.id;
      await this.as(actors.operator, () => this.batches.publish(actors.operator, id));
      batch = await repo.findOneByOrFail({ id });
    }
    // once: a batch published just now by the seed is moved back to its place in the demo's history
    const target = new Date(now.getTime() - b.publishedDaysAgo * DAY);
    if (batch.publishedAt && batch.publishedAt.getTime() > target.getTime() + DAY) {
      await repo.update(
        { id: batch.id },
        { publishedAt: target, createdAt: new Date(target.getTime() - 3 * DAY) },
      );
      batch = await repo.findOneByOrFail({ id: batch.id });
    }
    return batch;
  }

  // ---- scenarios ----

  private async ensureScenario(
    actors: Actors,
    s: DemoScenario,
    index: number,
    batch: BatchEntity,
    now: Date,
    summary: DemoSeedSummary,
  ): Promise<void> {
    const { operator, gov } = actors;
    const repo = this.dataSource.getRepository(ScenarioEntity);
    const final = demoWindow(s, index, batch.publishedAt!, now);
    let scenario = await repo.findOneBy({ title: s.title, issuerOrgId: gov.user.organizationId });
    if (!scenario) {
      // a closed scenario starts with a window still open for an hour: its applications come first
      const closesAt = s.window === 'closed' ? new Date(now.getTime() + HOUR) : final.closesAt;
      const view = await this.as(gov, () =>
        this.scenarios.create(gov, {
          title: s.title,
          summary: s.summary,
          description: s.description,
          domain: s.domain,
          techField: s.techField,
          layer: s.layer,
          awardMode: s.awardMode,
          maxAwardees: s.maxAwardees,
          applicationOpensAt: final.opensAt.toISOString(),
          applicationClosesAt: closesAt.toISOString(),
          sandboxDays: s.sandboxDays,
        }),
      );
      summary.created.scenarios++;
      scenario = await repo.findOneByOrFail({ id: view.id });
    }
    const id = scenario.id;
    const reload = async () => (scenario = await repo.findOneByOrFail({ id }));

    if (scenario.status === 'draft') {
      await this.as(gov, () => this.transitions.submit(gov, id));
      await reload();
    }
    if (scenario.status === 'submitted') {
      await this.as(operator, () => this.transitions.publish(operator, id, batch.id));
      await reload();
    }
    const plans = DEMO_APPLICATIONS.filter((p) => p.scenario === s.title);
    if (scenario.status === 'published' && now.getTime() < scenario.applicationClosesAt.getTime()) {
      for (const plan of plans) await this.ensureApplication(actors, plan, scenario, summary);
    }
    if (s.stage !== 'published' && scenario.status === 'published') {
      await this.as(operator, () => this.transitions.close(operator, id));
      await reload();
    }
    if ((s.stage === 'publicity' || s.stage === 'awarded') && scenario.status === 'closed') {
      const awardees = await this.awardeeIds(actors, scenario, plans);
      await this.as(gov, () => this.award.propose(gov, id, { applicationIds: awardees }));
      await reload();
    }
    if (scenario.createdAt.getTime() > batch.publishedAt!.getTime()) {
      await this.backdate(scenario, s, index, batch, final, now);
      await reload();
    }
    if (s.stage === 'awarded' && scenario.status === 'awarding') {
      const publicity = await this.dataSource
        .getRepository(PublicityEntity)
        .findOneByOrFail({ scenarioId: id, kind: 'award', status: 'open' });
      // it ended (backdated) with no objection: close it as the timer would have, a minute after its end
      await this.publicities.closeIfDue(publicity.id, new Date(publicity.endsAt.getTime() + 60_000));
    }
  }

  private async awardeeIds(
    actors: Actors,
    scenario: ScenarioEntity,
    plans: DemoApplication[],
  ): Promise<string[]> {
    const orgIds = plans
      .filter((p) => p.target === 'proposed' || p.target === 'selected')
      .map((p) => actors.companies[p.company].user.organizationId);
    const apps = await this.dataSource
      .getRepository(ApplicationEntity)
      .findBy({ scenarioId: scenario.id, applicantOrgId: In(orgIds), status: 'formal_passed' });
    return apps.map((a) => a.id);
  }

  // ---- applications ----

  private async ensureApplication(
    actors: Actors,
    plan: DemoApplication,
    scenario: ScenarioEntity,
    summary: DemoSeedSummary,
  ): Promise<void> {
    const { operator } = actors;
    const company = actors.companies[plan.company];
    const repo = this.dataSource.getRepository(ApplicationEntity);
    let app = await repo.findOne({
      where: { scenarioId: scenario.id, applicantOrgId: company.user.organizationId },
      order: { createdAt: 'DESC' },
    });
    if (!app) {
      const view = await this.as(company, () =>
        this.applications.create(company, scenario.id, {
          proposal: demoProposal(plan.company, scenario.title),
          consortium: (plan.consortium ?? []).map((c) => ({
            organizationId: actors.companies[c].user.organizationId,
          })),
        }),
      );
      summary.created.applications++;
      app = await repo.findOneByOrFail({ id: view.id });
    }
    const id = app.id;
    if (plan.target !== 'draft' && app.status === 'draft') {
      await this.as(company, () => this.applications.submit(company, id));
      app = await repo.findOneByOrFail({ id });
    }
    if (app.status !== 'submitted') return;
    switch (plan.target) {
      case 'returned':
      case 'rejected': {
        const decision = plan.target === 'returned' ? 'return' : 'reject';
        await this.as(operator, () =>
          this.formalCheck.check(operator, id, { decision, reason: plan.reason ?? '申报材料不完整。' }),
        );
        return;
      }
      case 'withdrawn':
        await this.as(company, () => this.applications.withdraw(company, id));
        return;
      case 'formal_passed':
      case 'proposed':
      case 'selected':
      case 'not_selected':
        await this.as(operator, () => this.formalCheck.check(operator, id, { decision: 'pass' }));
        return;
      default:
        return;
    }
  }

  // ---- history ----

  /**
   * Once per scenario: moves what the seed just did to where it belongs in the demo's history — the
   * scenario drafted and published with its batch, a closed window in the past (and its applications
   * inside it), the award publicity started two days ago (in publicity) or long over (awarded).
   */
  private async backdate(
    scenario: ScenarioEntity,
    s: DemoScenario,
    index: number,
    batch: BatchEntity,
    final: { opensAt: Date; closesAt: Date },
    now: Date,
  ): Promise<void> {
    const published = batch.publishedAt!.getTime();
    const at = (ms: number) => new Date(ms);
    await this.dataSource.transaction(async (manager) => {
      const patch: Partial<ScenarioEntity> = {
        createdAt: at(published - 10 * DAY + index * 7 * 60_000),
        submittedAt: at(published - 5 * DAY + index * 60_000),
        publishedAt: at(published + index * 60_000),
        applicationOpensAt: final.opensAt,
        applicationClosesAt: final.closesAt,
      };
      if (scenario.closedAt) patch.closedAt = final.closesAt;
      await manager.getRepository(ScenarioEntity).update({ id: scenario.id }, patch);

      const details: Record<string, unknown> = {
        reason: 'demo history',
        publishedAt: patch.publishedAt!.toISOString(),
        applicationOpensAt: final.opensAt.toISOString(),
        applicationClosesAt: final.closesAt.toISOString(),
      };
      if (s.window === 'closed') {
        const apps = await manager.getRepository(ApplicationEntity).findBy({ scenarioId: scenario.id });
        for (const [k, app] of apps.entries()) {
          const submitted = at(final.opensAt.getTime() + (4 + k) * DAY);
          await manager.getRepository(ApplicationEntity).update(
            { id: app.id },
            {
              createdAt: at(final.opensAt.getTime() + (2 + k) * DAY),
              submittedAt: app.submittedAt ? submitted : null,
              lastSubmittedAt: app.lastSubmittedAt ? submitted : null,
              formalCheckedAt: app.formalCheckedAt ? at(final.closesAt.getTime() + 3 * DAY) : null,
            },
          );
        }
        const publicity = await manager
          .getRepository(PublicityEntity)
          .findOneBy({ scenarioId: scenario.id, kind: 'award', status: 'open' });
        if (publicity) {
          const length = publicity.endsAt.getTime() - publicity.startsAt.getTime();
          const startsAt =
            s.stage === 'awarded' ? at(final.closesAt.getTime() + 10 * DAY) : at(now.getTime() - 2 * DAY);
          const endsAt = at(startsAt.getTime() + length);
          await manager.getRepository(PublicityEntity).update({ id: publicity.id }, { startsAt, endsAt });
          details.publicity = {
            id: publicity.id,
            startsAt: startsAt.toISOString(),
            endsAt: endsAt.toISOString(),
          };
        }
      }
      await this.audit.record(manager, {
        action: 'demo.backdate',
        objectType: 'Scenario',
        objectId: scenario.id,
        actorId: null,
        actorOrgId: null,
        details,
      });
    });
  }
}
