import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { OrganizationEntity } from '@aihub/identity';
import type { ApplicationView, AttachmentView } from '../dto/application.dto';
import type { BatchView } from '../dto/batch.dto';
import type { ObjectionView, PublicityView } from '../dto/publicity.dto';
import type { ScenarioView } from '../dto/scenario.dto';
import type { ApplicationAttachmentEntity } from '../entities/application-attachment.entity';
import type { ApplicationEntity } from '../entities/application.entity';
import type { BatchEntity } from '../entities/batch.entity';
import type { ObjectionEntity } from '../entities/objection.entity';
import type { PublicityEntity } from '../entities/publicity.entity';
import type { ScenarioEntity } from '../entities/scenario.entity';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** id → name of the given organizations (one query). */
export async function organizationNames(
  manager: EntityManager,
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await manager
    .getRepository(OrganizationEntity)
    .find({ select: { id: true, name: true }, where: { id: In(unique) } });
  return new Map(rows.map((o) => [o.id, o.name]));
}

export const toBatchView = (b: BatchEntity): BatchView => ({
  id: b.id,
  number: b.number,
  title: b.title,
  status: b.status,
  publishedAt: iso(b.publishedAt),
  createdAt: b.createdAt.toISOString(),
});

export const toScenarioView = (s: ScenarioEntity, names: Map<string, string>): ScenarioView => ({
  id: s.id,
  title: s.title,
  summary: s.summary,
  description: s.description,
  domain: s.domain,
  techField: s.techField,
  layer: s.layer,
  awardMode: s.awardMode,
  maxAwardees: s.maxAwardees,
  applicationOpensAt: s.applicationOpensAt.toISOString(),
  applicationClosesAt: s.applicationClosesAt.toISOString(),
  sandboxDays: s.sandboxDays,
  datasetIds: s.datasetIds,
  status: s.status,
  batchId: s.batchId,
  issuerOrgId: s.issuerOrgId,
  issuerOrgName: names.get(s.issuerOrgId) ?? null,
  returnReason: s.returnReason,
  submittedAt: iso(s.submittedAt),
  publishedAt: iso(s.publishedAt),
  closedAt: iso(s.closedAt),
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export const applicationOrgIds = (apps: ApplicationEntity[]): string[] =>
  apps.flatMap((a) => [a.applicantOrgId, ...a.consortiumOrgIds]);

export const toApplicationView = (a: ApplicationEntity, names: Map<string, string>): ApplicationView => ({
  id: a.id,
  scenarioId: a.scenarioId,
  organizationId: a.applicantOrgId,
  organizationName: names.get(a.applicantOrgId) ?? null,
  proposal: a.proposal,
  consortium: a.consortiumOrgIds.map((id) => ({
    organizationId: id,
    organizationName: names.get(id) ?? null,
  })),
  status: a.status,
  formalCheck:
    a.formalCheckDecision && a.formalCheckedAt
      ? {
          decision: a.formalCheckDecision,
          reason: a.formalCheckReason,
          checkedAt: a.formalCheckedAt.toISOString(),
        }
      : null,
  submittedAt: iso(a.submittedAt),
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
});

export const toAttachmentView = (a: ApplicationAttachmentEntity): AttachmentView => ({
  id: a.id,
  applicationId: a.applicationId,
  fileName: a.fileName,
  kind: a.kind,
  contentType: a.contentType,
  sizeBytes: a.sizeBytes,
  sha256: a.sha256,
  createdAt: a.createdAt.toISOString(),
});

export interface ObjectorInfo {
  displayName: string;
  organizationName: string | null;
}

/** `objector` only when the caller may see who objected (operators). */
export function toObjectionView(o: ObjectionEntity, objector?: ObjectorInfo): ObjectionView {
  const view: ObjectionView = { id: o.id, reason: o.reason, status: o.status, resolution: o.resolution };
  if (objector) {
    view.objector = {
      userId: o.objectorId,
      displayName: objector.displayName,
      organizationId: o.objectorOrgId,
      organizationName: objector.organizationName,
    };
  }
  return view;
}

export const toPublicityView = (p: PublicityEntity, objections: ObjectionView[]): PublicityView => ({
  id: p.id,
  scenarioId: p.scenarioId,
  kind: p.kind,
  status: p.status,
  startsAt: p.startsAt.toISOString(),
  endsAt: p.endsAt.toISOString(),
  subjects: p.subjects.map((s) => ({ ...s })),
  objections,
});
