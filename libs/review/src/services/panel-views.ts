import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { OrganizationEntity } from '@aihub/identity';
import type { OrganizationRefView } from '../dto/expert.dto';
import { MIN_RECOMMENDED_EXPERTS, type PanelView, type PanelWarningView } from '../dto/panel.dto';
import type { PanelEntity } from '../entities/panel.entity';
import type { PanelMemberEntity } from '../entities/panel-member.entity';
import type { PanelRecusalEntity } from '../entities/panel-recusal.entity';
import type { PanelSubjectEntity } from '../entities/panel-subject.entity';

export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** id → {id, name} of the given organizations (one query). */
export async function organizationRefs(
  manager: EntityManager,
  ids: Iterable<string>,
): Promise<Map<string, OrganizationEntity>> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = await manager.getRepository(OrganizationEntity).find({ where: { id: In(unique) } });
  return new Map(rows.map((o) => [o.id, o]));
}

export const orgRef = (orgs: Map<string, OrganizationEntity>, id: string): OrganizationRefView => ({
  id,
  name: orgs.get(id)?.name ?? '',
});

/** How many of the panel's experts are not recused from the subject. */
export function eligibleCount(
  subjectId: string,
  members: PanelMemberEntity[],
  recusals: PanelRecusalEntity[],
): number {
  const recused = new Set(recusals.filter((r) => r.subjectId === subjectId).map((r) => r.expertId));
  return members.filter((m) => !recused.has(m.expertId)).length;
}

export function fewExpertsWarning(subject: PanelSubjectEntity, eligible: number): PanelWarningView | null {
  if (eligible >= MIN_RECOMMENDED_EXPERTS) return null;
  return {
    code: 'FEW_ELIGIBLE_EXPERTS',
    subjectId: subject.id,
    subjectCode: subject.code,
    eligibleExperts: eligible,
    message: `Only ${eligible} expert(s) can score ${subject.code} after recusal; at least ${MIN_RECOMMENDED_EXPERTS} are recommended.`,
  };
}

export interface PanelParts {
  panel: PanelEntity;
  members: PanelMemberEntity[];
  subjects: PanelSubjectEntity[];
  recusals: PanelRecusalEntity[];
  orgs: Map<string, OrganizationEntity>;
}

/** The operator's (and issuer's) view: companies named, recusals and warnings listed. */
export function toPanelView({ panel, members, subjects, recusals, orgs }: PanelParts): PanelView {
  const warnings: PanelWarningView[] = [];
  const subjectViews = subjects.map((s) => {
    const eligible = eligibleCount(s.id, members, recusals);
    const warning = fewExpertsWarning(s, eligible);
    if (warning) warnings.push(warning);
    return {
      id: s.id,
      code: s.code,
      applicationId: s.applicationId,
      organization: orgRef(orgs, s.organizationIds[0]),
      consortium: s.organizationIds.slice(1).map((id) => orgRef(orgs, id)),
      submissionId: s.submissionId,
      recusedExpertIds: recusals.filter((r) => r.subjectId === s.id).map((r) => r.expertId),
      eligibleExperts: eligible,
    };
  });
  return {
    id: panel.id,
    scenarioId: panel.scenarioId,
    stage: panel.stage,
    blind: panel.blind,
    rubric: panel.rubric,
    aggregation: panel.aggregation,
    status: panel.status,
    round: panel.round,
    shortlistSize: panel.shortlistSize,
    expertIds: members.map((m) => m.expertId),
    subjects: subjectViews,
    warnings,
    createdAt: panel.createdAt.toISOString(),
    closedAt: iso(panel.closedAt),
  };
}
