import type { AwardMode, Domain, Layer, TechField } from '../vocabularies';

/**
 * Demo content: three published batches (第一期/第二期/第三期需求清单) with 38 realistic scenarios of a
 * district government (fictional, modelled on the kind of needs Futian's AI-HUB published).
 *
 * `window` places the application window relative to the moment the seed runs, so a demo started on
 * any day has scenarios that are open, closed, in publicity and awarded:
 * - `closed`: the window ended before the seed ran (the scenario is `closed`, or later per `stage`)
 * - `open`: the window is open now
 * - `upcoming`: published, window opens in a few days
 */
export type DemoWindow = 'closed' | 'open' | 'upcoming';

/** how far the lifecycle has gone for this scenario */
export type DemoStage = 'published' | 'closed' | 'publicity' | 'awarded';

export interface DemoBatch {
  number: number;
  title: string;
  /** days before the seed run the batch was published */
  publishedDaysAgo: number;
}

export interface DemoScenario {
  batch: number;
  title: string;
  summary: string;
  description: string;
  domain: Domain;
  techField: TechField;
  layer: Layer;
  awardMode: AwardMode;
  maxAwardees: number;
  sandboxDays: number;
  window: DemoWindow;
  stage: DemoStage;
}

export const DEMO_BATCHES: DemoBatch[] = [
  { number: 1, title: '第一期需求清单', publishedDaysAgo: 75 },
  { number: 2, title: '第二期需求清单', publishedDaysAgo: 30 },
  { number: 3, title: '第三期需求清单', publishedDaysAgo: 5 },
];

const single = { awardMode: 'single' as const, maxAwardees: 1 };
const race = (n: number) => ({ awardMode: 'parallel' as const, maxAwardees: n });

export const DEMO_SCENARIOS: DemoScenario[] = [
  // ---------------------------------------------------------------- 第一期 (13, windows closed)
  {
    batch: 1,
    title: '城市事件智能分拨',
    summary: '对网格员上报和市民投诉的城市事件自动判定类别与责任部门，实现秒级派单。',
    description:
      '全区每天产生约 6,800 件城市管理事件，目前由 40 余名人工座席逐件研判派单，平均耗时 18 分钟，错派率约 9%。' +
      '希望基于近三年 520 万条历史事件及处置结果，自动识别事件类别、定位责任街道与部门。' +
      '目标：派单准确率不低于 92%，平均派单时间缩短至 1 分钟以内，退单率下降一半。',
    domain: 'government_services',
    techField: 'text_processing',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'awarded',
  },
  {
    batch: 1,
    title: '占道经营视频识别',
    summary: '利用现有视频监控自动发现占道经营、店外经营等市容违规行为并推送执法人员。',
    description:
      '辖区 1,260 路公共视频中约 300 路覆盖商业街和学校周边，占道经营投诉每月超过 2,000 件，巡查以人工为主。' +
      '需要在白天和夜间、雨天等条件下识别占道经营、流动摊贩和店外堆放，并排除正常行人与车辆。' +
      '期望识别准确率 90% 以上、误报率低于 5%，事件从发生到推送不超过 3 分钟。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'government',
    ...race(2),
    sandboxDays: 90,
    window: 'closed',
    stage: 'publicity',
  },
  {
    batch: 1,
    title: '12345热线工单分类',
    summary: '对 12345 政务服务热线工单自动分类、提取诉求要素并推荐承办单位。',
    description:
      '12345 热线年受理诉求约 150 万件，分类体系含 3 级 860 个类目，人工分类一致性仅约 80%。' +
      '提供 2021 年以来脱敏工单文本 210 万条及分类、承办结果作为训练数据。' +
      '要求三级类目 Top-1 准确率达到 88%，诉求地址、对象、时间等要素抽取 F1 不低于 0.9。',
    domain: 'government_services',
    techField: 'text_processing',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '老人跌倒监测',
    summary: '在长者食堂、日间照料中心等公共区域实时发现老人跌倒并自动告警。',
    description:
      '全区 11 个街道共有长者服务场所 96 处，日均服务老人 1.2 万人次，跌倒后平均发现时间约 6 分钟。' +
      '需基于场所内已有摄像头，在不上传人脸图像的前提下识别跌倒、久卧不起等行为。' +
      '目标：跌倒检出率 95% 以上，每路摄像头每天误报不超过 1 次，告警 10 秒内送达值班人员。',
    domain: 'elderly_care',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 120,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '垃圾分类投放点满溢识别',
    summary: '识别垃圾分类投放点桶满溢出、混投和垃圾落地，自动生成清运与督导任务。',
    description:
      '全区约 2,400 个生活垃圾分类投放点，高峰时段满溢投诉占市容类投诉的 15%。' +
      '拟利用投放点摄像头画面，识别满溢、桶外堆放和明显混投，并与清运车辆 GPS 数据联动。' +
      '期望满溢识别准确率 90%，清运响应时间由平均 2 小时缩短到 40 分钟。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '建筑工地扬尘智能监管',
    summary: '融合扬尘监测设备与工地视频，识别未覆盖裸土、车辆带泥上路等扬尘源。',
    description:
      '在建工地 180 余个，已接入扬尘在线监测设备 420 台，PM10 超标告警每月约 900 次但难以定位原因。' +
      '希望结合视频识别裸土未覆盖、雾炮未开启、渣土车未冲洗等行为，与监测数据关联溯源。' +
      '目标：超标原因定位准确率 85% 以上，执法人员现场核查次数减少 40%。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '政务服务事项办理时长预测',
    summary: '预测各类政务服务事项的办理时长与窗口排队情况，辅助窗口人员调度。',
    description:
      '区行政服务大厅设 62 个窗口，办理 1,100 余项事项，高峰期平均等候 35 分钟。' +
      '提供两年的取号、办结记录约 180 万条和节假日、政策调整等外部因素。' +
      '要求按小时预测各窗口排队人数，平均绝对百分比误差不超过 15%，据此调度后高峰等候时间降低 30%。',
    domain: 'government_services',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 60,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '独居老人用水用电异常预警',
    summary: '基于水电表读数识别独居老人生活规律异常，及早发现意外情况。',
    description:
      '辖区登记独居、空巢老人约 8,600 人，已有 3,200 户安装智能水电表（每 15 分钟上报一次读数）。' +
      '需学习每位老人的用水用电规律，在连续异常时向社区网格员推送预警，并控制打扰频次。' +
      '目标：真实意外事件检出率 90% 以上，每户每月误报不超过 1 次。',
    domain: 'elderly_care',
    techField: 'big_data_analytics',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '重点人员异常聚集风险研判',
    summary: '基于公共区域客流数据研判人群异常聚集风险，支撑大型活动安保。',
    description:
      '商圈、地铁站、会展中心周边在节假日单日客流峰值超过 60 万人次，踩踏等风险需要提前研判。' +
      '提供 120 个客流监测点的分钟级计数数据和历史活动安排（不含个人身份信息）。' +
      '期望提前 30 分钟预测聚集风险等级，风险等级预测准确率不低于 85%。',
    domain: 'public_safety',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '发热门诊就诊量预测',
    summary: '预测各医院发热门诊未来一周就诊量，提前调配医护力量与药品。',
    description:
      '全区 9 家医院设有发热门诊，季节性流感高峰时单日就诊量可达平时的 4 倍，医护与药品调配滞后。' +
      '提供近五年日就诊量、气象数据、学校放假安排和流感监测哨点数据。' +
      '要求未来 7 天逐日就诊量预测的平均绝对百分比误差不超过 12%。',
    domain: 'epidemic_prevention',
    techField: 'big_data_analytics',
    layer: 'livelihood',
    ...single,
    sandboxDays: 60,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '政策文件知识图谱构建',
    summary: '将区级惠企惠民政策拆解为条件、对象、额度等要素，构建可查询的政策知识图谱。',
    description:
      '近五年区级政策文件 1,400 余份，申报条件分散在正文和附件中，企业和群众难以找到适用政策。' +
      '需自动抽取适用对象、申报条件、补贴额度、有效期及政策之间的替代和引用关系。' +
      '目标：要素抽取 F1 达到 0.85，支持“我能享受哪些政策”问答，Top-3 推荐命中率 80% 以上。',
    domain: 'economy',
    techField: 'knowledge_graph',
    layer: 'economy',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '学位供需预测',
    summary: '结合出生人口、户籍与住房数据，预测未来五年各学区小学和初中学位缺口。',
    description:
      '全区现有公办中小学 78 所，部分片区学位连年紧张，新建学校从立项到招生需要 3 年以上。' +
      '提供近十年出生登记、入学报名、住宅交付和人口迁移的汇总数据（按小区聚合）。' +
      '要求分学区、分年级预测未来 5 年学位需求，学区级误差不超过 8%，为学校规划提供依据。',
    domain: 'education',
    techField: 'big_data_analytics',
    layer: 'livelihood',
    ...single,
    sandboxDays: 120,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 1,
    title: '电动自行车违规进楼识别',
    summary: '在电梯轿厢内识别电动自行车进入并语音劝阻，降低室内充电火灾风险。',
    description:
      '辖区住宅电梯约 1.5 万台，电动自行车入户充电引发的火情占居民住宅火灾的近三成。' +
      '需在电梯摄像头端侧识别电动自行车（区分自行车、婴儿车、轮椅），并联动语音劝阻和暂停运行。' +
      '目标：识别准确率 97% 以上，误识别率低于 1%，单帧端侧推理时间不超过 200 毫秒。',
    domain: 'public_safety',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...race(3),
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },

  // ---------------------------------------------------------------- 第二期 (13, 4 closed, 9 open)
  {
    batch: 2,
    title: '12345热线语音智能转写与摘要',
    summary: '对热线通话实时转写并生成结构化摘要，减少座席手工录入时间。',
    description:
      '热线座席每天接听约 4,500 通电话，单通平均录入工单需 3 分钟，方言与口音占比约 20%。' +
      '提供 3,000 小时已标注通话录音（已去除身份信息）及对应工单。' +
      '目标：普通话字错误率低于 8%、粤语和带口音普通话低于 15%，摘要被座席直接采用的比例超过 70%。',
    domain: 'government_services',
    techField: 'speech_processing',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 2,
    title: '共享单车违规停放识别',
    summary: '识别地铁口、人行道等区域共享单车堆积与违规停放，调度运营企业清理。',
    description:
      '辖区投放共享单车约 9 万辆，早晚高峰地铁口单车堆积严重，每月相关投诉约 1,500 件。' +
      '拟利用路口视频与单车企业上报的车辆位置数据，识别禁停区停放与超容量堆积。' +
      '期望堆积识别准确率 90%，通知企业后 30 分钟内清理完成的比例提升到 85%。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 60,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 2,
    title: '养老服务需求画像',
    summary: '整合健康、补贴与服务记录，为老人生成服务需求画像并精准推荐服务。',
    description:
      '辖区 60 岁以上户籍老人约 14 万人，居家养老服务订单每年 30 万单，但服务供给与需求错配明显。' +
      '需在可用不可见的前提下融合体检、补贴发放和助餐助洁服务记录，识别高需求人群。' +
      '目标：服务推荐采纳率提升到 35% 以上，失能风险人群识别召回率不低于 85%。',
    domain: 'elderly_care',
    techField: 'big_data_analytics',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 2,
    title: '流调信息智能抽取',
    summary: '从流行病学调查记录中自动抽取时间、地点、接触人员等要素并生成轨迹。',
    description:
      '传染病疫情处置中，一份流调报告平均 4,000 字，人工整理轨迹和密接名单需要 2 小时以上。' +
      '提供 5,000 份脱敏流调文本及标注样本，要求抽取时间、地点、交通方式和接触关系。' +
      '目标：要素抽取 F1 不低于 0.9，单份报告处理时间缩短到 5 分钟以内。',
    domain: 'epidemic_prevention',
    techField: 'text_processing',
    layer: 'government',
    ...single,
    sandboxDays: 60,
    window: 'closed',
    stage: 'closed',
  },
  {
    batch: 2,
    title: '户外广告招牌安全隐患识别',
    summary: '通过街景巡查图像识别破损、松动、违规设置的户外广告招牌。',
    description:
      '全区登记户外招牌约 4.2 万块，台风季前需完成全面排查，人工巡查一轮需要 2 个月。' +
      '提供巡查车采集的 60 万张街景图像和 8,000 处已核实隐患样本。' +
      '期望隐患识别召回率 90% 以上，单轮排查周期缩短到 2 周。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '企业开办材料智能预审',
    summary: '对企业开办提交的章程、租赁合同等材料自动预审，提示缺项和错误。',
    description:
      '每年新设市场主体约 5 万户，材料退回补正率约 23%，主要原因是缺少签章、信息不一致。' +
      '需识别扫描件中的关键信息，与申报表交叉核验，并给出补正提示。' +
      '目标：预审差错检出率 95%，材料一次通过率提升到 90% 以上。',
    domain: 'government_services',
    techField: 'text_processing',
    layer: 'economy',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '社区矫正人员风险评估',
    summary: '基于报到、活动轨迹与走访记录评估社区矫正对象再犯风险，辅助分级管理。',
    description:
      '辖区在册社区矫正对象约 600 人，分级管理主要依赖司法所工作人员经验。' +
      '提供近五年脱敏的报到、走访、教育学习和违规记录，严格在沙箱内使用。' +
      '期望风险分级与专家评估一致率达到 85%，高风险对象召回率不低于 90%。',
    domain: 'public_safety',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '慢病患者随访智能语音外呼',
    summary: '用智能语音外呼完成高血压、糖尿病患者的常规随访并记录结构化结果。',
    description:
      '社康中心管理高血压、糖尿病患者约 9.5 万人，按规范每季度随访一次，医生随访工作量很大。' +
      '需支持老年人口音和粤语，自动询问用药、血压血糖等情况，异常结果转人工。' +
      '目标：随访完成率 80% 以上，结构化信息准确率不低于 95%。',
    domain: 'health',
    techField: 'speech_processing',
    layer: 'livelihood',
    ...race(2),
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '医疗机构处方合理性审核',
    summary: '构建药品知识图谱，对基层医疗机构处方进行用药禁忌与剂量合理性审核。',
    description:
      '全区基层医疗机构日均开具处方约 2.6 万张，事后抽查发现不合理处方约占 4%。' +
      '需构建覆盖 3,000 种常用药品的相互作用、禁忌证和剂量知识图谱，实时审核处方。' +
      '期望不合理处方检出率 90%，误拦截率低于 3%。',
    domain: 'health',
    techField: 'knowledge_graph',
    layer: 'livelihood',
    ...single,
    sandboxDays: 120,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '燃气泄漏风险智能预警',
    summary: '分析燃气管网压力、流量与用户报警数据，预警泄漏风险区域。',
    description:
      '辖区燃气管网长约 1,100 公里，老旧小区管线占比高，年均接报燃气泄漏险情 300 余起。' +
      '提供管网压力流量监测数据、巡检记录和历史险情，要求识别异常压降并定位可疑管段。' +
      '目标：提前 2 小时预警的险情比例达到 60%，管段定位误差小于 200 米。',
    domain: 'emergency',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '路口信号配时优化',
    summary: '根据实时车流数据动态优化信号灯配时，缓解主干道高峰拥堵。',
    description:
      '深南大道等 6 条主干道 120 个信号路口高峰平均车速低于 20 公里/小时。' +
      '提供路口卡口流量、线圈检测和网约车轨迹聚合数据，需在仿真环境中验证方案。' +
      '期望试点区域高峰平均延误降低 15%，停车次数减少 20%。',
    domain: 'transport',
    techField: 'big_data_analytics',
    layer: 'economy',
    ...race(2),
    sandboxDays: 120,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '楼宇消防通道占用识别',
    summary: '识别高层住宅和商业楼宇消防通道被车辆或杂物占用的情况并及时通知物业。',
    description:
      '辖区高层建筑约 3,100 栋，消防通道占用是日常消防检查中最常见的问题，占比超过 40%。' +
      '需利用楼宇周界视频识别车辆停放和杂物堆放，持续 10 分钟以上自动通知物业和消防网格员。' +
      '目标：识别准确率 92% 以上，通知后 30 分钟内清除的比例达到 80%。',
    domain: 'public_safety',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 2,
    title: '市民诉求热点与情绪分析',
    summary: '对热线、网络问政等多渠道诉求进行热点聚类和情绪分析，提前发现群体性诉求。',
    description:
      '多渠道市民诉求每月约 18 万条，群体性诉求往往在集中爆发后才被发现。' +
      '需按主题、区域和时间聚类，识别诉求情绪强度变化，生成每日热点简报。' +
      '期望热点事件提前 48 小时发现的比例达到 70%，简报人工修改量低于 20%。',
    domain: 'government_services',
    techField: 'text_processing',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },

  // ---------------------------------------------------------------- 第三期 (12, 10 open, 2 upcoming)
  {
    batch: 3,
    title: '河道水面漂浮物识别',
    summary: '基于河道监控视频识别漂浮垃圾、油污和异常排水，提升河长巡河效率。',
    description:
      '辖区 5 条河流共 38 公里，沿岸已有监控 140 路，河长巡河主要依靠步行巡查。' +
      '需识别塑料瓶、泡沫、油污等漂浮物及排水口异常出水，并估算漂浮物面积。' +
      '目标：漂浮物检出率 90% 以上，异常排水告警准确率 85%，巡河人工时长减少 50%。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '城市部件智能巡检',
    summary: '通过巡查车采集的图像自动识别井盖缺失、护栏损坏、路灯不亮等城市部件问题。',
    description:
      '全区登记城市部件约 85 万个，部件问题占城市管理事件的 35%，主要依靠人工巡查发现。' +
      '提供巡查车采集的 120 万张带定位图像和 3 万处已标注问题样本，覆盖 26 类部件。' +
      '期望 26 类问题平均识别准确率 88% 以上，问题发现量较人工巡查提升一倍。',
    domain: 'city_appearance',
    techField: 'video_recognition',
    layer: 'government',
    ...race(3),
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '政务服务“一网通办”智能问答',
    summary: '基于办事指南知识图谱提供 7×24 小时智能问答，引导群众准确办事。',
    description:
      '“一网通办”平台每日咨询量约 1.1 万次，人工客服仅在工作时间服务，夜间咨询无人响应。' +
      '需将 1,100 余项事项的办事指南构建为知识图谱，回答材料、条件、流程、地点等问题。' +
      '目标：问答准确率 90% 以上，转人工率低于 15%，群众满意度达到 95%。',
    domain: 'government_services',
    techField: 'knowledge_graph',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '养老机构服务质量语音质检',
    summary: '对养老机构护理员与老人的交流录音进行质检，识别不当言行和服务遗漏。',
    description:
      '辖区 12 家养老机构共有护理员约 900 名，服务质量抽查每季度仅覆盖 5% 的服务记录。' +
      '需在老人和家属同意的前提下，对护理过程录音进行转写与质检，识别呵斥、冷漠和未按规范服务。' +
      '期望不当言行识别召回率 90%、精确率 80%，质检覆盖率提升到 100%。',
    domain: 'elderly_care',
    techField: 'speech_processing',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '老年人防诈骗风险预警',
    summary: '结合反诈案例知识图谱与异常资金、通话特征，对高风险老年人开展预警劝阻。',
    description:
      '近两年辖区老年人被电信诈骗案件约 1,300 起，涉案金额超过 1.8 亿元，以投资理财和保健品诈骗为主。' +
      '需构建诈骗话术、手法与资金链路的知识图谱，识别高风险人群并推送社区民警上门劝阻。' +
      '目标：高风险预警准确率 80% 以上，试点社区老年人被骗案件数下降 30%。',
    domain: 'elderly_care',
    techField: 'knowledge_graph',
    layer: 'livelihood',
    ...single,
    sandboxDays: 120,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '消防警情语音识别与要素提取',
    summary: '对 119 报警电话实时转写，自动提取地址、火情类型和被困人员信息。',
    description:
      '辖区每年接处警约 1.6 万起，报警人情绪紧张、背景嘈杂，接警员平均需要 90 秒确认关键信息。' +
      '需在强噪声下完成实时转写，提取地址、燃烧物、被困人数，并与标准地址库匹配。' +
      '目标：关键要素提取准确率 92% 以上，平均接警确认时间缩短到 45 秒。',
    domain: 'public_safety',
    techField: 'speech_processing',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '社区健康档案智能质控',
    summary: '自动检查居民电子健康档案的完整性、一致性和逻辑错误，提升档案质量。',
    description:
      '全区居民电子健康档案约 156 万份，抽查发现约 18% 存在缺项、逻辑矛盾或长期未更新。' +
      '需按国家基本公共卫生服务规范建立 300 余条质控规则，并识别疑似重复建档和“死档”。' +
      '目标：问题档案检出率 95%，规则误报率低于 5%，档案合格率提升到 95% 以上。',
    domain: 'health',
    techField: 'text_processing',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '医学影像肺结节辅助筛查',
    summary: '对社区体检胸部 CT 影像进行肺结节检出与良恶性风险分级，提示进一步检查。',
    description:
      '区属医院每年完成胸部低剂量 CT 体检约 6 万例，影像科医生阅片压力大，小结节漏诊时有发生。' +
      '提供 1.2 万例已由专家标注的 CT 影像（在沙箱内使用，不可导出）。' +
      '要求直径 4 毫米以上结节检出敏感度 95%，每例假阳性不超过 1 个，风险分级与专家一致率 85%。',
    domain: 'health',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...race(2),
    sandboxDays: 120,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '传染病早期预警多源监测',
    summary: '融合药店购药、学校缺勤和医院就诊数据，早期发现传染病聚集性苗头。',
    description:
      '现有传染病报告系统从发病到确认聚集性疫情平均需要 5–7 天。' +
      '提供 420 家药店退热止咳类药品销售、180 所学校因病缺勤和医院症状监测的日汇总数据。' +
      '期望聚集性疫情平均发现时间提前 3 天，预警阳性预测值不低于 60%。',
    domain: 'epidemic_prevention',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '校园周边交通安全隐患识别',
    summary: '识别上下学时段校园周边违停、逆行和行人闯红灯等交通安全隐患。',
    description:
      '辖区中小学和幼儿园共 160 所，上下学高峰校门口交通秩序混乱，近三年发生涉学生交通事故 40 余起。' +
      '需基于校园周边 480 路视频识别违停、逆行、闯红灯和接送车辆拥堵，生成治理建议。' +
      '目标：隐患识别准确率 90%，试点学校周边高峰拥堵时长减少 25%。',
    domain: 'transport',
    techField: 'video_recognition',
    layer: 'livelihood',
    ...single,
    sandboxDays: 90,
    window: 'open',
    stage: 'published',
  },
  {
    batch: 3,
    title: '防汛内涝积水智能预警',
    summary: '结合降雨预报、排水管网与易涝点水位数据，提前预警道路积水风险。',
    description:
      '辖区易涝点 58 处，强降雨时道路积水常导致交通中断和车辆受损。' +
      '提供气象雷达降雨、排水管网拓扑、易涝点水位计的分钟级数据和历史内涝记录。' +
      '目标：提前 1 小时预警积水深度超过 15 厘米的点位，命中率 80% 以上。',
    domain: 'emergency',
    techField: 'big_data_analytics',
    layer: 'government',
    ...single,
    sandboxDays: 90,
    window: 'upcoming',
    stage: 'published',
  },
  {
    batch: 3,
    title: '产业链企业关系图谱',
    summary: '构建重点产业链企业的股权、供应和专利关系图谱，支撑精准招商与风险监测。',
    description:
      '辖区重点产业链涉及企业约 2.3 万家，招商和企业服务部门难以全面掌握上下游关系。' +
      '需融合工商登记、股权、招投标和专利数据，识别链主企业、关键配套缺口和经营风险传导路径。' +
      '期望产业链关系抽取准确率 90%，为招商推荐的目标企业命中率达到 30%。',
    domain: 'economy',
    techField: 'knowledge_graph',
    layer: 'economy',
    ...single,
    sandboxDays: 90,
    window: 'upcoming',
    stage: 'published',
  },
];
