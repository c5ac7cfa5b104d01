import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AbilityFactory, AuthenticatedActor, AuthUser } from '@aihub/authz';
import { runWithRequestContext } from '@aihub/core';
import { UserEntity } from '@aihub/identity';
import { DatasetEntity } from '../entities/dataset.entity';
import { DatasetVersionsService } from '../services/dataset-versions.service';
import { DatasetsService } from '../services/datasets.service';
import { DEMO_DATASETS } from './demo-datasets';

export const DEMO_STEWARD_EMAIL = 'steward@demo.aihub';
const SEED_LOCK = `SELECT pg_advisory_lock(hashtext('aihub.demo.datasets'))`;
const SEED_UNLOCK = `SELECT pg_advisory_unlock(hashtext('aihub.demo.datasets'))`;

/**
 * Demo datasets (DEMO=true only): registered and uploaded through the real services as the demo data
 * steward, so the schema check, storage, audit events and counters are the real ones. Converges: a
 * dataset that exists is not registered again, one with a version gets no new upload; an interrupted
 * run is completed by the next. The hotline dataset is attached to the demo scenario about it.
 */
@Injectable()
export class DatasetsDemoSeedService {
  private readonly logger = new Logger(DatasetsDemoSeedService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly abilities: AbilityFactory,
    private readonly audit: AuditService,
    private readonly datasets: DatasetsService,
    private readonly versions: DatasetVersionsService,
  ) {}

  async run(): Promise<{ datasets: number; versions: number } | null> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { email: DEMO_STEWARD_EMAIL }, relations: { organization: true } });
    if (!user?.organization) {
      this.logger.warn(`demo datasets skipped: ${DEMO_STEWARD_EMAIL} does not exist`);
      return null;
    }
    const authUser: AuthUser = {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      organizationId: user.organizationId,
      organizationType: user.organization.type,
      roles: user.roles,
    };
    const actor: AuthenticatedActor = { user: authUser, ability: this.abilities.createFor(authUser) };
    const created = { datasets: 0, versions: 0 };
    const runner = await this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(SEED_LOCK);
      for (const demo of DEMO_DATASETS) {
        await this.as(actor, async () => {
          let dataset = await this.dataSource
            .getRepository(DatasetEntity)
            .findOne({ where: { organizationId: user.organizationId, name: demo.name } });
          if (!dataset) {
            const view = await this.datasets.create(actor, {
              name: demo.name,
              description: demo.description,
              grade: demo.grade,
              openAttribute: demo.openAttribute,
              fields: demo.fields,
            });
            dataset = await this.dataSource.getRepository(DatasetEntity).findOneByOrFail({ id: view.id });
            created.datasets++;
          }
          if (dataset.latestVersion === 0) {
            await this.versions.addVersion(
              actor,
              dataset.id,
              demo.fileName,
              Readable.from(demo.generate(demo.rows)),
            );
            created.versions++;
          }
          if (demo.scenarioTitle) await this.attach(dataset.id, demo.scenarioTitle);
        });
      }
    } finally {
      await runner.query(SEED_UNLOCK).catch(() => undefined);
      await runner.release();
    }
    if (created.datasets || created.versions) this.logger.log(`demo datasets: ${JSON.stringify(created)}`);
    return created;
  }

  /** Adds the dataset to the demo scenario's datasetIds (once), audited like any scenario change. */
  private async attach(datasetId: string, title: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows = await manager.query(
        `UPDATE scenarios SET dataset_ids = array_append(dataset_ids, $1::uuid), updated_at = now()
          WHERE title = $2 AND NOT ($1::uuid = ANY(dataset_ids)) RETURNING id`,
        [datasetId, title],
      );
      const updated = (Array.isArray(rows[0]) ? rows[0] : rows) as { id: string }[];
      for (const s of updated)
        await this.audit.record(manager, {
          action: 'scenario.update',
          objectType: 'Scenario',
          objectId: s.id,
          details: { fields: ['datasetIds'], addedDatasetId: datasetId, by: 'demo seed' },
        });
    });
  }

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
