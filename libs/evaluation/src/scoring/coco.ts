/**
 * COCO-style detection files for map_iou, read as a stream of array elements:
 * - ground truth: `{"images": [{"id"}], "annotations": [{"image_id", "category_id", "bbox": [x, y, w, h],
 *   "iscrowd"?}], "categories"?: [{"id", "name"}]}`;
 * - predictions (COCO results format): `[{"image_id", "category_id", "bbox": [x, y, w, h], "score"}]`.
 * Ids may be numbers or strings (compared as strings). Images are scored in ascending id order, as pycocotools.
 */
import type { DetectionBox, GroundTruthBox } from '../metrics/metric-types';
import { sortLabels } from '../metrics/numeric';
import { JsonArrayStreamer, JsonStreamError, type JsonElement } from './json-stream';
import { IssueCollector, shorten, type IssueExample } from './scoring.errors';

/** Text pieces in any split (use `decodeUtf8` for bytes); line sources (also batched) work when `lines` is set. */
export type TextSource = AsyncIterable<string | readonly string[]> | Iterable<string | readonly string[]>;

export interface DetectionTruth {
  /** Image ids in scoring order (ascending, numeric when all are numbers). */
  imageIds: string[];
  boxes: Map<string, GroundTruthBox[]>;
  /** Category ids of `categories` (or of the annotations when there is no list). */
  categories: Set<string>;
}

const MAX_LISTED = 30;

function idOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim()) return value.trim();
  return undefined;
}

function bboxOf(value: unknown): [number, number, number, number] | string {
  if (!Array.isArray(value) || value.length !== 4) return '"bbox" must be [x, y, width, height]';
  if (!value.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return '"bbox" must hold 4 finite numbers';
  if (value[2] < 0 || value[3] < 0) return '"bbox" width and height must be >= 0';
  return value as [number, number, number, number];
}

/** Runs the streamer over `source`, turning structural errors into INVALID_JSON. */
async function stream(
  source: TextSource,
  keys: string[],
  issues: IssueCollector,
  onElement: (e: JsonElement, value: unknown) => void,
  lines: boolean,
): Promise<JsonArrayStreamer> {
  const streamer = new JsonArrayStreamer(new Set(keys), (e) => {
    let value: unknown;
    try {
      value = JSON.parse(e.text);
    } catch (error) {
      issues.add('INVALID_JSON', { line: e.line, detail: shorten((error as Error).message) });
      return;
    }
    onElement(e, value);
  });
  let empty = true;
  try {
    for await (const item of source) {
      for (const piece of typeof item === 'string' ? [item] : item) {
        if (piece.length) empty = false;
        streamer.feed(piece);
        if (lines) streamer.feed('\n');
      }
    }
    if (empty) issues.fail('EMPTY_FILE', {});
    streamer.end();
  } catch (error) {
    if (!(error instanceof JsonStreamError)) throw error;
    issues.fail('INVALID_JSON', { line: error.line, detail: error.message });
  }
  return streamer;
}

export interface CocoReadOptions {
  /** The source yields lines (newlines removed) rather than raw text pieces. */
  lines?: boolean;
  maxExamples?: number;
}

/** Loads a COCO ground truth; throws GROUND_TRUTH_INVALID with every problem. */
export async function loadCocoTruth(
  source: TextSource,
  options: CocoReadOptions = {},
): Promise<DetectionTruth> {
  const issues = new IssueCollector('truth', options.maxExamples);
  const images = new Set<string>();
  const categoryList = new Set<string>();
  const annotations: { image: string; box: GroundTruthBox; line: number }[] = [];
  const streamer = await stream(
    source,
    ['images', 'annotations', 'categories'],
    issues,
    (e, value) => {
      const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      if (e.key === 'images') {
        const id = idOf(o.id);
        if (id === undefined)
          issues.add('INVALID_RECORD', { line: e.line, detail: 'an image needs an "id"' });
        else if (images.has(id)) issues.add('DUPLICATE_IDS', { line: e.line, id });
        else images.add(id);
      } else if (e.key === 'categories') {
        const id = idOf(o.id);
        if (id === undefined)
          issues.add('INVALID_RECORD', { line: e.line, detail: 'a category needs an "id"' });
        else categoryList.add(id);
      } else {
        const image = idOf(o.image_id);
        const category = idOf(o.category_id);
        const bbox = bboxOf(o.bbox);
        if (image === undefined || category === undefined || typeof bbox === 'string') {
          const detail =
            image === undefined
              ? 'an annotation needs an "image_id"'
              : category === undefined
                ? 'an annotation needs a "category_id"'
                : (bbox as string);
          issues.add('INVALID_RECORD', { line: e.line, detail });
          return;
        }
        annotations.push({
          image,
          box: { category, bbox, iscrowd: o.iscrowd === 1 || o.iscrowd === true },
          line: e.line,
        });
      }
    },
    options.lines ?? false,
  );
  if (
    streamer.topLevel !== '{' ||
    !streamer.seenKeys.has('images') ||
    !streamer.seenKeys.has('annotations')
  ) {
    issues.fail('INVALID_RECORD', {
      detail:
        'the ground truth must be a COCO object with "images" and "annotations" arrays (and optionally "categories")',
    });
  }
  const boxes = new Map<string, GroundTruthBox[]>();
  const categories = categoryList.size ? categoryList : new Set(annotations.map((a) => a.box.category));
  for (const a of annotations) {
    if (!images.has(a.image)) {
      issues.add('UNKNOWN_IDS', { line: a.line, id: a.image, detail: 'image_id is not in "images"' });
      continue;
    }
    if (!categories.has(a.box.category)) {
      issues.add('UNKNOWN_LABELS', {
        line: a.line,
        value: a.box.category,
        detail: 'category_id is not in "categories"',
      });
      continue;
    }
    let list = boxes.get(a.image);
    if (!list) boxes.set(a.image, (list = []));
    list.push(a.box);
  }
  if (!images.size && !issues.hasIssues) issues.fail('EMPTY_FILE', { detail: 'no images' });
  issues.throwIfAny();
  return { imageIds: sortLabels(images), boxes, categories };
}

/**
 * Reads COCO results for `truth`, grouped by image. Problems (unknown image or category ids, malformed boxes or
 * scores, invalid JSON) go to `issues` with line numbers.
 */
export async function readCocoPredictions(
  truth: DetectionTruth,
  source: TextSource,
  issues: IssueCollector,
  options: CocoReadOptions = {},
): Promise<Map<string, DetectionBox[]>> {
  const byImage = new Map<string, DetectionBox[]>();
  const images = new Set(truth.imageIds);
  const known = [...truth.categories];
  const streamer = await stream(
    source,
    [],
    issues,
    (e, value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.add('INVALID_RECORD', { line: e.line, detail: 'each detection must be an object' });
        return;
      }
      const o = value as Record<string, unknown>;
      const image = idOf(o.image_id);
      const category = idOf(o.category_id);
      const bbox = bboxOf(o.bbox);
      const example: IssueExample = { line: e.line };
      if (image === undefined)
        return issues.add('INVALID_RECORD', { ...example, detail: 'a detection needs an "image_id"' });
      if (!images.has(image)) return issues.add('UNKNOWN_IDS', { ...example, id: image });
      if (category === undefined) {
        return issues.add('INVALID_RECORD', {
          ...example,
          id: image,
          detail: 'a detection needs a "category_id"',
        });
      }
      if (!truth.categories.has(category)) {
        return issues.add(
          'UNKNOWN_LABELS',
          { ...example, id: image, value: category },
          { known: known.length <= MAX_LISTED ? sortLabels(known) : undefined },
        );
      }
      if (typeof bbox === 'string')
        return issues.add('INVALID_RECORD', { ...example, id: image, detail: bbox });
      if (typeof o.score !== 'number') {
        return issues.add(o.score === undefined || o.score === null ? 'MISSING_VALUE' : 'NON_NUMERIC', {
          ...example,
          id: image,
          column: 'score',
          ...(o.score === undefined || o.score === null ? {} : { value: shorten(JSON.stringify(o.score)) }),
        });
      }
      let list = byImage.get(image);
      if (!list) byImage.set(image, (list = []));
      list.push({ category, bbox, score: o.score });
    },
    options.lines ?? false,
  );
  if (streamer.topLevel === '{') {
    issues.fail('INVALID_JSON', {
      detail:
        'the predictions must be a JSON array of detections [{"image_id", "category_id", "bbox", "score"}] (COCO results format)',
    });
  }
  return byImage;
}
