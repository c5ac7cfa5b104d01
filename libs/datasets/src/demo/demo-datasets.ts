import { residentIdCheckCharacter } from '../governance/identifiers';
import type { DatasetField, DatasetGrade, OpenAttribute } from '../schema/dataset-schema';
import { Random } from '../views/random';
import { csvLine } from '../csv/csv-parser';

/** Demo datasets of the demo government organization's data steward (DEMO=true only). */
export interface DemoDataset {
  name: string;
  description: string;
  grade: DatasetGrade;
  openAttribute: OpenAttribute;
  fields: DatasetField[];
  rows: number;
  fileName: string;
  /** demo scenario (by title) the dataset is attached to */
  scenarioTitle?: string;
  /** deterministic rows, header first */
  generate(rows: number): Generator<string>;
}

const DISTRICTS = [
  '福田区',
  '罗湖区',
  '南山区',
  '盐田区',
  '宝安区',
  '龙岗区',
  '龙华区',
  '坪山区',
  '光明区',
  '大鹏新区',
];
const STREETS = [
  '华强北街道',
  '沙头街道',
  '香蜜湖街道',
  '园岭街道',
  '福保街道',
  '南园街道',
  '莲花街道',
  '梅林街道',
];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const pick = <T>(r: Random, xs: readonly T[]): T => xs[r.int(xs.length)];
const mobile = (r: Random) => `1${pick(r, ['3', '5', '7', '8', '9'])}${pad(r.int(1e9), 9)}`;
function residentId(r: Random, birthYear: number): string {
  const body = `440304${birthYear}${pad(1 + r.int(12))}${pad(1 + r.int(28))}${pad(r.int(1000), 3)}`;
  return body + residentIdCheckCharacter(body)!;
}

const HOTLINE_CATEGORIES: [string, string[]][] = [
  ['市容环境', ['小区门口垃圾堆放多日无人清运', '人行道占道经营，影响通行', '路边广告牌破损存在安全隐患']],
  ['噪音扰民', ['夜间工地施工噪音扰民', '楼下商铺音响声音过大', '广场舞音量过大影响休息']],
  ['道路交通', ['路口红绿灯故障', '井盖缺失存在安全隐患', '公交站台遮雨棚损坏']],
  ['住房保障', ['公租房维修申请长期未处理', '咨询人才住房申请条件', '小区电梯频繁故障']],
  ['劳动社保', ['公司拖欠工资三个月', '咨询社保转移接续办理', '工伤认定进度咨询']],
  ['消费维权', ['预付卡商家跑路', '网购商品质量问题商家拒绝退货', '健身房拒不退费']],
];

export const DEMO_DATASETS: DemoDataset[] = [
  {
    name: 'hotline-12345-tickets',
    description:
      '12345 政务服务便民热线工单（2024 年，脱敏前原始数据）：受理时间、区、街道、分类、诉求内容、来电号码、身份证号、处理时长。用于工单智能分类与分拨场景。',
    grade: 'important',
    openAttribute: 'conditional',
    scenarioTitle: '12345热线工单分类',
    rows: 5000,
    fileName: 'hotline_12345_2024.csv',
    fields: [
      { name: 'ticket_id', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'created_at', type: 'datetime', identifier: 'quasi', masking: 'generalize' },
      { name: 'district', type: 'string', identifier: 'quasi', masking: 'none' },
      { name: 'street', type: 'string', identifier: 'quasi', masking: 'generalize' },
      { name: 'category', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'text', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'caller_mobile', type: 'string', identifier: 'direct', masking: 'drop' },
      { name: 'caller_id_card', type: 'string', identifier: 'direct', masking: 'hash' },
      { name: 'handling_hours', type: 'number', identifier: 'none', masking: 'none' },
    ],
    *generate(rows) {
      const r = new Random('demo/hotline-12345-tickets');
      yield csvLine(this.fields.map((f) => f.name));
      for (let i = 0; i < rows; i++) {
        const [category, texts] = pick(r, HOTLINE_CATEGORIES);
        const month = 1 + r.int(12);
        const text = r.next() < 0.08 ? `${pick(r, texts)}\n（来电人补充：已多次反映）` : pick(r, texts);
        yield csvLine([
          `GD2024${pad(i + 1, 7)}`,
          `2024-${pad(month)}-${pad(1 + r.int(28))}T${pad(8 + r.int(12))}:${pad(r.int(60))}:00+08:00`,
          pick(r, DISTRICTS),
          pick(r, STREETS),
          category,
          text,
          mobile(r),
          r.next() < 0.3 ? '' : residentId(r, 1950 + r.int(55)),
          (0.5 + r.next() * 120).toFixed(1),
        ]);
      }
    },
  },
  {
    name: 'elderly-care-visits',
    description:
      '福田区居家养老上门服务记录：服务日期、街道、老人年龄与性别、服务类型、时长、满意度；含老人姓名、身份证号、联系电话。',
    grade: 'important',
    openAttribute: 'closed',
    rows: 3000,
    fileName: 'elderly_care_visits.csv',
    fields: [
      { name: 'visit_id', type: 'string', identifier: 'none', masking: 'none' },
      {
        name: 'visit_date',
        type: 'date',
        identifier: 'quasi',
        masking: 'generalize',
        params: { datePrecision: 'month' },
      },
      { name: 'street', type: 'string', identifier: 'quasi', masking: 'none' },
      { name: 'age', type: 'integer', identifier: 'quasi', masking: 'generalize', params: { bandWidth: 5 } },
      { name: 'gender', type: 'string', identifier: 'quasi', masking: 'none' },
      { name: 'service_type', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'duration_min', type: 'integer', identifier: 'none', masking: 'none' },
      { name: 'satisfaction', type: 'integer', identifier: 'none', masking: 'none' },
      { name: 'elder_name', type: 'string', identifier: 'direct', masking: 'drop' },
      { name: 'elder_id_card', type: 'string', identifier: 'direct', masking: 'hash' },
      {
        name: 'contact_mobile',
        type: 'string',
        identifier: 'direct',
        masking: 'truncate',
        params: { keepChars: 3 },
      },
    ],
    *generate(rows) {
      const r = new Random('demo/elderly-care-visits');
      yield csvLine(this.fields.map((f) => f.name));
      const services = ['助餐', '助浴', '助洁', '康复护理', '陪同就医', '精神慰藉'];
      for (let i = 0; i < rows; i++) {
        const age = 60 + r.int(36);
        yield csvLine([
          `YL${pad(i + 1, 6)}`,
          `2024-${pad(1 + r.int(12))}-${pad(1 + r.int(28))}`,
          pick(r, STREETS),
          String(age),
          r.next() < 0.55 ? '女' : '男',
          pick(r, services),
          String(20 + r.int(100)),
          String(3 + r.int(3)),
          `${pick(r, SURNAMES)}${pick(r, GIVEN)}${r.next() < 0.5 ? pick(r, GIVEN) : ''}`,
          residentId(r, 2024 - age),
          mobile(r),
        ]);
      }
    },
  },
  {
    name: 'city-appearance-events',
    description:
      '市容环境巡查事件（网格员上报，已去标识）：上报时间、区、街道、事件类型、经纬度、处置状态、处置时长。',
    grade: 'general',
    openAttribute: 'open',
    rows: 4000,
    fileName: 'city_appearance_events.csv',
    fields: [
      { name: 'event_id', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'reported_at', type: 'datetime', identifier: 'none', masking: 'none' },
      { name: 'district', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'street', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'event_type', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'lng', type: 'number', identifier: 'quasi', masking: 'generalize' },
      { name: 'lat', type: 'number', identifier: 'quasi', masking: 'generalize' },
      { name: 'status', type: 'string', identifier: 'none', masking: 'none' },
      { name: 'closed_within_24h', type: 'boolean', identifier: 'none', masking: 'none' },
    ],
    *generate(rows) {
      const r = new Random('demo/city-appearance-events');
      yield csvLine(this.fields.map((f) => f.name));
      const types = ['占道经营', '暴露垃圾', '乱张贴', '违规户外广告', '共享单车乱停放', '道路破损'];
      for (let i = 0; i < rows; i++) {
        yield csvLine([
          `SR${pad(i + 1, 6)}`,
          `2024-${pad(1 + r.int(12))}-${pad(1 + r.int(28))} ${pad(r.int(24))}:${pad(r.int(60))}:${pad(r.int(60))}`,
          pick(r, DISTRICTS),
          pick(r, STREETS),
          pick(r, types),
          (114.0 + r.next() * 0.12).toFixed(6),
          (22.5 + r.next() * 0.06).toFixed(6),
          pick(r, ['已处置', '已处置', '已处置', '处置中', '已退回']),
          r.next() < 0.7 ? 'true' : 'false',
        ]);
      }
    },
  },
];
