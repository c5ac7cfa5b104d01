/**
 * Fixed vocabularies of the 揭榜挂帅 lifecycle (API.md "Batches and scenarios"): codes travel in the API,
 * the portal shows the Chinese labels.
 */
export const DOMAINS = {
  city_appearance: '市容环境',
  government_services: '政务服务',
  elderly_care: '养老服务',
  public_safety: '公共安全',
  health: '卫生健康',
  epidemic_prevention: '疫情防控',
  transport: '交通出行',
  education: '教育',
  emergency: '应急管理',
  economy: '经济发展',
} as const;
export type Domain = keyof typeof DOMAINS;
export const DOMAIN_CODES = Object.keys(DOMAINS) as Domain[];

export const TECH_FIELDS = {
  big_data_analytics: '大数据分析',
  video_recognition: '视频识别',
  knowledge_graph: '知识图谱',
  text_processing: '文本处理',
  speech_processing: '语音处理',
} as const;
export type TechField = keyof typeof TECH_FIELDS;
export const TECH_FIELD_CODES = Object.keys(TECH_FIELDS) as TechField[];

export const LAYERS = {
  economy: '经济',
  livelihood: '民生',
  government: '政府',
} as const;
export type Layer = keyof typeof LAYERS;
export const LAYER_CODES = Object.keys(LAYERS) as Layer[];

/** `single`: one awardee; `parallel`: a "horse race" of 2–5 awardees. */
export const AWARD_MODES = ['single', 'parallel'] as const;
export type AwardMode = (typeof AWARD_MODES)[number];

export const PARALLEL_MIN_AWARDEES = 2;
export const PARALLEL_MAX_AWARDEES = 5;
export const SANDBOX_DAYS_MIN = 1;
export const SANDBOX_DAYS_MAX = 365;
export const SANDBOX_DAYS_DEFAULT = 90;
/** consortium = the lead (the applicant organization) + at most this many member organizations */
export const CONSORTIUM_MAX_MEMBERS = 4;

export const FORMAL_CHECK_DECISIONS = ['pass', 'return', 'reject'] as const;
export type FormalCheckDecision = (typeof FORMAL_CHECK_DECISIONS)[number];

export const PUBLICITY_KINDS = ['award', 'results'] as const;
export type PublicityKind = (typeof PUBLICITY_KINDS)[number];
export const PUBLICITY_STATUSES = ['open', 'closed'] as const;
export type PublicityStatus = (typeof PUBLICITY_STATUSES)[number];
/** how a closed publicity ended: `failed` when an objection was upheld */
export type PublicityOutcome = 'passed' | 'failed';

export const OBJECTION_STATUSES = ['pending', 'upheld', 'dismissed'] as const;
export type ObjectionStatus = (typeof OBJECTION_STATUSES)[number];
