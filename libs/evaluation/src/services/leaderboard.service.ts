import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import type { Actor, AuthenticatedActor } from '@aihub/authz';
import { Clock, NotFoundError } from '@aihub/core';
import type { LeaderboardEntryView, LeaderboardView, PhaseClosedView } from '../dto/submission.dto';
import { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { ResultsAlreadyPublishedError } from '../evaluation.errors';
import { EvaluationAccess } from './evaluation-access.service';
import { directionOf } from './views';

/** One organization's final standing in a phase (what the review lib combines with the expert scores). */
export interface FinalResult {
  organizationId: string;
  organizationName: string;
  /** the final submissions: the ones the organization selected (<= 2), or its latest scored one */
  submissionIds: string[];
  /** best private score among the final submissions (null if none has one) */
  privateScore: number | null;
  /** the final submission that gave `privateScore` */
  submissionId: string | null;
  /** best public score of the organization over the phase */
  publicScore: number | null;
  /** 1-based, by private score (direction-aware), ties by earlier submission; null without a private score */
  finalRank: number | null;
}

interface BestRow {
  organization_id: string;
  organization_name: string;
  id: string;
  public_score: number;
  created_at: Date;
}

interface FinalRow {
  organization_id: string;
  organization_name: string;
  id: string;
  private_score: number | null;
  public_score: number | null;
  created_at: Date;
  selected_final: boolean;
}

/** Leaderboards, closing a phase and publishing its private results. */
@Injectable()
export class LeaderboardService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: EvaluationAccess,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async leaderboard(actor: Actor, phaseId: string): Promise<LeaderboardView> {
    const { phase } = await this.access.readablePhase(actor, phaseId);
    const direction = directionOf(phase.metric);
    const order = direction === 'higher' ? 'DESC' : 'ASC';
    const best: BestRow[] = await this.dataSource.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (s.organization_id) s.organization_id, o.name AS organization_name, s.id, s.public_score, s.created_at
           FROM submissions s JOIN organizations o ON o.id = s.organization_id
          WHERE s.phase_id = $1 AND s.status = 'scored' AND s.public_score IS NOT NULL
          ORDER BY s.organization_id, s.public_score ${order}, s.created_at ASC, s.id ASC
       ) b ORDER BY b.public_score ${order}, b.created_at ASC, b.id ASC`,
      [phaseId],
    );
    const published = phase.resultsPublishedAt !== null;
    const finals = published
      ? new Map((await this.finalResults(this.dataSource.manager, phase)).map((f) => [f.organizationId, f]))
      : undefined;
    const items: LeaderboardEntryView[] = best.map((b, i) => {
      const entry: LeaderboardEntryView = {
        rank: i + 1,
        organization: { id: b.organization_id, name: b.organization_name },
        score: b.public_score,
        submissionId: b.id,
        submittedAt: new Date(b.created_at).toISOString(),
      };
      const f = finals?.get(b.organization_id);
      if (finals) {
        entry.privateScore = f?.privateScore ?? null;
        entry.finalRank = f?.finalRank ?? null;
        if (f?.submissionId) entry.finalSubmissionId = f.submissionId;
      }
      return entry;
    });
    if (finals)
      items.sort((a, b) => (a.finalRank ?? Infinity) - (b.finalRank ?? Infinity) || a.rank - b.rank);
    return { phaseId, metric: phase.metric, direction, published, items };
  }

  /** Operator: no more submissions or final selections; the leaderboard stays public-only until publication. */
  async close(actor: AuthenticatedActor, phaseId: string): Promise<PhaseClosedView> {
    return this.dataSource.transaction(async (manager) => {
      const { phase } = await this.access.readablePhase(actor, phaseId, manager);
      await this.access.authorize(actor, 'close', 'Evaluation', { scenarioId: phase.scenarioId }, phaseId);
      const locked = await manager
        .getRepository(EvaluationPhaseEntity)
        .findOneOrFail({ where: { id: phaseId }, lock: { mode: 'pessimistic_write' } });
      if (locked.closedAt) return { phaseId, closedAt: locked.closedAt.toISOString() };
      const now = this.clock.now();
      await manager.getRepository(EvaluationPhaseEntity).update({ id: phaseId }, { closedAt: now });
      await this.audit.record(manager, {
        action: 'phase.close',
        objectType: 'Phase',
        objectId: phaseId,
        details: { scenarioId: phase.scenarioId },
      });
      return { phaseId, closedAt: now.toISOString() };
    });
  }

  /**
   * For the review lib: publishes a phase's private scores and final ranking, in the caller's transaction
   * (closes the phase too). 409 RESULTS_ALREADY_PUBLISHED if done before. Returns the final results.
   */
  async publishResults(manager: EntityManager, phaseId: string): Promise<FinalResult[]> {
    const phase = await manager
      .getRepository(EvaluationPhaseEntity)
      .findOne({ where: { id: phaseId }, lock: { mode: 'pessimistic_write' } });
    if (!phase) throw new NotFoundError('Phase', phaseId);
    if (phase.resultsPublishedAt) throw new ResultsAlreadyPublishedError();
    const now = this.clock.now();
    await manager
      .getRepository(EvaluationPhaseEntity)
      .update({ id: phaseId }, { resultsPublishedAt: now, closedAt: phase.closedAt ?? now });
    const results = await this.finalResults(manager, phase);
    await this.audit.record(manager, {
      action: 'phase.publish_results',
      objectType: 'Phase',
      objectId: phaseId,
      details: {
        scenarioId: phase.scenarioId,
        ranking: results.map((r) => ({
          organizationId: r.organizationId,
          finalRank: r.finalRank,
          privateScore: r.privateScore,
        })),
      },
    });
    return results;
  }

  /** The phases of a scenario (ids, metric, direction), for the review lib. */
  phasesOf(manager: EntityManager, scenarioId: string): Promise<EvaluationPhaseEntity[]> {
    return manager
      .getRepository(EvaluationPhaseEntity)
      .find({ where: { scenarioId }, order: { startsAt: 'ASC' } });
  }

  /**
   * Final submissions and private scores per organization, ranked — whether published or not (server-side use
   * only: never expose before publication).
   */
  async finalResults(manager: EntityManager, phase: EvaluationPhaseEntity): Promise<FinalResult[]> {
    const higher = directionOf(phase.metric) === 'higher';
    const rows: FinalRow[] = await manager.query(
      `SELECT s.organization_id, o.name AS organization_name, s.id, s.private_score, s.public_score, s.created_at, s.selected_final
         FROM submissions s JOIN organizations o ON o.id = s.organization_id
        WHERE s.phase_id = $1 AND s.status = 'scored'
        ORDER BY s.organization_id, s.created_at ASC, s.id ASC`,
      [phase.id],
    );
    const byOrg = new Map<string, FinalRow[]>();
    for (const r of rows) byOrg.set(r.organization_id, [...(byOrg.get(r.organization_id) ?? []), r]);
    const better = (a: number, b: number) => (higher ? a > b : a < b);
    const results: (FinalResult & { at: number })[] = [];
    for (const [organizationId, list] of byOrg) {
      const selected = list.filter((r) => r.selected_final);
      const finals = selected.length ? selected : [list[list.length - 1]];
      let pick: FinalRow | undefined;
      for (const r of finals) {
        if (r.private_score === null) continue;
        if (!pick || better(r.private_score, pick.private_score as number)) pick = r;
      }
      let bestPublic: number | null = null;
      for (const r of list)
        if (r.public_score !== null && (bestPublic === null || better(r.public_score, bestPublic)))
          bestPublic = r.public_score;
      results.push({
        organizationId,
        organizationName: list[0].organization_name,
        submissionIds: finals.map((r) => r.id),
        privateScore: pick?.private_score ?? null,
        submissionId: pick?.id ?? null,
        publicScore: bestPublic,
        finalRank: null,
        at: pick ? new Date(pick.created_at).getTime() : Infinity,
      });
    }
    const ranked = results
      .filter((r) => r.privateScore !== null)
      .sort((a, b) =>
        a.privateScore === b.privateScore ? a.at - b.at : better(a.privateScore!, b.privateScore!) ? -1 : 1,
      );
    ranked.forEach((r, i) => (r.finalRank = i + 1));
    return results
      .sort(
        (a, b) =>
          (a.finalRank ?? Infinity) - (b.finalRank ?? Infinity) ||
          a.organizationName.localeCompare(b.organizationName),
      )
      .map(({ at: _at, ...r }) => r);
  }
}
