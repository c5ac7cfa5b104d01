import { METRICS, isMetricName } from '../metrics';
import type { EvaluationView, PhaseView } from '../dto/evaluation.dto';
import type { SubmissionView } from '../dto/submission.dto';
import type { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import type { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import type { SubmissionEntity } from '../entities/submission.entity';

export function phaseStatus(p: EvaluationPhaseEntity, now: Date): PhaseView['status'] {
  if (p.resultsPublishedAt) return 'published';
  if (p.closedAt) return 'closed';
  if (now < p.startsAt) return 'upcoming';
  if (now >= p.endsAt) return 'ended';
  return 'open';
}

export const directionOf = (metric: string): 'higher' | 'lower' =>
  isMetricName(metric) ? METRICS[metric].direction : 'higher';

export function toPhaseView(p: EvaluationPhaseEntity, now: Date): PhaseView {
  return {
    id: p.id,
    name: p.name,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt.toISOString(),
    mode: p.mode,
    metric: p.metric,
    direction: directionOf(p.metric),
    metricParams: p.metricParams,
    dailyLimit: p.dailyLimit,
    totalLimit: p.totalLimit,
    maxFileMb: p.maxFileMb,
    publicFraction: p.publicFraction,
    open: p.open,
    command: p.command,
    limits: p.codeLimits,
    status: phaseStatus(p, now),
    closedAt: p.closedAt?.toISOString() ?? null,
    resultsPublishedAt: p.resultsPublishedAt?.toISOString() ?? null,
  };
}

export function toEvaluationView(
  spec: EvaluationSpecEntity,
  phases: EvaluationPhaseEntity[],
  now: Date,
): EvaluationView {
  return {
    scenarioId: spec.scenarioId,
    idColumn: spec.idColumn,
    targetColumn: spec.targetColumn,
    groundTruthUploaded: spec.groundTruthKey !== null,
    groundTruthUploadedAt: spec.groundTruthUploadedAt?.toISOString() ?? null,
    phases: phases.map((p) => toPhaseView(p, now)),
  };
}

export function toSubmissionView(s: SubmissionEntity, published: boolean): SubmissionView {
  return {
    id: s.id,
    phaseId: s.phaseId,
    scenarioId: s.scenarioId,
    organizationId: s.organizationId,
    status: s.status,
    fileName: s.fileName,
    sha256: s.sha256,
    sizeBytes: s.sizeBytes,
    publicScore: s.publicScore,
    privateScore: published ? s.privateScore : null,
    error: s.error,
    selectedFinal: s.selectedFinal,
    submittedAt: s.createdAt.toISOString(),
    scoredAt: s.scoredAt?.toISOString() ?? null,
  };
}
