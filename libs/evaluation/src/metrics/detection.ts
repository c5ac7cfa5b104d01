/**
 * map_iou: COCO-style mean average precision for boxes, a faithful port of pycocotools' `COCOeval` (iouType
 * `bbox`) restricted to what `stats[0]` (AP @ IoU=0.50:0.95, area=all, maxDets=100) needs:
 *
 * - per image and category, detections sorted by score (stable), the top `maxDetections` kept; ground truth
 *   sorted with crowd/ignored boxes last; IoU as `maskApi.c` `bbIou` (crowd: intersection / detection area);
 * - greedy matching per IoU threshold in score order, each detection taking the best still-unmatched box with
 *   IoU >= threshold (a crowd box can take many detections); detections matched to crowd boxes are ignored;
 * - per category, all images' detections sorted by score (stable; images in the order they were added, so add
 *   them in ascending image id as pycocotools does), cumulative precision/recall, precision made monotone,
 *   sampled at the 101 recall points 0:0.01:1 (0 beyond the last recall reached);
 * - the mean of those samples over thresholds × recall points × categories that have at least one non-crowd
 *   ground-truth box (categories without ground truth are left out, as pycocotools' -1 entries).
 *
 * Area ranges are not used (only "all"), so COCO `area` fields play no role.
 */
import { defineMetric } from './define-metric';
import { MetricInputError, MetricUndefinedError } from './metric.errors';
import type { BoundingBox, DetectionBox, GroundTruthBox, MetricAccumulator } from './metric-types';
import { CompensatedSum, GrowableFloat64, GrowableInt32, GrowableUint32, LabelIndex } from './numeric';
import { integerParam, readParams, type ParamReader } from './params';

/** numpy's `np.linspace(.5, 0.95, 10)`: i * ((0.95 - 0.5) / 9) + 0.5, the last exactly 0.95. */
export const COCO_IOU_THRESHOLDS: readonly number[] = Array.from({ length: 10 }, (_, i) =>
  i === 9 ? 0.95 : i * ((0.95 - 0.5) / 9) + 0.5,
);

/** numpy's `np.linspace(0, 1, 101)`: i * 0.01, the last exactly 1. */
export const COCO_RECALL_THRESHOLDS: readonly number[] = Array.from({ length: 101 }, (_, i) =>
  i === 100 ? 1 : i * (1 / 100),
);

/** `np.spacing(1)`, added to the precision denominator by pycocotools. */
const SPACING_1 = 2.220446049250313e-16;

export interface MapIouParams {
  maxDetections: number;
  iouThresholds: readonly number[];
}

const thresholdsParam: ParamReader<number[]> = (value, field, errors) => {
  if (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= 32 &&
    value.every((v) => typeof v === 'number' && v > 0 && v <= 1)
  ) {
    return [...(value as number[])];
  }
  errors.push({ field, message: `${field} must be an array of 1 to 32 numbers in (0, 1]` });
  return undefined;
};

/** IoU of a detection with a ground-truth box, exactly as pycocotools' `bbIou`. */
export function boxIou(d: BoundingBox, g: BoundingBox, crowd: boolean): number {
  const w = Math.min(d[2] + d[0], g[2] + g[0]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[3] + d[1], g[3] + g[1]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const i = w * h;
  const da = d[2] * d[3];
  const u = crowd ? da : da + g[2] * g[3] - i;
  return i / u;
}

function checkBox(box: BoundingBox): void {
  if (box.length !== 4 || !box.every((v) => Number.isFinite(v)) || box[2] < 0 || box[3] < 0) {
    throw new MetricInputError(
      'map_iou',
      'a bbox must be [x, y, width, height] with finite numbers, width and height >= 0',
    );
  }
}

/** The ground truth and detections of one image, by category (first-seen order, boxes in input order). */
function groupByCategory(
  truth: readonly GroundTruthBox[],
  prediction: readonly DetectionBox[],
): Map<string, { gt: GroundTruthBox[]; dt: DetectionBox[] }> {
  const byCategory = new Map<string, { gt: GroundTruthBox[]; dt: DetectionBox[] }>();
  const entry = (category: string) => {
    let e = byCategory.get(category);
    if (!e) byCategory.set(category, (e = { gt: [], dt: [] }));
    return e;
  };
  for (const g of truth) entry(g.category).gt.push(g);
  for (const d of prediction) entry(d.category).dt.push(d);
  return byCategory;
}

function mapIouAccumulator(params: MapIouParams): MetricAccumulator<'detection'> {
  const thresholds = params.iouThresholds;
  const categories = new LabelIndex();
  const groundTruthCount: number[] = []; // non-ignored ground-truth boxes per category
  // one entry per kept detection, in add order
  const scores = new GrowableFloat64();
  const category = new GrowableInt32();
  const matched = new GrowableUint32(); // bit t: matched at threshold t to a non-ignored box (true positive)
  const ignored = new GrowableUint32(); // bit t: matched at threshold t to a crowd box (neither tp nor fp)
  let images = 0;

  const add = (truth: readonly GroundTruthBox[], prediction: readonly DetectionBox[]) => {
    for (const [cat, { gt: gtAll, dt: dtAll }] of groupByCategory(truth, prediction)) {
      gtAll.forEach((g) => checkBox(g.bbox));
      for (const d of dtAll) {
        checkBox(d.bbox);
        if (!Number.isFinite(d.score))
          throw new MetricInputError('map_iou', 'a detection score must be a finite number');
      }
      // non-ignored ground truth first, detections by descending score; both stable
      const gt = [...gtAll.filter((g) => !g.iscrowd), ...gtAll.filter((g) => g.iscrowd)];
      const dt = dtAll
        .map((d, i) => [d, i] as const)
        .sort((a, b) => b[0].score - a[0].score || a[1] - b[1])
        .slice(0, params.maxDetections)
        .map(([d]) => d);
      const c = categories.intern(cat);
      if (c === groundTruthCount.length) groundTruthCount.push(0);
      const crowd = gt.map((g) => g.iscrowd === true);
      groundTruthCount[c] += crowd.filter((x) => !x).length;
      const ious = dt.map((d) => gt.map((g, j) => boxIou(d.bbox, g.bbox, crowd[j])));
      const tpMask = new Uint32Array(dt.length);
      const ignoreMask = new Uint32Array(dt.length);
      thresholds.forEach((t, ti) => {
        const gtTaken = new Uint8Array(gt.length);
        for (let di = 0; di < dt.length; di++) {
          let iou = Math.min(t, 1 - 1e-10);
          let m = -1;
          for (let gi = 0; gi < gt.length; gi++) {
            if (gtTaken[gi] && !crowd[gi]) continue; // already matched, and not a crowd
            if (m > -1 && !crowd[m] && crowd[gi]) break; // matched a regular box; only ignored ones remain
            if (ious[di][gi] < iou) continue;
            iou = ious[di][gi];
            m = gi;
          }
          if (m === -1) continue;
          gtTaken[m] = 1;
          if (crowd[m]) ignoreMask[di] |= 1 << ti;
          else tpMask[di] |= 1 << ti;
        }
      });
      for (let di = 0; di < dt.length; di++) {
        scores.push(dt[di].score);
        category.push(c);
        matched.push(tpMask[di]);
        ignored.push(ignoreMask[di]);
      }
    }
    images++;
  };

  const result = (): number => {
    if (images === 0) throw new MetricUndefinedError('map_iou', 'there are no images to score');
    const k = categories.size;
    // bucket detection indexes by category, keeping add order
    const counts = new Int32Array(k + 1);
    const cat = category.view();
    for (let i = 0; i < cat.length; i++) counts[cat[i] + 1]++;
    for (let c = 0; c < k; c++) counts[c + 1] += counts[c];
    const order = new Int32Array(cat.length);
    const fill = counts.slice(0, k);
    for (let i = 0; i < cat.length; i++) order[fill[cat[i]]++] = i;
    const s = scores.view();
    const tpBits = matched.view();
    const ignoreBits = ignored.view();
    const sum = new CompensatedSum();
    let samples = 0;
    for (let c = 0; c < k; c++) {
      const npig = groundTruthCount[c];
      if (npig === 0) continue;
      const dets = Array.from(order.subarray(counts[c], counts[c + 1])).sort((a, b) => s[b] - s[a] || a - b);
      const nd = dets.length;
      const recall = new Float64Array(nd);
      const precision = new Float64Array(nd);
      for (let ti = 0; ti < thresholds.length; ti++) {
        const bit = 1 << ti;
        let tp = 0;
        let fp = 0;
        for (let i = 0; i < nd; i++) {
          const d = dets[i];
          if (tpBits[d] & bit) tp++;
          else if (!(ignoreBits[d] & bit)) fp++;
          recall[i] = tp / npig;
          precision[i] = tp / (fp + tp + SPACING_1);
        }
        for (let i = nd - 1; i > 0; i--) if (precision[i] > precision[i - 1]) precision[i - 1] = precision[i];
        let p = 0;
        for (const r of COCO_RECALL_THRESHOLDS) {
          while (p < nd && recall[p] < r) p++; // np.searchsorted(recall, r, side='left')
          sum.add(p < nd ? precision[p] : 0);
          samples++;
        }
      }
    }
    if (samples === 0) {
      throw new MetricUndefinedError(
        'map_iou',
        'the ground truth has no (non-crowd) boxes, so AP is not defined',
      );
    }
    return sum.value / samples;
  };

  return {
    add,
    get count() {
      return images;
    },
    result,
  };
}

export const mapIou = defineMetric({
  name: 'map_iou',
  kind: 'detection',
  direction: 'higher',
  description:
    'COCO mean average precision: per category AP (101-point interpolation) averaged over IoU 0.50:0.05:0.95, then over categories.',
  range: [0, 1],
  parseParams: (raw?: unknown): MapIouParams => {
    const p = readParams('map_iou', raw, {
      maxDetections: integerParam(1, 10_000),
      iouThresholds: thresholdsParam,
    });
    return { maxDetections: p.maxDetections ?? 100, iouThresholds: p.iouThresholds ?? COCO_IOU_THRESHOLDS };
  },
  accumulator: mapIouAccumulator,
});
