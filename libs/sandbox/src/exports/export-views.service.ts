import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor, asSubject } from '@aihub/authz';
import { NotFoundError } from '@aihub/core';
import { ExportDecisionEntity } from './export-decision.entity';
import { ExportReviewEntity } from './export-review.entity';
import type { ExportView, ExportVoteView } from './export.dto';
import { SandboxExportEntity } from './sandbox-export.entity';

const vote = (d: ExportDecisionEntity): ExportVoteView => ({
  deciderId: d.deciderId,
  approve: d.approve,
  reason: d.reason,
  decidedAt: d.createdAt.toISOString(),
});

/** Who may see an export, and what they see of it (votes stay hidden until a review is complete). */
@Injectable()
export class ExportViews {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Readable by the requesting organization, operators and auditors, and the reviewers it owes. */
  canRead(actor: Actor, exp: SandboxExportEntity, reviews: ExportReviewEntity[]): boolean {
    return (
      actor.ability.can('read', asSubject('SandboxExport', exp)) ||
      reviews.some((r) => actor.ability.can('read', asSubject('SandboxExportReview', r)))
    );
  }

  async readable(actor: Actor, id: string, manager: EntityManager = this.dataSource.manager) {
    const exp = await manager.getRepository(SandboxExportEntity).findOne({ where: { id } });
    const reviews = exp
      ? await manager.getRepository(ExportReviewEntity).find({ where: { exportId: id } })
      : [];
    if (!exp || !this.canRead(actor, exp, reviews)) throw new NotFoundError('SandboxExport', id);
    return { exp, reviews };
  }

  async views(
    actor: Actor,
    rows: SandboxExportEntity[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<ExportView[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [reviews, decisions] = await Promise.all([
      manager
        .getRepository(ExportReviewEntity)
        .find({ where: { exportId: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } }),
      manager
        .getRepository(ExportDecisionEntity)
        .find({ where: { exportId: In(ids) }, order: { createdAt: 'ASC', id: 'ASC' } }),
    ]);
    return rows.map((e) => ({
      id: e.id,
      runId: e.runId,
      sandboxId: e.sandboxId,
      organizationId: e.organizationId,
      status: e.status,
      paths: e.files.map((f) => f.path),
      files: e.files,
      justification: e.justification,
      checks: e.checks,
      reviews: reviews
        .filter((r) => r.exportId === e.id)
        .map((r) => ({
          providerOrgId: r.providerOrgId,
          grade: r.grade,
          requiredApprovals: r.requiredApprovals,
          status: r.status,
          decisions: r.status === 'pending' ? [] : decisions.filter((d) => d.reviewId === r.id).map(vote),
        })),
      yourDecision: (() => {
        const mine = decisions.find((d) => d.exportId === e.id && d.deciderId === actor.user?.id);
        return mine ? vote(mine) : null;
      })(),
      decidedAt: e.decidedAt?.toISOString() ?? null,
      createdAt: e.createdAt.toISOString(),
    }));
  }

  async view(actor: Actor, row: SandboxExportEntity, manager?: EntityManager): Promise<ExportView> {
    return (await this.views(actor, [row], manager))[0];
  }
}
