import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, assertCanRead, asSubject } from '@aihub/authz';
import { APP_CONFIG, AppConfig, NotFoundError } from '@aihub/core';
import { ApplicationAttachmentEntity, ApplicationEntity } from '@aihub/scenarios';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import type {
  AssignmentsView,
  AssignmentView,
  RecusalView,
  SubjectAttachmentView,
  SubjectDetailView,
} from '../dto/assignment.dto';
import { MIN_RECOMMENDED_EXPERTS, type DeclareConflictDto } from '../dto/panel.dto';
import { PanelMemberEntity } from '../entities/panel-member.entity';
import { PanelRecusalEntity } from '../entities/panel-recusal.entity';
import { PanelScoreEntity } from '../entities/panel-score.entity';
import type { PanelSubjectEntity } from '../entities/panel-subject.entity';
import { AlreadyRecusedError, PanelClosedError } from '../review.errors';
import { nameVariants, redactTerms } from './blind';
import { eligibleCount, orgRef, PanelParts } from './panel-views';
import { PanelsService } from './panels.service';
import { ResultMetricsReader } from './result-metrics.service';

export interface Seat {
  parts: PanelParts;
  member: PanelMemberEntity;
}

/**
 * What experts see and do besides scoring: their assignments, a subject's proposal and attachments
 * (blind panels: codes instead of companies), attachment download, and declaring a conflict (回避).
 * A recused expert gets 404 for the subject, exactly as for a subject of another panel.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly audit: AuditService,
    private readonly panels: PanelsService,
    private readonly metrics: ResultMetricsReader,
  ) {}

  /** Experts: their own seat; operators and auditors: every seat. Others' panels are 404. */
  async assignments(actor: AuthenticatedActor, panelId: string): Promise<AssignmentsView> {
    const manager = this.dataSource.manager;
    const members = await manager.getRepository(PanelMemberEntity).find({ where: { panelId } });
    const visible = members.filter((m) => actor.ability.can('read', asSubject('PanelAssignment', m)));
    if (!visible.length) throw new NotFoundError('Panel', panelId);
    const parts = await this.panels.parts(manager, panelId);
    const scores = await manager
      .getRepository(PanelScoreEntity)
      .find({ where: { panelId, round: parts.panel.round } });
    const items: AssignmentView[] = [];
    for (const member of parts.members.filter((m) => visible.some((v) => v.id === m.id))) {
      for (const s of parts.subjects) {
        const recusal = parts.recusals.find((r) => r.subjectId === s.id && r.expertId === member.expertId);
        const score = recusal
          ? undefined
          : scores.find((x) => x.subjectId === s.id && x.expertId === member.expertId);
        const eligible = eligibleCount(s.id, parts.members, parts.recusals);
        items.push({
          subjectId: s.id,
          code: s.code,
          expertId: member.expertId,
          recused: !!recusal,
          recusalKind: recusal?.kind ?? null,
          scored: !!score,
          scores: score?.scores ?? null,
          comment: score?.comment ?? null,
          total: score ? score.total : null,
          eligibleExperts: eligible,
          fewEligibleExperts: eligible < MIN_RECOMMENDED_EXPERTS,
          ...(parts.panel.blind ? {} : { organization: orgRef(parts.orgs, s.organizationIds[0]) }),
        });
      }
    }
    return {
      panelId,
      stage: parts.panel.stage,
      blind: parts.panel.blind,
      status: parts.panel.status,
      round: parts.panel.round,
      rubric: parts.panel.rubric,
      commentThreshold: this.config.review.commentThreshold,
      items,
    };
  }

  async subject(actor: AuthenticatedActor, panelId: string, subjectId: string): Promise<SubjectDetailView> {
    const manager = this.dataSource.manager;
    const { parts, subject } = await this.seatFor(manager, actor, panelId, subjectId);
    const app = await manager.getRepository(ApplicationEntity).findOneByOrFail({ id: subject.applicationId });
    const attachments = await manager
      .getRepository(ApplicationAttachmentEntity)
      .find({ where: { applicationId: app.id }, order: { createdAt: 'ASC', id: 'ASC' } });
    const blind = parts.panel.blind;
    const view: SubjectDetailView = {
      subjectId: subject.id,
      code: subject.code,
      stage: parts.panel.stage,
      proposal: blind ? this.redact(parts, subject, app.proposal) : app.proposal,
      consortiumSize: subject.organizationIds.length - 1,
      attachments: attachments.map((a, i) => this.attachmentView(parts, subject, a, i)),
    };
    if (parts.panel.stage === 'result') {
      const finals = await this.metrics.forScenario(manager, parts.panel.scenarioId);
      const final = finals.byOrganization.get(subject.organizationIds[0]);
      view.submission = {
        submissionId: final?.submissionId ?? subject.submissionId,
        metric: finals.metric,
        publicScore: final?.publicScore ?? null,
      };
    }
    if (!blind) {
      view.organization = orgRef(parts.orgs, subject.organizationIds[0]);
      view.consortium = subject.organizationIds.slice(1).map((id) => orgRef(parts.orgs, id));
    }
    return view;
  }

  /** The attachment's bytes, under a generated name in blind panels. */
  async attachment(
    actor: AuthenticatedActor,
    panelId: string,
    subjectId: string,
    attachmentId: string,
  ): Promise<StreamableFile> {
    const manager = this.dataSource.manager;
    const { parts, subject } = await this.seatFor(manager, actor, panelId, subjectId);
    const attachments = await manager
      .getRepository(ApplicationAttachmentEntity)
      .find({ where: { applicationId: subject.applicationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    const index = attachments.findIndex((a) => a.id === attachmentId);
    if (index < 0) throw new NotFoundError('Attachment', attachmentId);
    const a = attachments[index];
    const view = this.attachmentView(parts, subject, a, index);
    await this.audit.recordDetached({
      action: 'panel.attachment_read',
      objectType: 'Panel',
      objectId: panelId,
      details: { subjectId, attachmentId },
    });
    const body = await this.storage.get(Bucket.Attachments, a.storageKey);
    return new StreamableFile(body, {
      type: a.contentType,
      length: a.sizeBytes,
      disposition: `attachment; filename="${view.name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(view.name)}`,
    });
  }

  /** 回避 declared by the expert: from now on it cannot read or score the subject; its score is dropped. */
  async declareConflict(
    actor: AuthenticatedActor,
    panelId: string,
    dto: DeclareConflictDto,
  ): Promise<RecusalView> {
    return this.dataSource.transaction(async (manager) => {
      const { parts, subject, member } = await this.seatFor(
        manager,
        actor,
        panelId,
        dto.subjectId.toLowerCase(),
        true,
        'conflict',
      );
      if (parts.panel.status !== 'open') throw new PanelClosedError(parts.panel.round);
      const repo = manager.getRepository(PanelRecusalEntity);
      const recusal = await repo.save(
        repo.create({
          panelId,
          subjectId: subject.id,
          expertId: member.expertId,
          kind: 'declared',
          reason: dto.reason.trim(),
        }),
      );
      const dropped = await manager
        .getRepository(PanelScoreEntity)
        .delete({ panelId, round: parts.panel.round, subjectId: subject.id, expertId: member.expertId });
      const eligible = eligibleCount(subject.id, parts.members, [...parts.recusals, recusal]);
      await this.audit.record(manager, {
        action: 'panel.conflict_declare',
        objectType: 'Panel',
        objectId: panelId,
        details: {
          subjectId: subject.id,
          expertId: member.expertId,
          reason: recusal.reason,
          round: parts.panel.round,
          droppedScore: (dropped.affected ?? 0) > 0,
          eligibleExperts: eligible,
        },
      });
      return {
        subjectId: subject.id,
        code: subject.code,
        expertId: member.expertId,
        kind: recusal.kind,
        reason: recusal.reason,
        eligibleExperts: eligible,
        fewEligibleExperts: eligible < MIN_RECOMMENDED_EXPERTS,
      };
    });
  }

  /**
   * The caller's own seat on the panel and a subject it may see: not a member, an unknown subject or a
   * recusal are all 404. With `lockPanel`, the panel row is locked first (writes).
   */
  async seatFor(
    manager: EntityManager,
    actor: Actor,
    panelId: string,
    subjectId: string,
    lockPanel = false,
    recusedAnswer: 'not_found' | 'conflict' = 'not_found',
  ): Promise<Seat & { subject: PanelSubjectEntity }> {
    const member = await manager
      .getRepository(PanelMemberEntity)
      .findOne({ where: { panelId, expertId: actor.user?.id ?? '00000000-0000-0000-0000-000000000000' } });
    assertCanRead(actor.ability, 'PanelAssignment', member, panelId);
    const parts = await this.panels.parts(manager, panelId, lockPanel);
    const subject = parts.subjects.find((s) => s.id === subjectId);
    const recused = parts.recusals.find((r) => r.subjectId === subjectId && r.expertId === member!.expertId);
    if (!subject) throw new NotFoundError('PanelSubject', subjectId);
    if (recused) {
      if (recusedAnswer === 'conflict') throw new AlreadyRecusedError(recused.kind);
      throw new NotFoundError('PanelSubject', subjectId);
    }
    return { parts, member: member!, subject };
  }

  private redact(parts: PanelParts, subject: PanelSubjectEntity, text: string): string {
    const terms = subject.organizationIds.flatMap((id) => {
      const org = parts.orgs.get(id);
      return org ? [...nameVariants(org.name), org.creditCode] : [];
    });
    return redactTerms(text, terms, `【${subject.code}】`);
  }

  private attachmentView(
    parts: PanelParts,
    subject: PanelSubjectEntity,
    a: ApplicationAttachmentEntity,
    index: number,
  ): SubjectAttachmentView {
    const ext = a.kind;
    return {
      id: a.id,
      name: parts.panel.blind ? `${subject.code}-附件${index + 1}.${ext}` : a.fileName,
      kind: a.kind,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      sha256: a.sha256,
    };
  }
}
