import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getMetric, isMetricName } from '@aihub/evaluation';
import { pickFinalSubmission, ScoredSubmission } from './final-submissions';

export interface FinalResult {
  submissionId: string;
  publicScore: number | null;
  privateScore: number | null;
}

export interface ScenarioMetricResults {
  metric: string | null;
  direction: 'higher' | 'lower';
  phaseId: string | null;
  byOrganization: Map<string, FinalResult>;
}

/**
 * The result stage's view of the evaluation (libs/evaluation owns the tables): the scenario's last
 * phase, its metric and direction, and each awardee's final submission. Read with plain SQL so that the
 * review lib depends on the evaluation schema only (its services are built independently).
 */
@Injectable()
export class ResultMetricsReader {
  private readonly logger = new Logger(ResultMetricsReader.name);

  async forScenario(
    manager: EntityManager,
    scenarioId: string,
    organizationIds: string[],
  ): Promise<ScenarioMetricResults> {
    const empty: ScenarioMetricResults = {
      metric: null,
      direction: 'higher',
      phaseId: null,
      byOrganization: new Map(),
    };
    const [{ ok }] = (await manager.query(
      `SELECT to_regclass('evaluation_phases') IS NOT NULL AND to_regclass('submissions') IS NOT NULL AS ok`,
    )) as { ok: boolean }[];
    if (!ok) {
      this.logger.warn({ scenarioId }, 'evaluation tables are missing: result stage without metric scores');
      return empty;
    }
    const phases = (await manager.query(
      `SELECT id, metric FROM evaluation_phases WHERE scenario_id = $1
        ORDER BY starts_at DESC, position DESC LIMIT 1`,
      [scenarioId],
    )) as { id: string; metric: string }[];
    if (!phases.length) return empty;
    const { id: phaseId, metric } = phases[0];
    const direction = isMetricName(metric) ? getMetric(metric).direction : 'higher';
    const rows = (await manager.query(
      `SELECT id, organization_id, public_score, private_score, selected_final, created_at
         FROM submissions
        WHERE phase_id = $1 AND status = 'scored' AND organization_id = ANY($2::uuid[])`,
      [phaseId, organizationIds],
    )) as {
      id: string;
      organization_id: string;
      public_score: number | null;
      private_score: number | null;
      selected_final: boolean;
      created_at: Date;
    }[];
    const byOrg = new Map<string, ScoredSubmission[]>();
    for (const r of rows) {
      const list = byOrg.get(r.organization_id) ?? [];
      list.push({
        id: r.id,
        organizationId: r.organization_id,
        publicScore: r.public_score === null ? null : Number(r.public_score),
        privateScore: r.private_score === null ? null : Number(r.private_score),
        selectedFinal: r.selected_final,
        createdAt: new Date(r.created_at),
      });
      byOrg.set(r.organization_id, list);
    }
    const byOrganization = new Map<string, FinalResult>();
    for (const [orgId, list] of byOrg) {
      const pick = pickFinalSubmission(list, direction);
      if (pick)
        byOrganization.set(orgId, {
          submissionId: pick.id,
          publicScore: pick.publicScore,
          privateScore: pick.privateScore,
        });
    }
    return { metric, direction, phaseId, byOrganization };
  }

  /**
   * Reveals the private leaderboard scores of the scenario's phases (sets `results_published_at`, what
   * the evaluation lib's leaderboard reads). Returns the phases revealed now.
   */
  async reveal(manager: EntityManager, scenarioId: string, now: Date): Promise<string[]> {
    const [{ ok }] = (await manager.query(`SELECT to_regclass('evaluation_phases') IS NOT NULL AS ok`)) as {
      ok: boolean;
    }[];
    if (!ok) return [];
    const rows = (await manager.query(
      `UPDATE evaluation_phases SET results_published_at = $2, closed_at = COALESCE(closed_at, $2)
        WHERE scenario_id = $1 AND results_published_at IS NULL RETURNING id`,
      [scenarioId, now],
    )) as [{ id: string }[], number] | { id: string }[];
    const list = Array.isArray(rows[0]) ? (rows[0] as { id: string }[]) : (rows as { id: string }[]);
    return list.map((r) => r.id);
  }
}
