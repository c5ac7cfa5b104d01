import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { getMetric, isMetricName, LeaderboardService } from '@aihub/evaluation';

export interface FinalResult {
  submissionId: string | null;
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
 * The result stage's view of the evaluation (libs/evaluation owns it): the scenario's last phase, its
 * metric and direction, each organization's final submission and private score (server-side only: the
 * review lib shows private scores only once the results are published), and the publication itself.
 */
@Injectable()
export class ResultMetricsReader {
  constructor(private readonly leaderboard: LeaderboardService) {}

  async forScenario(manager: EntityManager, scenarioId: string): Promise<ScenarioMetricResults> {
    const phases = await this.leaderboard.phasesOf(manager, scenarioId);
    const phase = phases[phases.length - 1];
    if (!phase) return { metric: null, direction: 'higher', phaseId: null, byOrganization: new Map() };
    const finals = await this.leaderboard.finalResults(manager, phase);
    return {
      metric: phase.metric,
      direction: isMetricName(phase.metric) ? getMetric(phase.metric).direction : 'higher',
      phaseId: phase.id,
      byOrganization: new Map(
        finals.map((f) => [
          f.organizationId,
          {
            submissionId: f.submissionId ?? f.submissionIds[0] ?? null,
            publicScore: f.publicScore,
            privateScore: f.privateScore,
          },
        ]),
      ),
    };
  }

  /** Publishes the private scores of every phase of the scenario not published yet; returns their ids. */
  async reveal(manager: EntityManager, scenarioId: string): Promise<string[]> {
    const phases = await this.leaderboard.phasesOf(manager, scenarioId);
    const revealed: string[] = [];
    for (const phase of phases) {
      if (phase.resultsPublishedAt) continue;
      await this.leaderboard.publishResults(manager, phase.id);
      revealed.push(phase.id);
    }
    return revealed;
  }
}
