import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, SelectQueryBuilder } from 'typeorm';
import { AuditService } from '@aihub/audit';
import {
  accessibleSql,
  Action,
  Actor,
  AppAbility,
  assertCanRead,
  asSubject,
  whereAccessible,
} from '@aihub/authz';
import { ForbiddenError } from '@aihub/core';
import { DatasetEntity } from '../entities/dataset.entity';

/** A dataset row as authorization sees it: the columns plus the per-caller scenario link. */
export type DatasetSubject = DatasetEntity & { linkedToVisibleScenario: boolean };

/**
 * Object-level and list authorization of datasets. The rules are in the one ability factory; this
 * service supplies the one fact they need that is not a column: whether a `conditional` dataset is
 * attached (scenarios.dataset_ids) to a scenario the caller may read — decided with the very Scenario
 * rules of the caller's ability, turned into SQL.
 */
@Injectable()
export class DatasetAccess {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** SQL (with params) that is true when the dataset `alias` is conditional and linked to a readable scenario. */
  linkedSql(ability: AppAbility, alias: string): { sql: string; params: Record<string, unknown> } {
    const scenarios = accessibleSql(ability, 'read', 'Scenario', 's');
    return {
      sql: `(${alias}.open_attribute = 'conditional' AND EXISTS (SELECT 1 FROM scenarios s WHERE ${alias}.id = ANY(s.dataset_ids) AND ${scenarios.sql}))`,
      params: scenarios.params,
    };
  }

  /** A query over the datasets the caller may read, as raw rows of alias `d` (snake_case columns). */
  readableQuery(
    ability: AppAbility,
    manager: EntityManager = this.dataSource.manager,
  ): SelectQueryBuilder<DatasetEntity> {
    const linked = this.linkedSql(ability, 'ds');
    const qb = manager
      .createQueryBuilder()
      .select('d.*')
      .from(
        (sub) =>
          sub.select('ds.*').addSelect(linked.sql, 'linked_to_visible_scenario').from(DatasetEntity, 'ds'),
        'd',
      )
      .setParameters(linked.params) as SelectQueryBuilder<DatasetEntity>;
    return whereAccessible(qb, ability, 'read', 'Dataset', 'd');
  }

  async withLink(
    ability: AppAbility,
    row: DatasetEntity,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DatasetSubject> {
    if (row.openAttribute !== 'conditional') return { ...row, linkedToVisibleScenario: false };
    const linked = this.linkedSql(ability, 'ds');
    const raw = await manager
      .createQueryBuilder()
      .select(linked.sql, 'linked')
      .from(DatasetEntity, 'ds')
      .where('ds.id = :datasetId', { datasetId: row.id })
      .setParameters(linked.params)
      .getRawOne<{ linked: boolean }>();
    return { ...row, linkedToVisibleScenario: raw?.linked === true };
  }

  /** 404 unless readable; 403 (audited) when readable but `action` is not allowed. */
  async authorize(
    actor: Actor,
    action: Action,
    row: DatasetEntity | null,
    id: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<DatasetEntity> {
    const subject = row ? await this.withLink(actor.ability, row, manager) : null;
    assertCanRead(actor.ability, 'Dataset', subject, id);
    if (action !== 'read' && !actor.ability.can(action, asSubject('Dataset', subject!))) {
      await this.audit.recordDetached({
        action: 'authz.denied',
        objectType: 'Dataset',
        objectId: id,
        outcome: 'denied',
        details: { reason: `${action} Dataset`, roles: actor.user?.roles ?? [] },
      });
      throw new ForbiddenError(`You are not allowed to ${action} this Dataset.`);
    }
    return row!;
  }
}
