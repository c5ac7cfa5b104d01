import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import {
  APP_CONFIG,
  AppConfig,
  Page,
  pageLimit,
  SerializedJson,
  ShortLivedCache,
  toPage,
  ValidationFailedError,
} from '@aihub/core';
import type {
  CreateScenarioDto,
  ScenarioListQueryDto,
  ScenarioView,
  UpdateScenarioDto,
} from '../dto/scenario.dto';
import { ScenarioEntity } from '../entities/scenario.entity';
import { scenarioRuleErrors } from '../lifecycle/scenario-rules';
import { scenarioMachine } from '../lifecycle/state-machine';
import { SANDBOX_DAYS_DEFAULT } from '../vocabularies';
import { LifecycleAccess } from './lifecycle-access.service';
import { decodeTimeCursor } from './paging';
import { organizationNames, toScenarioView } from './views';

/** `%`, `_` and `\` are wildcards/escape in LIKE patterns: match them literally. */
export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const EDITABLE = [
  'title',
  'summary',
  'description',
  'domain',
  'techField',
  'layer',
  'awardMode',
  'maxAwardees',
  'applicationOpensAt',
  'applicationClosesAt',
  'sandboxDays',
  'datasetIds',
] as const;

function assertRules(s: ScenarioEntity): void {
  const errors = scenarioRuleErrors(s);
  if (errors.length) throw new ValidationFailedError(errors);
}

/**
 * Scenarios (场景需求): drafting by the issuing organization, and the catalog. State changes other than
 * editing live in ScenarioTransitionsService.
 */
@Injectable()
export class ScenariosService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly cache: ShortLivedCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(actor: AuthenticatedActor, dto: CreateScenarioDto): Promise<ScenarioView> {
    const repo = this.dataSource.getRepository(ScenarioEntity);
    const draft = repo.create({
      title: dto.title.trim(),
      summary: dto.summary.trim(),
      description: dto.description,
      domain: dto.domain,
      techField: dto.techField,
      layer: dto.layer,
      awardMode: dto.awardMode,
      maxAwardees: dto.maxAwardees,
      applicationOpensAt: new Date(dto.applicationOpensAt),
      applicationClosesAt: new Date(dto.applicationClosesAt),
      sandboxDays: dto.sandboxDays ?? SANDBOX_DAYS_DEFAULT,
      datasetIds: [...new Set((dto.datasetIds ?? []).map((d) => d.toLowerCase()))],
      status: 'draft',
      issuerOrgId: actor.user.organizationId,
      createdBy: actor.user.id,
      batchId: null,
      returnReason: null,
      submittedAt: null,
      publishedAt: null,
      closedAt: null,
    });
    assertRules(draft);
    return this.dataSource.transaction(async (manager) => {
      const scenario = await manager.getRepository(ScenarioEntity).save(draft);
      await this.audit.record(manager, {
        action: 'scenario.create',
        objectType: 'Scenario',
        objectId: scenario.id,
        details: { title: scenario.title, domain: scenario.domain, techField: scenario.techField },
      });
      return toScenarioView(scenario, await organizationNames(manager, [scenario.issuerOrgId]));
    });
  }

  async update(actor: AuthenticatedActor, id: string, dto: UpdateScenarioDto): Promise<ScenarioView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(ScenarioEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const scenario = await this.access.authorize(actor, 'update', 'Scenario', row, id);
      scenarioMachine.nextState(scenario.status, 'update');
      const patch: Partial<ScenarioEntity> = {};
      for (const field of EDITABLE) {
        const value = dto[field];
        if (value === undefined) continue;
        if (field === 'applicationOpensAt' || field === 'applicationClosesAt')
          patch[field] = new Date(value as string);
        else if (field === 'title' || field === 'summary') patch[field] = (value as string).trim();
        else if (field === 'datasetIds')
          patch.datasetIds = [...new Set((value as string[]).map((d) => d.toLowerCase()))];
        else Object.assign(patch, { [field]: value });
      }
      const next = { ...scenario, ...patch };
      assertRules(next);
      if (Object.keys(patch).length) await manager.getRepository(ScenarioEntity).update({ id }, patch);
      await this.audit.record(manager, {
        action: 'scenario.update',
        objectType: 'Scenario',
        objectId: id,
        details: { fields: Object.keys(patch) },
      });
      const saved = await manager.getRepository(ScenarioEntity).findOneByOrFail({ id });
      return toScenarioView(saved, await organizationNames(manager, [saved.issuerOrgId]));
    });
  }

  /**
   * The catalog. Anonymous callers and other organizations see published and later scenarios; the
   * issuer's gov users also their drafts; operators everything (the ability's rules, as SQL).
   * `q` is a case-insensitive substring of title or summary, served by the pg_trgm GIN indexes for
   * three characters or more; shorter queries give the same answers by a scan of the filtered rows.
   * Newest first, keyset on (created_at, id).
   */
  list(actor: Actor, query: ScenarioListQueryDto): Promise<Page<ScenarioView> | SerializedJson> {
    // every anonymous caller sees the same rows: their pages are shared for CATALOG_CACHE_SECONDS, and
    // served in the serialized form they are cached in (the hottest route of the platform)
    if (!actor.user) {
      // the canonical query itself is the key (bounded by the DTO's limits): no hashing per request
      const key = JSON.stringify(query, Object.keys(query).sort());
      return this.cache.getSerialized(
        ['catalog', 'v2', key],
        this.config.catalog.cacheSeconds,
        () => this.query(actor, query),
        { memoryFirst: true },
      );
    }
    return this.query(actor, query);
  }

  private async query(actor: Actor, query: ScenarioListQueryDto): Promise<Page<ScenarioView>> {
    const limit = pageLimit(query);
    const after = decodeTimeCursor(query.cursor);
    const qb = this.dataSource.getRepository(ScenarioEntity).createQueryBuilder('s');
    whereAccessible(qb, actor.ability, 'read', 'Scenario');
    if (query.batchId) qb.andWhere('s.batch_id = :batchId', { batchId: query.batchId });
    if (query.domain) qb.andWhere('s.domain = :domain', { domain: query.domain });
    if (query.techField) qb.andWhere('s.tech_field = :techField', { techField: query.techField });
    if (query.status) qb.andWhere('s.status = :status', { status: query.status });
    const q = query.q?.trim();
    if (q) {
      const pattern = `%${escapeLike(q)}%`;
      qb.andWhere(
        new Brackets((w) =>
          w.where('s.title ILIKE :pattern', { pattern }).orWhere('s.summary ILIKE :pattern', { pattern }),
        ),
      );
    }
    if (after)
      qb.andWhere('(s.created_at, s.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const rows = await qb
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .take(limit + 1)
      .getMany();
    const names = await organizationNames(
      this.dataSource.manager,
      rows.map((s) => s.issuerOrgId),
    );
    return toPage(
      rows,
      limit,
      (s) => ({ key: s.createdAt.toISOString(), id: s.id }),
      (s) => toScenarioView(s, names),
    );
  }

  async get(actor: Actor, id: string): Promise<ScenarioView> {
    const row = await this.dataSource.getRepository(ScenarioEntity).findOne({ where: { id } });
    const scenario = await this.access.authorize(actor, 'read', 'Scenario', row, id);
    return toScenarioView(scenario, await organizationNames(this.dataSource.manager, [scenario.issuerOrgId]));
  }
}
