import type { ScenarioEntity } from '@aihub/scenarios';
import type { PanelEntity } from '../entities/panel.entity';
import type { PanelResultEntity } from '../entities/panel-result.entity';
import type { PanelScoreEntity } from '../entities/panel-score.entity';
import type { PanelSubjectEntity } from '../entities/panel-subject.entity';
import type { ScenarioResultEntity } from '../entities/scenario-result.entity';
import { buildReportModel } from './report-model';

describe('buildReportModel', () => {
  const model = buildReportModel({
    scenario: { title: '城市事件智能分拨' } as ScenarioEntity,
    panel: { aggregation: 'trimmed_mean' } as PanelEntity,
    result: {
      status: 'published',
      publishedAt: new Date('2026-12-01T08:00:00Z'),
      weights: { metric: 0.6, expert: 0.4 },
      metric: 'macro_f1',
      panelRound: 1,
      items: [
        {
          rank: 1,
          applicationId: 'a1',
          organizationId: 'o1',
          organizationName: '甲公司',
          consortium: [{ id: 'o3', name: '丙公司' }],
          submissionId: 's1',
          metricScore: 0.91,
          normalizedMetric: 100,
          expertScore: 60,
          finalScore: 84,
        },
        {
          rank: 2,
          applicationId: 'a2',
          organizationId: 'o2',
          organizationName: '乙公司',
          consortium: [],
          submissionId: 's2',
          metricScore: 0.8,
          normalizedMetric: 0,
          expertScore: 90,
          finalScore: 36,
        },
      ],
    } as unknown as ScenarioResultEntity,
    subjects: [
      { id: 'p1', applicationId: 'a1' },
      { id: 'p2', applicationId: 'a2' },
    ] as PanelSubjectEntity[],
    panelResults: [
      {
        subjectId: 'p1',
        aggregate: 60,
        rank: 2,
        expertTotals: [{ expertId: 'eid-x', total: 60, outlier: false }],
        recusedExpertIds: ['eid-y'],
      },
      {
        subjectId: 'p2',
        aggregate: 90,
        rank: 1,
        expertTotals: [{ expertId: 'eid-y', total: 90, outlier: true }],
        recusedExpertIds: [],
      },
    ] as PanelResultEntity[],
    scores: [
      { subjectId: 'p2', expertId: 'eid-y', comment: '效果好' },
      { subjectId: 'p1', expertId: 'eid-x', comment: null },
    ] as PanelScoreEntity[],
    expertOrder: ['eid-x', 'eid-y'],
  });

  it('lists the ranking with consortium members and scores', () => {
    expect(model.title).toBe('城市事件智能分拨 — 评审结果报告');
    expect(model.ranking[0]).toBe(
      '第1名  甲公司（联合体：丙公司）  综合得分 84.00  指标得分 0.9100（归一化 100.00）  专家得分 60.00',
    );
    expect(model.ranking[1]).toContain('第2名  乙公司');
  });

  it('names experts by panel order, never by id, and marks outliers', () => {
    expect(model.aggregates[1]).toContain('专家2 90.00（离群）');
    expect(model.aggregates[0]).toContain('回避专家 1 人');
    expect(model.comments).toEqual([{ heading: '乙公司', lines: ['专家2：效果好'] }]);
    expect(JSON.stringify(model)).not.toContain('eid-');
  });
});
