/**
 * Generated data of the demo evaluation: 12345 hotline tickets (市民热线工单) to classify by category, and
 * prediction files of increasing quality. Deterministic (a fixed LCG), so every start seeds the same files.
 */
export const DEMO_SCENARIO_TITLE = '城市事件智能分拨';
export const DEMO_CATEGORIES = [
  '市容环境',
  '交通出行',
  '噪音扰民',
  '物业管理',
  '劳动保障',
  '住房建设',
  '环境保护',
  '医疗卫生',
];
export const DEMO_ROWS = 2000;

function* lcg(seed: number): Generator<number> {
  let x = seed >>> 0;
  for (;;) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    yield x / 0x1_0000_0000;
  }
}

/** ids and true categories (skewed like real tickets: the first categories are the most common). */
export function demoTruth(): { ids: string[]; labels: string[] } {
  const r = lcg(12345);
  const ids: string[] = [];
  const labels: string[] = [];
  for (let i = 0; i < DEMO_ROWS; i++) {
    ids.push(`GD2025${String(i + 1).padStart(6, '0')}`);
    const u = r.next().value as number;
    labels.push(
      DEMO_CATEGORIES[Math.min(DEMO_CATEGORIES.length - 1, Math.floor(u * u * DEMO_CATEGORIES.length))],
    );
  }
  return { ids, labels };
}

export const toCsv = (ids: string[], labels: string[]) =>
  'ticket_id,category\n' + ids.map((id, i) => `${id},${labels[i]}`).join('\n') + '\n';

/** Predictions right with probability `quality`, otherwise a random other category. */
export function demoPredictions(
  truth: { ids: string[]; labels: string[] },
  quality: number,
  seed: number,
): string[] {
  const r = lcg(seed);
  return truth.labels.map((label) => {
    if ((r.next().value as number) < quality) return label;
    const others = DEMO_CATEGORIES.filter((c) => c !== label);
    return others[Math.floor((r.next().value as number) * others.length)];
  });
}

/** The majority-class baseline. */
export function demoBaseline(truth: { labels: string[] }): string[] {
  const counts = new Map<string, number>();
  for (const l of truth.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  return truth.labels.map(() => top);
}
