import type { ScenarioEntity } from '@aihub/scenarios';
import type { PanelEntity } from '../entities/panel.entity';
import type { PanelResultEntity } from '../entities/panel-result.entity';
import type { PanelScoreEntity } from '../entities/panel-score.entity';
import type { PanelSubjectEntity } from '../entities/panel-subject.entity';
import type { ScenarioResultEntity } from '../entities/scenario-result.entity';

export interface ReportModel {
  title: string;
  meta: string[];
  ranking: string[];
  aggregates: string[];
  comments: { heading: string; lines: string[] }[];
}

const fmt = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));

/**
 * The report's text (pure): experts are named 专家1, 专家2 … by their order on the panel, the same
 * numbering for every subject, so a reader can follow one (anonymous) expert across subjects.
 */
export function buildReportModel(input: {
  scenario: ScenarioEntity;
  panel: PanelEntity;
  result: ScenarioResultEntity;
  subjects: PanelSubjectEntity[];
  panelResults: PanelResultEntity[];
  scores: PanelScoreEntity[];
  expertOrder?: string[];
}): ReportModel {
  const { scenario, panel, result, subjects, panelResults, scores } = input;
  const subjectByApp = new Map(subjects.map((s) => [s.applicationId, s]));
  const resultBySubject = new Map(panelResults.map((r) => [r.subjectId, r]));
  const expertOrder =
    input.expertOrder ?? [...new Set(scores.map((s) => s.expertId))].sort((a, b) => a.localeCompare(b));
  const alias = (expertId: string) => `专家${expertOrder.indexOf(expertId) + 1}`;
  const statusLabel =
    result.status === 'published' ? '已公布' : result.status === 'publicity' ? '公示中' : '未通过公示';
  const title = `${scenario.title} — 评审结果报告`;
  const meta = [
    `结果状态：${statusLabel}${result.publishedAt ? `（${result.publishedAt.toISOString().slice(0, 10)}）` : ''}`,
    `权重：评测指标 ${result.weights.metric}，专家评审 ${result.weights.expert}`,
    `评测指标：${result.metric ?? '—'}；专家评审聚合方式：${panel.aggregation === 'trimmed_mean' ? '去掉最高分和最低分后取平均' : '平均'}；评审轮次：第${result.panelRound}轮`,
  ];
  const ranking = result.items.map(
    (i) =>
      `第${i.rank ?? '—'}名  ${i.organizationName}${i.consortium.length ? `（联合体：${i.consortium.map((c) => c.name).join('、')}）` : ''}  ` +
      `综合得分 ${fmt(i.finalScore)}  指标得分 ${fmt(i.metricScore, 4)}（归一化 ${fmt(i.normalizedMetric)}）  专家得分 ${fmt(i.expertScore)}`,
  );
  const aggregates: string[] = [];
  const comments: { heading: string; lines: string[] }[] = [];
  for (const item of result.items) {
    const subject = subjectByApp.get(item.applicationId);
    if (!subject) continue;
    const r = resultBySubject.get(subject.id);
    const totals = (r?.expertTotals ?? [])
      .map((t) => `${alias(t.expertId)} ${fmt(t.total)}${t.outlier ? '（离群）' : ''}`)
      .join('，');
    aggregates.push(
      `${item.organizationName}：专家评审得分 ${fmt(r?.aggregate ?? null)}，专家评审排名 ${r?.rank ?? '—'}；` +
        `各专家总分：${totals || '—'}；回避专家 ${r?.recusedExpertIds.length ?? 0} 人`,
    );
    const lines = scores
      .filter((s) => s.subjectId === subject.id && s.comment)
      .map((s) => `${alias(s.expertId)}：${s.comment}`);
    if (lines.length) comments.push({ heading: item.organizationName, lines });
  }
  return { title, meta, ranking, aggregates, comments };
}
