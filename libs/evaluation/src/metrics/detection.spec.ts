import {
  boxIou,
  COCO_IOU_THRESHOLDS,
  METRICS,
  type BoundingBox,
  type DetectionBox,
  type GroundTruthBox,
} from './index';
import { MetricInputError, MetricParamsError, MetricUndefinedError } from './metric.errors';

const gt = (category: string, bbox: BoundingBox, iscrowd = false): GroundTruthBox => ({
  category,
  bbox,
  iscrowd,
});
const dt = (category: string, bbox: BoundingBox, score: number): DetectionBox => ({ category, bbox, score });

function score(images: [GroundTruthBox[], DetectionBox[]][], params?: unknown): number {
  const acc = METRICS.map_iou.createAccumulator(params);
  for (const [t, p] of images) acc.add(t, p);
  expect(acc.count).toBe(images.length);
  return acc.result();
}

describe('boxIou (pycocotools bbIou)', () => {
  it('computes intersection over union of [x, y, w, h] boxes', () => {
    expect(boxIou([0, 0, 10, 10], [0, 0, 10, 10], false)).toBe(1);
    expect(boxIou([20, 20, 10, 8], [20, 20, 10, 10], false)).toBe(0.8);
    expect(boxIou([0, 0, 10, 10], [5, 0, 10, 10], false)).toBeCloseTo(50 / 150, 15);
    expect(boxIou([0, 0, 10, 10], [10, 0, 10, 10], false)).toBe(0); // touching edges
    expect(boxIou([0, 0, 10, 10], [50, 50, 1, 1], false)).toBe(0);
  });

  it('divides by the detection area for crowd regions', () => {
    expect(boxIou([10, 10, 5, 5], [0, 0, 100, 100], true)).toBe(1);
  });
});

describe('map_iou', () => {
  /**
   * The fixture example by hand (also in sklearn-reference.json as coco_hand):
   * car: 3 boxes; detections by score: FP (0.95), IoU 1 (0.9), IoU 0.8 (0.8), IoU 1 (0.5).
   *   IoU thresholds 0.50…0.80 (7): FP TP TP TP -> precision 1/2, 2/3, 3/4 at recall 1/3, 2/3, 1 -> envelope 3/4 -> AP 0.75
   *   thresholds 0.85, 0.90, 0.95: FP TP FP TP -> envelope 1/2 up to recall 2/3 (67 of 101 points) -> AP 33.5/101
   * person: IoU exactly 0.5 -> AP 1 at threshold 0.50, 0 elsewhere.
   * mean over 2 categories × 10 thresholds = (7 · 0.75 + 3 · 33.5/101 + 1) / 20
   */
  const handExample: [GroundTruthBox[], DetectionBox[]][] = [
    [
      [gt('1', [0, 0, 10, 10]), gt('1', [20, 20, 10, 10])],
      [dt('1', [0, 0, 10, 10], 0.9), dt('1', [20, 20, 10, 8], 0.8)],
    ],
    [
      [gt('1', [0, 0, 10, 10]), gt('2', [50, 50, 20, 40])],
      [dt('1', [40, 40, 10, 10], 0.95), dt('1', [0, 0, 10, 10], 0.5), dt('2', [50, 50, 20, 20], 0.7)],
    ],
  ];

  it('computes the hand-checked example', () => {
    expect(score(handExample)).toBeCloseTo((7 * 0.75 + (3 * 33.5) / 101 + 1) / 20, 12);
  });

  it('is (almost exactly) 1 for perfect detections and 0 without any', () => {
    const images: [GroundTruthBox[], DetectionBox[]][] = [
      [[gt('a', [0, 0, 10, 10])], [dt('a', [0, 0, 10, 10], 0.3)]],
      [[gt('b', [5, 5, 10, 10])], [dt('b', [5, 5, 10, 10], 0.9)]],
    ];
    // pycocotools divides by tp + fp + np.spacing(1): 1 / (1 + 2^-52)
    expect(score(images)).toBeCloseTo(1, 12);
    expect(score([[[gt('a', [0, 0, 10, 10])], []]])).toBe(0);
    expect(score([[[gt('a', [0, 0, 10, 10])], [dt('a', [30, 30, 5, 5], 1)]]])).toBe(0);
  });

  it('ignores detections matched to crowd regions, which are neither misses nor hits', () => {
    const truth = [gt('p', [0, 0, 10, 10]), gt('p', [100, 100, 50, 50], true)];
    const inCrowd = dt('p', [110, 110, 10, 10], 0.95);
    expect(score([[truth, [inCrowd, dt('p', [0, 0, 10, 10], 0.9)]]])).toBeCloseTo(1, 12);
    // the same detection without the crowd region is a false positive ranked first: precision 1/2
    expect(score([[[truth[0]], [inCrowd, dt('p', [0, 0, 10, 10], 0.9)]]])).toBeCloseTo(0.5, 12);
    // an image with crowd regions only does not define AP
    expect(() => score([[[truth[1]], []]])).toThrow(MetricUndefinedError);
  });

  it('lets each box match one detection: duplicates are false positives', () => {
    // second detection of the same box: TP then FP -> envelope 1 up to recall 1 -> AP 1
    expect(
      score([[[gt('a', [0, 0, 10, 10])], [dt('a', [0, 0, 10, 10], 0.9), dt('a', [0, 0, 10, 10], 0.8)]]]),
    ).toBeCloseTo(1, 12);
    // duplicate ranked first at a lower IoU: at thresholds above 0.8 only the better one matches
    const v = score([
      [[gt('a', [0, 0, 10, 10])], [dt('a', [0, 0, 10, 8], 0.9), dt('a', [0, 0, 10, 10], 0.8)]],
    ]);
    // thresholds <= 0.8 (7): TP, FP -> 1; 0.85–0.95 (3): FP, TP -> precision 1/2
    expect(v).toBeCloseTo((7 * 1 + 3 * 0.5) / 10, 12);
  });

  it('leaves out categories without ground truth and keeps the top maxDetections per image and category', () => {
    const base = score(handExample);
    const withGhost = handExample.map(
      ([t, p]) => [t, [...p, dt('ghost', [0, 0, 5, 5], 0.99)]] as (typeof handExample)[0],
    );
    expect(score(withGhost)).toBeCloseTo(base, 15);
    const two: [GroundTruthBox[], DetectionBox[]][] = [
      [
        [gt('a', [0, 0, 10, 10]), gt('a', [20, 0, 10, 10])],
        [dt('a', [0, 0, 10, 10], 0.9), dt('a', [20, 0, 10, 10], 0.8)],
      ],
    ];
    // only the best detection survives: recall 1/2 -> precision 1 on 51 of 101 recall points
    expect(score(two, { maxDetections: 1 })).toBeCloseTo(51 / 101, 12);
  });

  it('takes custom IoU thresholds (e.g. AP50)', () => {
    expect(score(handExample, { iouThresholds: [0.5] })).toBeCloseTo((0.75 + 1) / 2, 12);
    expect(METRICS.map_iou.parseParams()).toEqual({ maxDetections: 100, iouThresholds: COCO_IOU_THRESHOLDS });
    expect(() => METRICS.map_iou.parseParams({ iouThresholds: [] })).toThrow(MetricParamsError);
    expect(() => METRICS.map_iou.parseParams({ maxDetections: 0 })).toThrow(MetricParamsError);
  });

  it('counts images without boxes, and is undefined without images or ground truth', () => {
    expect(() => score([])).toThrow(MetricUndefinedError);
    expect(() => score([[[], [dt('a', [0, 0, 1, 1], 0.5)]]])).toThrow(/no \(non-crowd\) boxes/);
    expect(score([...handExample, [[], []]])).toBeCloseTo(score(handExample), 15);
  });

  it('rejects malformed boxes and scores', () => {
    expect(() => score([[[gt('a', [0, 0, -1, 10])], []]])).toThrow(MetricInputError);
    expect(() => score([[[], [dt('a', [0, 0, 1, 1], NaN)]]])).toThrow(MetricInputError);
  });
});
