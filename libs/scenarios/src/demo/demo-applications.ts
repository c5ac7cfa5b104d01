import type { ApplicationState } from '../lifecycle/state-machine';

/** the demo companies of identity's demo seed (DEMO_USERS) */
export type DemoCompany = 'ent1' | 'ent2';

export const DEMO_COMPANY_USERS: Record<DemoCompany, string> = {
  ent1: 'enterprise@demo.aihub',
  ent2: 'enterprise2@demo.aihub',
};

export interface DemoApplication {
  /** the scenario's title in DEMO_SCENARIOS */
  scenario: string;
  company: DemoCompany;
  /** where the seed drives it: `proposed`/`selected`/`not_selected` come from the award flow */
  target: Exclude<ApplicationState, 'shortlisted'>;
  consortium?: DemoCompany[];
  /** the operator's reason for `returned` / `rejected` */
  reason?: string;
}

/**
 * Applications of the two demo companies, in every state the lifecycle of this issue reaches
 * (`shortlisted` belongs to expert review, a later issue). At most 3 per company per batch, the
 * default per-batch cap.
 */
export const DEMO_APPLICATIONS: DemoApplication[] = [
  // 第一期: awarded, in publicity, rejected, withdrawn
  { scenario: '城市事件智能分拨', company: 'ent1', target: 'selected' },
  { scenario: '城市事件智能分拨', company: 'ent2', target: 'not_selected' },
  { scenario: '占道经营视频识别', company: 'ent2', target: 'proposed' },
  { scenario: '占道经营视频识别', company: 'ent1', target: 'formal_passed' },
  {
    scenario: '12345热线工单分类',
    company: 'ent1',
    target: 'rejected',
    reason: '申报材料未提供同类项目业绩证明，且技术方案未覆盖三级类目分类要求，不符合揭榜条件。',
  },
  { scenario: '老人跌倒监测', company: 'ent2', target: 'withdrawn' },
  // 第二期 (open windows)
  { scenario: '户外广告招牌安全隐患识别', company: 'ent1', target: 'formal_passed' },
  { scenario: '企业开办材料智能预审', company: 'ent1', target: 'draft' },
  { scenario: '慢病患者随访智能语音外呼', company: 'ent1', target: 'submitted' },
  { scenario: '慢病患者随访智能语音外呼', company: 'ent2', target: 'formal_passed' },
  {
    scenario: '楼宇消防通道占用识别',
    company: 'ent2',
    target: 'returned',
    reason: '请补充数据安全保障措施说明，并在方案中明确视频数据不出沙箱的技术实现。',
  },
  { scenario: '市民诉求热点与情绪分析', company: 'ent2', target: 'submitted' },
  // 第三期 (open windows)
  { scenario: '城市部件智能巡检', company: 'ent1', target: 'submitted' },
  { scenario: '城市部件智能巡检', company: 'ent2', target: 'submitted' },
  { scenario: '老年人防诈骗风险预警', company: 'ent2', target: 'draft', consortium: ['ent1'] },
  {
    scenario: '政务服务“一网通办”智能问答',
    company: 'ent1',
    target: 'returned',
    reason: '技术方案缺少知识图谱更新机制和问答准确率的测试方法，请补充后重新提交。',
  },
];

export function demoProposal(company: DemoCompany, scenarioTitle: string): string {
  return company === 'ent1'
    ? `深圳智城科技有限公司拟针对「${scenarioTitle}」场景，基于自研的城市治理多模态模型与边缘计算平台，` +
        '在沙箱内完成数据治理、模型训练与评测。计划 8 周交付可用原型，12 周完成试点部署，' +
        '并提供按季度的模型迭代与本地化运维服务。'
    : `深圳鹏程数智科技有限公司针对「${scenarioTitle}」场景提出“数据 + 算法 + 运营”一体化方案：` +
        '采用轻量化模型与知识增强技术，在保证数据可用不可见的前提下完成建模。' +
        '团队曾在 3 个区级同类项目中落地，承诺 10 周内完成试点并达到场景指标要求。';
}
