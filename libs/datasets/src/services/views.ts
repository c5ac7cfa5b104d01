import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { OrganizationEntity } from '@aihub/identity';
import type { DatasetDetailView, DatasetVersionView, DatasetView } from '../dto/dataset.dto';
import type { DatasetVersionEntity } from '../entities/dataset-version.entity';
import type { DatasetEntity } from '../entities/dataset.entity';

export async function organizationNames(manager: EntityManager, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await manager
    .getRepository(OrganizationEntity)
    .find({ where: { id: In(unique) }, select: { id: true, name: true } });
  return new Map(rows.map((o) => [o.id, o.name]));
}

export function toDatasetView(d: DatasetEntity, names: Map<string, string>): DatasetView {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    grade: d.grade,
    openAttribute: d.openAttribute,
    fields: d.fields.map((f) => ({
      name: f.name,
      type: f.type,
      identifier: f.identifier,
      masking: f.masking,
      ...(f.params && Object.keys(f.params).length ? { params: { ...f.params } } : {}),
    })),
    organizationId: d.organizationId,
    organization: { id: d.organizationId, name: names.get(d.organizationId) ?? '' },
    latestVersion: d.latestVersion,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export const toVersionView = (v: DatasetVersionEntity): DatasetVersionView => ({
  id: v.id,
  version: v.version,
  sha256: v.sha256,
  sizeBytes: v.sizeBytes,
  rowCount: v.rowCount,
  kind: v.kind,
  archiveFormat: v.archiveFormat,
  columns: v.columns,
  fileName: v.fileName,
  status: v.status,
  createdAt: v.createdAt.toISOString(),
});

export const toDetailView = (
  d: DatasetEntity,
  names: Map<string, string>,
  versions: DatasetVersionEntity[],
): DatasetDetailView => ({ ...toDatasetView(d, names), versions: versions.map(toVersionView) });
