import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { APP_CONFIG, AppConfig, Clock, Page, pageLimit, toPage } from '@aihub/core';
import { OrganizationEntity, UserEntity } from '@aihub/identity';
import { claimOnce } from '@aihub/queue';
import type {
  FileObjectionDto,
  ObjectionView,
  PublicityListQueryDto,
  PublicityView,
  ResolveObjectionDto,
} from '../dto/publicity.dto';
import { ObjectionEntity } from '../entities/objection.entity';
import { PublicityCloseJob } from '../jobs/publicity-close.job';
import { PublicityEntity, PublicitySubject } from '../entities/publicity.entity';
import { ScenarioEntity } from '../entities/scenario.entity';
import { ObjectionResolvedError, PublicityClosedError } from '../scenarios.errors';
import type { PublicityKind, PublicityOutcome } from '../vocabularies';
import { LifecycleAccess } from './lifecycle-access.service';
import { LifecycleNotifier } from './lifecycle-notifier.service';
import { LifecycleScheduler } from './lifecycle-scheduler.service';
import { decodeTimeCursor } from './paging';
import { ObjectorInfo, toObjectionView, toPublicityView } from './views';

const DAY_MS = 24 * 3600 * 1000;

/**
 * What the owner of a publicity kind does when one closes, inside the closing transaction
 * (`publicity.outcome` is `passed` or `failed`). The award flow registers `award`; the evaluation
 * issue registers `results`.
 */
export type PublicityCompletion = (manager: EntityManager, publicity: PublicityEntity) => Promise<void>;

export interface OpenPublicityInput {
  scenarioId: string;
  kind: PublicityKind;
  subjects: PublicitySubject[];
  /** defaults to PUBLICITY_DAYS */
  durationMs?: number;
  /** organizations told that it opened and closed, besides the scenario's issuer */
  notifyOrganizationIds?: string[];
}

export type PublicityCloseResult =
  | { closed: true; outcome: 'passed' | 'failed' }
  | { closed: false; reason: 'not_open' | 'not_due' | 'objections_pending'; dueAt?: Date };

/**
 * Publicities (公示) of any kind, their real-name objections and their closing. A publicity closes when
 * `endsAt` has passed and no objection is pending: `passed` if none was upheld, else `failed`; the
 * kind's completion then runs in the same transaction.
 */
@Injectable()
export class PublicitiesService {
  private readonly logger = new Logger(PublicitiesService.name);
  private readonly completions = new Map<PublicityKind, PublicityCompletion>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly clock: Clock,
    private readonly scheduler: LifecycleScheduler,
    private readonly notifier: LifecycleNotifier,
  ) {}

  registerCompletion(kind: PublicityKind, completion: PublicityCompletion): void {
    if (this.completions.has(kind))
      throw new Error(`a completion for ${kind} publicities is already registered`);
    this.completions.set(kind, completion);
  }

  /** Opens a publicity now, in the caller's transaction, and schedules its close at `endsAt`. */
  async open(manager: EntityManager, input: OpenPublicityInput): Promise<PublicityEntity> {
    const startsAt = this.clock.now();
    const endsAt = new Date(
      startsAt.getTime() + (input.durationMs ?? this.config.lifecycle.publicityDays * DAY_MS),
    );
    const repo = manager.getRepository(PublicityEntity);
    const publicity = await repo.save(
      repo.create({
        scenarioId: input.scenarioId,
        kind: input.kind,
        status: 'open',
        outcome: null,
        subjects: input.subjects,
        startsAt,
        endsAt,
        closedAt: null,
        createdBy: null,
      }),
    );
    await this.audit.record(manager, {
      action: 'publicity.open',
      objectType: 'Publicity',
      objectId: publicity.id,
      details: {
        scenarioId: input.scenarioId,
        kind: input.kind,
        endsAt: endsAt.toISOString(),
        subjects: input.subjects.map((s) => s.objectId),
      },
    });
    await this.scheduler.publicityClose(manager, publicity.id, endsAt);
    const scenario = await manager.getRepository(ScenarioEntity).findOneByOrFail({ id: input.scenarioId });
    await this.notifier.publicity(manager, publicity, scenario, input.notifyOrganizationIds ?? [], 'opened');
    return publicity;
  }

  async list(actor: Actor, query: PublicityListQueryDto): Promise<Page<PublicityView>> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource.getRepository(PublicityEntity).createQueryBuilder('p');
    whereAccessible(qb, actor.ability, 'read', 'Publicity');
    if (query.scenarioId) qb.andWhere('p.scenario_id = :scenarioId', { scenarioId: query.scenarioId });
    if (query.kind) qb.andWhere('p.kind = :kind', { kind: query.kind });
    if (query.status) qb.andWhere('p.status = :status', { status: query.status });
    if (after)
      qb.andWhere('(p.starts_at, p.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('p.starts_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const views = await this.views(actor, rows);
    return toPage(
      rows,
      limit,
      (p) => ({ key: p.startsAt.toISOString(), id: p.id }),
      (p) => views.get(p.id)!,
    );
  }

  async get(actor: Actor, id: string): Promise<PublicityView> {
    const row = await this.dataSource.getRepository(PublicityEntity).findOne({ where: { id } });
    const publicity = await this.access.authorize(actor, 'read', 'Publicity', row, id);
    return (await this.views(actor, [publicity])).get(id)!;
  }

  /** Any logged-in user, while the publicity is open and before `endsAt`; the objector is recorded. */
  async fileObjection(
    actor: AuthenticatedActor,
    publicityId: string,
    dto: FileObjectionDto,
  ): Promise<ObjectionView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(PublicityEntity)
        .findOne({ where: { id: publicityId }, lock: { mode: 'pessimistic_write' } });
      const publicity = await this.access.authorize(actor, 'read', 'Publicity', row, publicityId);
      if (publicity.status !== 'open' || this.clock.now().getTime() >= publicity.endsAt.getTime())
        throw new PublicityClosedError();
      const repo = manager.getRepository(ObjectionEntity);
      const objection = await repo.save(
        repo.create({
          publicityId,
          objectorId: actor.user.id,
          objectorOrgId: actor.user.organizationId,
          reason: dto.reason.trim(),
          status: 'pending',
          resolution: null,
          resolvedBy: null,
          resolvedAt: null,
        }),
      );
      await this.audit.record(manager, {
        action: 'objection.file',
        objectType: 'Objection',
        objectId: objection.id,
        details: { publicityId, scenarioId: publicity.scenarioId },
      });
      await this.notifier.objectionFiled(manager, publicity, objection.id);
      return this.objectionView(manager, actor, objection);
    });
  }

  /** Operator: upheld or dismissed, with a resolution; closes the publicity if it is due. */
  async resolveObjection(
    actor: AuthenticatedActor,
    objectionId: string,
    dto: ResolveObjectionDto,
  ): Promise<ObjectionView> {
    const { view, publicityId } = await this.dataSource.transaction(async (manager) => {
      const peek = await manager.getRepository(ObjectionEntity).findOne({ where: { id: objectionId } });
      await this.access.authorize(actor, 'review', 'Objection', peek, objectionId);
      // publicity before objection: the order the close takes
      await manager
        .getRepository(PublicityEntity)
        .findOne({ where: { id: peek!.publicityId }, lock: { mode: 'pessimistic_write' } });
      const objection = await manager
        .getRepository(ObjectionEntity)
        .findOneOrFail({ where: { id: objectionId }, lock: { mode: 'pessimistic_write' } });
      if (objection.status !== 'pending') throw new ObjectionResolvedError(objection.status);
      const status = dto.upheld ? 'upheld' : 'dismissed';
      const patch = {
        status,
        resolution: dto.resolution.trim(),
        resolvedBy: actor.user.id,
        resolvedAt: this.clock.now(),
      } as const;
      await manager.getRepository(ObjectionEntity).update({ id: objectionId }, patch);
      await this.audit.record(manager, {
        action: 'objection.resolve',
        objectType: 'Objection',
        objectId: objectionId,
        details: { publicityId: objection.publicityId, upheld: dto.upheld, resolution: patch.resolution },
      });
      await this.notifier.objectionResolved(manager, objection.objectorId, objectionId, dto.upheld);
      return {
        view: await this.objectionView(manager, actor, { ...objection, ...patch }),
        publicityId: objection.publicityId,
      };
    });
    // the last pending objection of an expired publicity: close it now rather than at the next sweep
    await this.closeIfDue(publicityId).catch((err: unknown) =>
      this.logger.error({ err, publicityId }, 'could not close the publicity after resolving an objection'),
    );
    return view;
  }

  /** Closes the publicity if it is open, past `endsAt` and has no pending objection. Idempotent. */
  async closeIfDue(id: string, now = this.clock.now()): Promise<PublicityCloseResult> {
    return this.dataSource.transaction(async (manager) => {
      const publicity = await manager
        .getRepository(PublicityEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!publicity || publicity.status !== 'open') return { closed: false, reason: 'not_open' };
      if (publicity.endsAt.getTime() > now.getTime())
        return { closed: false, reason: 'not_due', dueAt: publicity.endsAt };
      const objections = await manager.getRepository(ObjectionEntity).find({ where: { publicityId: id } });
      if (objections.some((o) => o.status === 'pending'))
        return { closed: false, reason: 'objections_pending' };
      // the exactly-once guard of the close (timer job, sweep and objection resolution may all try)
      if (!(await claimOnce(manager, `${PublicityCloseJob.name}:${id}`)))
        return { closed: false, reason: 'not_open' };
      const outcome: PublicityOutcome = objections.some((o) => o.status === 'upheld') ? 'failed' : 'passed';
      await manager
        .getRepository(PublicityEntity)
        .update({ id }, { status: 'closed', outcome, closedAt: now });
      const closed = { ...publicity, status: 'closed' as const, outcome, closedAt: now };
      await this.audit.record(manager, {
        action: 'publicity.close',
        objectType: 'Publicity',
        objectId: id,
        actorId: null,
        actorOrgId: null,
        details: {
          scenarioId: publicity.scenarioId,
          kind: publicity.kind,
          outcome,
          upheldObjections: objections.filter((o) => o.status === 'upheld').map((o) => o.id),
        },
      });
      const completion = this.completions.get(publicity.kind);
      if (completion) await completion(manager, closed);
      else
        this.logger.warn({ publicityId: id, kind: publicity.kind }, 'no completion registered for this kind');
      return { closed: true, outcome };
    });
  }

  /** Timer sweep (and tests, after moving the Clock): closes every due publicity. Returns the closed ids. */
  async closeDuePublicities(now = this.clock.now()): Promise<string[]> {
    const due: { id: string }[] = await this.dataSource.query(
      `SELECT p.id FROM publicities p
        WHERE p.status = 'open' AND p.ends_at <= $1
          AND NOT EXISTS (SELECT 1 FROM objections o WHERE o.publicity_id = p.id AND o.status = 'pending')
        ORDER BY p.ends_at LIMIT 1000`,
      [now],
    );
    const closed: string[] = [];
    for (const { id } of due) {
      try {
        if ((await this.closeIfDue(id, now)).closed) closed.push(id);
      } catch (err) {
        this.logger.error({ err, publicityId: id }, 'could not close publicity');
      }
    }
    return closed;
  }

  private async objectionView(
    manager: EntityManager,
    actor: Actor,
    o: ObjectionEntity,
  ): Promise<ObjectionView> {
    if (!actor.ability.can('read', 'Objection')) return toObjectionView(o);
    const info = await this.objectors(manager, [o]);
    return toObjectionView(o, info.get(o.id));
  }

  private async objectors(
    manager: EntityManager,
    objections: ObjectionEntity[],
  ): Promise<Map<string, ObjectorInfo>> {
    if (!objections.length) return new Map();
    const users = await manager.getRepository(UserEntity).find({
      select: { id: true, displayName: true },
      where: { id: In([...new Set(objections.map((o) => o.objectorId))]) },
    });
    const orgs = await manager.getRepository(OrganizationEntity).find({
      select: { id: true, name: true },
      where: { id: In([...new Set(objections.map((o) => o.objectorOrgId))]) },
    });
    const userName = new Map(users.map((u) => [u.id, u.displayName]));
    const orgName = new Map(orgs.map((o) => [o.id, o.name]));
    return new Map(
      objections.map((o) => [
        o.id,
        {
          displayName: userName.get(o.objectorId) ?? '',
          organizationName: orgName.get(o.objectorOrgId) ?? null,
        },
      ]),
    );
  }

  /** Views with objections; the objector's identity only for callers who may read objections (operators). */
  private async views(actor: Actor, publicities: PublicityEntity[]): Promise<Map<string, PublicityView>> {
    const manager = this.dataSource.manager;
    const objections = publicities.length
      ? await manager.getRepository(ObjectionEntity).find({
          where: { publicityId: In(publicities.map((p) => p.id)) },
          order: { createdAt: 'ASC', id: 'ASC' },
        })
      : [];
    const identify = actor.ability.can('read', 'Objection');
    const objectors = identify ? await this.objectors(manager, objections) : new Map<string, ObjectorInfo>();
    return new Map(
      publicities.map((p) => [
        p.id,
        toPublicityView(
          p,
          objections
            .filter((o) => o.publicityId === p.id)
            .map((o) => toObjectionView(o, identify ? objectors.get(o.id) : undefined)),
        ),
      ]),
    );
  }
}
