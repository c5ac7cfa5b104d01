import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor } from '@aihub/authz';
import { decodeCursor, FieldError, Page, pageLimit, toPage, ValidationFailedError } from '@aihub/core';
import { DatasetNameTakenError } from '../datasets.errors';
import type {
  CreateDatasetDto,
  DatasetDetailView,
  DatasetListQueryDto,
  DatasetView,
} from '../dto/dataset.dto';
import { DatasetVersionEntity } from '../entities/dataset-version.entity';
import { DatasetEntity } from '../entities/dataset.entity';
import type { DatasetField } from '../schema/dataset-schema';
import { DatasetAccess } from './dataset-access.service';
import { organizationNames, toDatasetView, toDetailView } from './views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Rules the DTO cannot express: unique column names, parameters that belong to the chosen rule. */
export function fieldErrors(fields: readonly DatasetField[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (seen.has(f.name))
      errors.push({ field: `fields[${i}].name`, message: `"${f.name}" is declared twice` });
    seen.add(f.name);
    const p = f.params ?? {};
    if ((p.bandWidth !== undefined || p.datePrecision !== undefined) && f.masking !== 'generalize')
      errors.push({
        field: `fields[${i}].params`,
        message: 'bandWidth and datePrecision apply to masking "generalize"',
      });
    if (p.keepChars !== undefined && f.masking !== 'truncate')
      errors.push({ field: `fields[${i}].params`, message: 'keepChars applies to masking "truncate"' });
    if (f.identifier === 'direct' && f.masking === 'none')
      errors.push({
        field: `fields[${i}].masking`,
        message: `"${f.name}" is a direct identifier: choose drop, hash, generalize or truncate for the masked view`,
      });
  });
  return errors;
}

/** Maps a raw row of DatasetAccess.readableQuery (snake_case) to the entity shape. */
function fromRaw(r: Record<string, unknown>): DatasetEntity {
  return Object.assign(new DatasetEntity(), {
    id: r.id as string,
    name: r.name as string,
    description: r.description as string,
    grade: r.grade as DatasetEntity['grade'],
    openAttribute: r.open_attribute as DatasetEntity['openAttribute'],
    fields: r.fields as DatasetField[],
    organizationId: r.organization_id as string,
    createdBy: (r.created_by as string | null) ?? null,
    latestVersion: Number(r.latest_version),
    createdAt: new Date(r.created_at as string | Date),
    updatedAt: new Date(r.updated_at as string | Date),
  });
}

/** The dataset registry: registration by a data steward, the metadata catalog (never contents). */
@Injectable()
export class DatasetsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: DatasetAccess,
  ) {}

  async create(actor: AuthenticatedActor, dto: CreateDatasetDto): Promise<DatasetView> {
    const fields: DatasetField[] = dto.fields.map((f) => ({
      name: f.name,
      type: f.type,
      identifier: f.identifier,
      masking: f.masking,
      ...(f.params ? { params: JSON.parse(JSON.stringify(f.params)) as DatasetField['params'] } : {}),
    }));
    const errors = fieldErrors(fields);
    if (errors.length) throw new ValidationFailedError(errors);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const repo = manager.getRepository(DatasetEntity);
        const dataset = await repo.save(
          repo.create({
            name: dto.name,
            description: (dto.description ?? '').trim(),
            grade: dto.grade,
            openAttribute: dto.openAttribute,
            fields,
            organizationId: actor.user.organizationId,
            createdBy: actor.user.id,
            latestVersion: 0,
          }),
        );
        await this.audit.record(manager, {
          action: 'dataset.create',
          objectType: 'Dataset',
          objectId: dataset.id,
          details: {
            name: dataset.name,
            grade: dataset.grade,
            openAttribute: dataset.openAttribute,
            fields: fields.map((f) => ({ name: f.name, identifier: f.identifier, masking: f.masking })),
          },
        });
        return toDatasetView(dataset, await organizationNames(manager, [dataset.organizationId]));
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err as { code?: string }).code === '23505')
        throw new DatasetNameTakenError(dto.name);
      throw err;
    }
  }

  /** Newest first, keyset on (created_at, id); only what the caller may read (docs/datasets.md). */
  async list(actor: Actor, query: DatasetListQueryDto): Promise<Page<DatasetView>> {
    const limit = pageLimit(query);
    const after = decodeCursor(query.cursor);
    if (after && (Number.isNaN(Date.parse(after.key)) || !UUID.test(after.id)))
      throw new ValidationFailedError([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
    const qb = this.access.readableQuery(actor.ability);
    if (query.organizationId) qb.andWhere('d.organization_id = :orgId', { orgId: query.organizationId });
    if (query.grade) qb.andWhere('d.grade = :grade', { grade: query.grade });
    if (query.openAttribute)
      qb.andWhere('d.open_attribute = :openAttribute', { openAttribute: query.openAttribute });
    if (after)
      qb.andWhere('(d.created_at, d.id) < (:key::timestamptz, :id::uuid)', { key: after.key, id: after.id });
    const raw = await qb
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .limit(limit + 1)
      .getRawMany<Record<string, unknown>>();
    const rows = raw.map(fromRaw);
    const names = await organizationNames(
      this.dataSource.manager,
      rows.map((d) => d.organizationId),
    );
    return toPage(
      rows,
      limit,
      (d) => ({ key: d.createdAt.toISOString(), id: d.id }),
      (d) => toDatasetView(d, names),
    );
  }

  async get(actor: Actor, id: string): Promise<DatasetDetailView> {
    const row = await this.dataSource.getRepository(DatasetEntity).findOne({ where: { id } });
    const dataset = await this.access.authorize(actor, 'read', row, id);
    const versions = await this.dataSource
      .getRepository(DatasetVersionEntity)
      .find({ where: { datasetId: id }, order: { version: 'ASC' } });
    return toDetailView(
      dataset,
      await organizationNames(this.dataSource.manager, [dataset.organizationId]),
      versions,
    );
  }
}
