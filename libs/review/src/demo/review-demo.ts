/** Demo content of expert review (DEMO=true): who the demo experts are and what they score. */

export const DEMO_AWARDED_SCENARIO = '城市事件智能分拨';

export interface DemoExpert {
  email: string;
  /** `company:ent1` = the demo company of enterprise@demo.aihub (so recusal shows); else own org */
  affiliation: 'own' | 'company:ent1';
  expertise: string[];
}

export const DEMO_EXPERTS: DemoExpert[] = [
  {
    email: 'expert1@demo.aihub',
    affiliation: 'company:ent1',
    expertise: ['text_processing', 'big_data_analytics'],
  },
  { email: 'expert2@demo.aihub', affiliation: 'own', expertise: ['text_processing', 'knowledge_graph'] },
  { email: 'expert3@demo.aihub', affiliation: 'own', expertise: ['video_recognition', 'big_data_analytics'] },
  { email: 'expert4@demo.aihub', affiliation: 'own', expertise: ['speech_processing', 'text_processing'] },
  { email: 'expert5@demo.aihub', affiliation: 'own', expertise: ['knowledge_graph', 'big_data_analytics'] },
];

export const DEMO_RUBRIC = [
  { criterion: '技术方案', weight: 0.4, maxScore: 100 },
  { criterion: '数据使用与安全', weight: 0.3, maxScore: 100 },
  { criterion: '应用价值', weight: 0.3, maxScore: 100 },
];

/**
 * Scores per expert (index into DEMO_EXPERTS) for the lead organization that is selected (`winner`)
 * and for the others (`other`) — deterministic, with one low score that needs its comment.
 */
export const DEMO_SCORES: Record<'winner' | 'other', { scores: number[]; comment?: string }[]> = {
  winner: [
    { scores: [90, 85, 88] },
    { scores: [88, 90, 86], comment: '方案成熟，已在类似场景落地。' },
    { scores: [92, 80, 85] },
    { scores: [85, 88, 90] },
    { scores: [89, 86, 84] },
  ],
  other: [
    { scores: [72, 70, 75] },
    { scores: [65, 60, 70] },
    { scores: [40, 50, 55], comment: '数据脱敏方案不完整，模型可解释性不足。' },
    { scores: [70, 68, 72] },
    { scores: [75, 70, 74] },
  ],
};
