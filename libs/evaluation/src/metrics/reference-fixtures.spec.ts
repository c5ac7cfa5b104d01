/**
 * Known answers from libs/evaluation/fixtures/sklearn-reference.json, made by
 * scripts/metrics-reference/make_fixtures.py with Debian's python3-sklearn (and, for map_iou and bleu, the
 * script's documented reimplementations of pycocotools' COCOeval and sacreBLEU).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COCO_IOU_THRESHOLDS,
  COCO_RECALL_THRESHOLDS,
  METRICS,
  isMetricName,
  type DetectionBox,
  type GroundTruthBox,
} from './index';
import { sortLabels } from './numeric';

interface Dataset {
  kind: string;
  truth: unknown[];
  prediction: unknown[];
  classes?: string[];
}
interface CocoGroundTruth {
  images: { id: number }[];
  annotations: { image_id: number; category_id: number; bbox: number[]; iscrowd?: number }[];
}
interface CocoResult {
  image_id: number;
  category_id: number;
  bbox: number[];
  score: number;
}
interface Fixture {
  tolerance: number;
  versions: Record<string, string>;
  coco: { iouThresholds: number[]; recallThresholds: number[] };
  datasets: Record<string, Dataset>;
  detection: Record<string, { groundTruth: CocoGroundTruth; predictions: CocoResult[] }>;
  cases: {
    metric: string;
    dataset: string;
    params: Record<string, unknown>;
    expected: number;
    source: string;
  }[];
}

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../../fixtures/sklearn-reference.json'), 'utf8'),
) as Fixture;

/** |a - e| <= tol, relative for values above 1. */
function expectClose(actual: number, expected: number, tolerance = 1e-9): void {
  const error = Math.abs(actual - expected);
  if (!(error <= tolerance * Math.max(1, Math.abs(expected)))) {
    throw new Error(`expected ${expected}, got ${actual} (|error| = ${error})`);
  }
}

function scoreDetection(metricParams: Record<string, unknown>, name: string): number {
  const { groundTruth, predictions } = fixture.detection[name];
  const acc = METRICS.map_iou.createAccumulator(metricParams);
  const gtByImage = new Map<string, GroundTruthBox[]>();
  const dtByImage = new Map<string, DetectionBox[]>();
  for (const a of groundTruth.annotations) {
    const key = String(a.image_id);
    if (!gtByImage.has(key)) gtByImage.set(key, []);
    gtByImage.get(key)!.push({
      category: String(a.category_id),
      bbox: a.bbox as unknown as GroundTruthBox['bbox'],
      iscrowd: a.iscrowd === 1,
    });
  }
  for (const d of predictions) {
    const key = String(d.image_id);
    if (!dtByImage.has(key)) dtByImage.set(key, []);
    dtByImage.get(key)!.push({
      category: String(d.category_id),
      bbox: d.bbox as unknown as DetectionBox['bbox'],
      score: d.score,
    });
  }
  // ascending image id, as pycocotools
  for (const image of sortLabels(groundTruth.images.map((i) => String(i.id)))) {
    acc.add(gtByImage.get(image) ?? [], dtByImage.get(image) ?? []);
  }
  return acc.result();
}

function scoreDataset(metric: string, params: Record<string, unknown>, dataset: Dataset): number {
  if (!isMetricName(metric)) throw new Error(`unknown metric ${metric}`);
  const def = METRICS[metric];
  switch (def.kind) {
    case 'label':
    case 'text': {
      const acc = def.createAccumulator(params);
      dataset.truth.forEach((t, i) => acc.add(t as string, dataset.prediction[i] as string));
      return acc.result();
    }
    case 'probability': {
      const acc = def.createAccumulator(params);
      dataset.truth.forEach((t, i) => acc.add(t as string, dataset.prediction[i] as number | number[]));
      return acc.result();
    }
    case 'numeric': {
      const acc = def.createAccumulator(params);
      dataset.truth.forEach((t, i) => acc.add(t as number, dataset.prediction[i] as number));
      return acc.result();
    }
    default:
      throw new Error(`no dataset scorer for ${def.kind}`);
  }
}

describe('reference fixtures (scikit-learn, COCOeval and sacreBLEU reimplementations)', () => {
  it('were made by scikit-learn and cover every metric the script can check', () => {
    expect(fixture.versions.sklearn).toMatch(/^\d+\.\d+/);
    expect(fixture.tolerance).toBe(1e-9);
    const covered = new Set(fixture.cases.map((c) => c.metric));
    for (const m of [
      'accuracy',
      'macro_f1',
      'micro_f1',
      'weighted_f1',
      'precision',
      'recall',
      'roc_auc',
      'log_loss',
    ]) {
      expect(covered).toContain(m);
    }
    for (const m of ['rmse', 'mae', 'mape', 'r2', 'map_iou', 'bleu']) expect(covered).toContain(m);
  });

  it('use the same IoU and recall thresholds as numpy.linspace in COCOeval', () => {
    expect([...COCO_IOU_THRESHOLDS]).toEqual(fixture.coco.iouThresholds);
    expect([...COCO_RECALL_THRESHOLDS]).toEqual(fixture.coco.recallThresholds);
  });

  it.each(fixture.cases.map((c) => [`${c.metric} ${JSON.stringify(c.params)} on ${c.dataset}`, c] as const))(
    '%s',
    (_title, c) => {
      const actual =
        c.metric === 'map_iou'
          ? scoreDetection(c.params, c.dataset)
          : scoreDataset(c.metric, c.params, fixture.datasets[c.dataset]);
      expectClose(actual, c.expected, fixture.tolerance);
    },
  );
});
