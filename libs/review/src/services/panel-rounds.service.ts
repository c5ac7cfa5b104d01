import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor } from '@aihub/authz';
import { Clock, InvalidStateError } from '@aihub/core';
import { ApplicationEntity, FormalCheckService, LifecycleAccess } from '@aihub/scenarios';
import type { PanelResultsView, PanelView } from '../dto/panel.dto';
import { PanelEntity } from '../entities/panel.entity';
import { PanelResultEntity } from '../entities/panel-result.entity';
import { PanelScoreEntity } from '../entities/panel-score.entity';
import { ScenarioResultEntity } from '../entities/scenario-result.entity';
import { PanelNotClosedError, PanelResultsInUseError } from '../review.errors';
import { aggregate, outlierFlags, rankValues } from '../scoring/panel-math';
import { orgRef, PanelParts } from './panel-views';
import { PanelsService } from './panels.service';

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** What closing a round computes for one subject (pure, so it can be tested with known answers). */
export interface SubjectRoundInput {
  subjectId: string;
  recusedExpertIds: string[];
  totals: { expertId: string; total: number }[];
}

export function computeRoundResults(
  subjects: SubjectRoundInput[],
  aggregation: 'mean' | 'trimmed_mean',
): {
  subjectId: string;
  aggregate: number | null;
  rank: number | null;
  expertTotals: { expertId: string; total: number; outlier: boolean }[];
  recusedExpertIds: string[];
}[] {
  const partial = subjects.map((s) => {
    const totals = s.totals.map((t) => t.total);
    const flags = outlierFlags(totals);
    const agg = aggregate(totals, aggregation);
    return {
      subjectId: s.subjectId,
      aggregate: agg === null ? null : round4(agg),
      expertTotals: s.totals.map((t, i) => ({
        expertId: t.expertId,
        total: round4(t.total),
        outlier: flags[i],
      })),
      recusedExpertIds: s.recusedExpertIds,
    };
  });
  const ranks = rankValues(partial.map((p) => p.aggregate));
  return partial.map((p, i) => ({ ...p, rank: ranks[i] }));
}

/**
 * Closing a round (results frozen, application panels shortlist), reopening (a new round that starts
 * from the closed round's scores) and reading a closed round's results.
 */
@Injectable()
export class PanelRoundsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
    private readonly panels: PanelsService,
    private readonly formalCheck: FormalCheckService,
    private readonly clock: Clock,
  ) {}

  async close(actor: AuthenticatedActor, id: string): Promise<PanelResultsView> {
    await this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(PanelEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const panel = await this.access.authorize(actor, 'close', 'Panel', row, id);
      if (panel.status !== 'open') throw new InvalidStateError('Panel', panel.status, 'close');
      const parts = await this.panels.parts(manager, id);
      const scores = await manager
        .getRepository(PanelScoreEntity)
        .find({ where: { panelId: id, round: panel.round }, order: { createdAt: 'ASC', id: 'ASC' } });
      const memberIds = parts.members.map((m) => m.expertId);
      const inputs: SubjectRoundInput[] = parts.subjects.map((s) => {
        const recused = parts.recusals.filter((r) => r.subjectId === s.id).map((r) => r.expertId);
        const totals = scores
          .filter((sc) => sc.subjectId === s.id && !recused.includes(sc.expertId))
          .sort((a, b) => memberIds.indexOf(a.expertId) - memberIds.indexOf(b.expertId))
          .map((sc) => ({ expertId: sc.expertId, total: sc.total }));
        return { subjectId: s.id, recusedExpertIds: recused, totals };
      });
      const results = computeRoundResults(inputs, panel.aggregation);
      await manager
        .getRepository(PanelResultEntity)
        .insert(results.map((r) => ({ ...r, panelId: id, round: panel.round })));
      const now = this.clock.now();
      await manager.getRepository(PanelEntity).update({ id }, { status: 'closed', closedAt: now });
      const shortlisted =
        panel.stage === 'application' ? await this.shortlist(manager, panel, parts, results) : [];
      await this.audit.record(manager, {
        action: 'panel.close',
        objectType: 'Panel',
        objectId: id,
        details: {
          round: panel.round,
          results: results.map((r) => ({
            subjectId: r.subjectId,
            aggregate: r.aggregate,
            rank: r.rank,
            experts: r.expertTotals.length,
            outliers: r.expertTotals.filter((t) => t.outlier).map((t) => t.expertId),
          })),
          shortlisted,
        },
      });
    });
    return this.results(actor, id);
  }

  /** A new round: scoring opens again, starting from the closed round's scores; the closed round stays. */
  async reopen(actor: AuthenticatedActor, id: string): Promise<PanelView> {
    await this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(PanelEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const panel = await this.access.authorize(actor, 'update', 'Panel', row, id);
      if (panel.status !== 'closed') throw new InvalidStateError('Panel', panel.status, 'reopen');
      const inUse = await manager
        .getRepository(ScenarioResultEntity)
        .findOne({ where: { panelId: id, status: Not('failed') } });
      if (inUse) throw new PanelResultsInUseError(inUse.id);
      const next = panel.round + 1;
      await manager.query(
        `INSERT INTO panel_scores (panel_id, round, subject_id, expert_id, scores, total, comment)
         SELECT panel_id, $2, subject_id, expert_id, scores, total, comment
           FROM panel_scores WHERE panel_id = $1 AND round = $3`,
        [id, next, panel.round],
      );
      await manager
        .getRepository(PanelEntity)
        .update({ id }, { status: 'open', round: next, closedAt: null });
      await this.audit.record(manager, {
        action: 'panel.reopen',
        objectType: 'Panel',
        objectId: id,
        details: { fromRound: panel.round, round: next },
      });
    });
    return this.panels.get(actor, id);
  }

  /** The results of the last closed round (or of `round`), best first. */
  async results(actor: Actor, id: string, round?: number): Promise<PanelResultsView> {
    const manager = this.dataSource.manager;
    const row = await manager.getRepository(PanelEntity).findOne({ where: { id } });
    const panel = await this.access.authorize(actor, 'read', 'Panel', row, id);
    const closedRound = this.lastClosedRound(panel);
    const wanted = round ?? closedRound;
    if (!wanted || wanted > closedRound) throw new PanelNotClosedError();
    const parts = await this.panels.parts(manager, id);
    return this.resultsView(manager, parts, wanted);
  }

  lastClosedRound(panel: PanelEntity): number {
    return panel.status === 'closed' ? panel.round : panel.round - 1;
  }

  async resultsView(manager: EntityManager, parts: PanelParts, round: number): Promise<PanelResultsView> {
    const rows = await manager
      .getRepository(PanelResultEntity)
      .find({ where: { panelId: parts.panel.id, round } });
    const subjects = new Map(parts.subjects.map((s) => [s.id, s]));
    const items = rows
      .map((r) => {
        const s = subjects.get(r.subjectId)!;
        return {
          subjectId: r.subjectId,
          code: s.code,
          applicationId: s.applicationId,
          organization: orgRef(parts.orgs, s.organizationIds[0]),
          aggregate: r.aggregate,
          rank: r.rank,
          expertTotals: r.expertTotals,
          recusedExpertIds: r.recusedExpertIds,
        };
      })
      .sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.code.localeCompare(b.code));
    return { panelId: parts.panel.id, round, aggregation: parts.panel.aggregation, items };
  }

  /** formal_passed → shortlisted for the best-ranked scored subjects (all of them without shortlistSize). */
  private async shortlist(
    manager: EntityManager,
    panel: PanelEntity,
    parts: PanelParts,
    results: { subjectId: string; rank: number | null }[],
  ): Promise<string[]> {
    const limit = panel.shortlistSize ?? Infinity;
    const chosen = results.filter((r) => r.rank !== null && r.rank <= limit);
    const appIds = chosen.map((r) => parts.subjects.find((s) => s.id === r.subjectId)!.applicationId);
    if (!appIds.length) return [];
    const passed = await manager
      .getRepository(ApplicationEntity)
      .find({ where: { id: In(appIds), status: 'formal_passed' }, order: { id: 'ASC' } });
    for (const app of passed)
      await this.formalCheck.shortlist(manager, app.id, { panelId: panel.id, round: panel.round });
    return passed.map((a) => a.id);
  }
}
