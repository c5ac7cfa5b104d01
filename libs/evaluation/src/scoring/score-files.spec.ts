import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationFailedError } from '@aihub/core/errors/domain-error';
import { METRICS } from '../metrics';
import { MetricParamsError, MetricUndefinedError } from '../metrics/metric.errors';
import { scoreFiles, type ScoreFilesInput } from './score-files';
import { splitLineBatches } from './lines';
import { ScoringFileError } from './scoring.errors';

const lines = (text: string) => text.split('\n');

async function failure(input: ScoreFilesInput): Promise<ScoringFileError> {
  const error = await scoreFiles(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScoringFileError);
  return error as ScoringFileError;
}

const labelTruth = lines('id,label\n1,a\n2,b\n3,a\n4,c\n5,b');

describe('scoreFiles: label files', () => {
  it('aligns predictions by id whatever their order and scores them', async () => {
    const predictions = lines('id,label\n5,b\n3,a\n1,a\n4,b\n2,b\n');
    const result = await scoreFiles({
      metric: 'macro_f1',
      targetColumn: 'label',
      truth: labelTruth,
      predictions,
    });
    const acc = METRICS.macro_f1.createAccumulator();
    [
      ['a', 'a'],
      ['b', 'b'],
      ['a', 'a'],
      ['c', 'b'],
      ['b', 'b'],
    ].forEach(([t, p]) => acc.add(t, p));
    expect(result).toEqual({
      metric: 'macro_f1',
      direction: 'higher',
      scores: { all: acc.result() },
      rows: { all: 5 },
    });
  });

  it('scores each partition of the ids (a row may go to several)', async () => {
    const predictions = lines('id,label\n1,a\n2,a\n3,a\n4,c\n5,b');
    const result = await scoreFiles({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: labelTruth,
      predictions,
      partition: (id) => ['all', Number(id) <= 2 ? 'public' : 'private'],
    });
    expect(result.scores).toEqual({ all: 4 / 5, private: 1, public: 1 / 2 });
    expect(result.rows).toEqual({ all: 5, private: 3, public: 2 });
  });

  it('takes async line streams, CRLF lines and quoted fields', async () => {
    async function* stream(text: string) {
      for (const line of text.split('\n')) yield line;
    }
    const result = await scoreFiles({
      metric: 'accuracy',
      idColumn: 'ticket',
      targetColumn: 'category',
      truth: stream('ticket,category\r\n"1","城管, 市容"\r\n2,交通\r\n'),
      predictions: stream('category,ticket\n"城管, 市容",1\n交通,2'),
    });
    expect(result.scores.all).toBe(1);
  });

  it('streams byte chunks through splitLineBatches (batches of lines)', async () => {
    async function* bytes(text: string, size: number) {
      const buf = Buffer.from(text);
      for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
    }
    const truth = ['id,label', ...Array.from({ length: 5000 }, (_, i) => `${i},${i % 3 ? '是' : '否'}`)].join(
      '\r\n',
    );
    const predictions = ['id,label', ...Array.from({ length: 5000 }, (_, i) => `${4999 - i},是`)].join('\n');
    const result = await scoreFiles({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: splitLineBatches(bytes(truth, 777)),
      predictions: splitLineBatches(bytes(predictions, 1000)),
    });
    expect(result.scores.all).toBeCloseTo(3333 / 5000, 15);
  });

  it('names the expected and found columns of a wrong header', async () => {
    const error = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: labelTruth,
      predictions: lines('ID,Label\n1,a'),
    });
    expect(error.code).toBe('PREDICTIONS_INVALID');
    expect(error.status).toBe(422);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      reason: 'WRONG_HEADER',
      expected: ['id', 'label'],
      found: ['ID', 'Label'],
    });
    expect(error.message).toBe(
      "The predictions header must contain the columns 'id', 'label'; found 'ID', 'Label'; missing 'id', 'label'. " +
        "Column names are case- and space-sensitive: did you mean 'ID', 'Label'?",
    );
  });

  it('reports duplicate, unknown and missing ids together, with counts and first line numbers', async () => {
    const error = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: labelTruth,
      predictions: lines('id,label\n1,a\n2,b\n1,b\n9,a\n2,a\n10,a'),
    });
    expect(error.reasons).toEqual(['DUPLICATE_IDS', 'MISSING_IDS', 'UNKNOWN_IDS']);
    const [duplicates, missing, unknown] = error.issues;
    expect(duplicates).toMatchObject({
      count: 2,
      examples: [
        { line: 4, id: '1', firstLine: 2 },
        { line: 6, id: '2', firstLine: 3 },
      ],
    });
    expect(duplicates.message).toBe(
      "2 rows of the predictions file repeat an id that appeared before. '1' (line 4), first seen on line 2; '2' (line 6), first seen on line 3.",
    );
    expect(missing).toMatchObject({ count: 3, examples: [{ id: '3' }, { id: '4' }, { id: '5' }] });
    expect(missing.message).toBe("3 ids of the ground truth have no row in the predictions. '3'; '4'; '5'.");
    expect(unknown).toMatchObject({
      count: 2,
      examples: [
        { line: 5, id: '9' },
        { line: 7, id: '10' },
      ],
    });
    expect(unknown.message).toMatch(
      /^2 rows of the predictions have ids that are not in the ground truth\. '9' \(line 5\)/,
    );
    expect(error.extra).toMatchObject({ file: 'predictions' });
  });

  it('keeps the first examples and the full count on large files', async () => {
    const truth = ['id,label', ...Array.from({ length: 1000 }, (_, i) => `${i},a`)];
    const predictions = ['id,label', ...Array.from({ length: 1000 }, (_, i) => `${i},${i % 2 ? 'zz' : 'a'}`)];
    const error = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions,
      maxExamples: 3,
    });
    expect(error.issues[0]).toMatchObject({ reason: 'UNKNOWN_LABELS', count: 500, known: ['a'] });
    expect(error.issues[0].examples.map((e) => e.line)).toEqual([3, 5, 7]);
    expect(error.message).toBe(
      "500 rows of the predictions file use labels that are not a class of this task. Valid labels: 'a'. " +
        "First 3: line 3, column 'label' (id '1'): 'zz'; line 5, column 'label' (id '3'): 'zz'; line 7, column 'label' (id '5'): 'zz'.",
    );
  });

  it('checks labels against metricParams.classes when given', async () => {
    const ok = await scoreFiles({
      metric: 'accuracy',
      metricParams: { classes: ['a', 'b', 'c', 'd'] },
      targetColumn: 'label',
      truth: labelTruth,
      predictions: lines('id,label\n1,d\n2,b\n3,a\n4,c\n5,b'),
    });
    expect(ok.scores.all).toBe(0.8);
    const error = await failure({
      metric: 'accuracy',
      metricParams: { classes: ['a', 'b'] },
      targetColumn: 'label',
      truth: labelTruth,
      predictions: lines('id,label\n1,a'),
    });
    expect(error.code).toBe('GROUND_TRUTH_INVALID');
    expect(error.issues[0]).toMatchObject({ reason: 'UNKNOWN_LABELS', examples: [{ line: 5, value: 'c' }] });
  });

  it('reports rows with the wrong number of fields, empty ids and empty labels', async () => {
    const error = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: labelTruth,
      predictions: lines('id,label\n1,a,extra\n,b\n3,\n4,c\n5,b\n2,b'),
    });
    // the id of the row with too many fields still counts as present: no MISSING_IDS on top
    expect(error.reasons).toEqual(['WRONG_FIELD_COUNT', 'EMPTY_ID', 'MISSING_VALUE']);
    expect(error.issues[0].message).toBe(
      '1 row of the predictions file does not have as many fields as the header. Line 2: 3 fields instead of 2.',
    );
    expect(error.issues[1].examples).toEqual([{ line: 3 }]);
  });

  it('fails on empty files', async () => {
    expect(
      (await failure({ metric: 'accuracy', targetColumn: 'label', truth: labelTruth, predictions: [] }))
        .reasons,
    ).toEqual(['EMPTY_FILE']);
    const headerOnly = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: labelTruth,
      predictions: ['id,label'],
    });
    expect(headerOnly.reasons).toEqual(['MISSING_IDS']);
    const emptyTruth = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: ['id,label', ''],
      predictions: [],
    });
    expect(emptyTruth.code).toBe('GROUND_TRUTH_INVALID');
  });

  it('reports ground-truth problems as GROUND_TRUTH_INVALID', async () => {
    const error = await failure({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: lines('id,label\n1,a\n1,b\n2,'),
      predictions: lines('id,label\n1,a'),
    });
    expect(error.code).toBe('GROUND_TRUTH_INVALID');
    expect(error.reasons).toEqual(['DUPLICATE_IDS', 'MISSING_VALUE']);
    expect(error.issues[0].examples).toEqual([{ line: 3, id: '1', firstLine: 2 }]);
  });
});

describe('scoreFiles: numeric files', () => {
  const truth = lines('id,price\na,1\nb,2\nc,3');

  it('scores rmse', async () => {
    const result = await scoreFiles({
      metric: 'rmse',
      targetColumn: 'price',
      truth,
      predictions: lines('id,price\nc,3\nb,2\na,4'),
    });
    expect(result.scores.all).toBeCloseTo(Math.sqrt(3), 15);
    expect(result.direction).toBe('lower');
  });

  it('reports non-numeric values with their line, and NaN/Inf separately', async () => {
    const error = await failure({
      metric: 'rmse',
      targetColumn: 'price',
      truth,
      predictions: lines('id,price\na,1.5\nb,abc\nc,nan'),
    });
    expect(error.reasons).toEqual(['NON_NUMERIC', 'NOT_FINITE']);
    expect(error.issues[0].message).toBe(
      "1 value of the predictions file is not a number. Line 3, column 'price' (id 'b'): 'abc'.",
    );
    expect(error.issues[1].examples).toEqual([{ line: 4, id: 'c', column: 'price', value: 'nan' }]);
  });

  it('is undefined for r2 on one row', async () => {
    await expect(
      scoreFiles({ metric: 'r2', targetColumn: 'y', truth: ['id,y', '1,2'], predictions: ['id,y', '1,2'] }),
    ).rejects.toBeInstanceOf(MetricUndefinedError);
  });
});

describe('scoreFiles: probability files', () => {
  const truth = lines('id,label\n1,yes\n2,no\n3,yes\n4,no');

  it('takes the positive-class probability in the target column', async () => {
    const result = await scoreFiles({
      metric: 'roc_auc',
      targetColumn: 'label',
      truth,
      predictions: lines('id,label\n1,0.9\n2,0.4\n3,0.4\n4,0.1'),
    });
    // positive 'yes' (greater label): pairs (0.9>0.4, 0.9>0.1, 0.4=0.4, 0.4>0.1) = 3.5/4
    expect(result.scores.all).toBe(0.875);
  });

  it('takes one column per class, in any order', async () => {
    const result = await scoreFiles({
      metric: 'log_loss',
      targetColumn: 'label',
      truth,
      predictions: lines('yes,id,no\n0.5,1,0.5\n0.25,2,0.75\n1,3,0\n0,4,1'),
    });
    const expected = (-Math.log(0.5) - Math.log(0.75) - Math.log(1 - 2.220446049250313e-16) * 2) / 4;
    expect(result.scores.all).toBeCloseTo(expected, 15);
  });

  it('names missing and unexpected class columns', async () => {
    const error = await failure({
      metric: 'log_loss',
      targetColumn: 'label',
      truth,
      predictions: lines('id,yes,maybe\n1,0.5,0.5'),
    });
    expect(error.issues[0]).toMatchObject({ reason: 'WRONG_HEADER', expected: ['id', 'no', 'yes'] });
    expect(error.message).toBe(
      "The predictions header must contain 'id' and either 'label' (the probability of the positive class) or one probability column per class ('no', 'yes'); " +
        "found 'id', 'yes', 'maybe'. Missing class columns: 'no'. Unexpected columns: 'maybe'.",
    );
  });

  it('rejects probabilities outside [0, 1] for log_loss', async () => {
    const error = await failure({
      metric: 'log_loss',
      targetColumn: 'label',
      truth,
      predictions: lines('id,label\n1,1.2\n2,0.4\n3,-1\n4,0.1'),
    });
    expect(error.issues[0]).toMatchObject({ reason: 'OUT_OF_RANGE', count: 2 });
    expect(error.message).toBe(
      "2 values of the predictions file are out of range. Values must be between 0 and 1. Line 2, column 'label' (id '1'): '1.2'; line 4, column 'label' (id '3'): '-1'.",
    );
  });

  it('says why roc_auc is undefined on a single class', async () => {
    await expect(
      scoreFiles({
        metric: 'roc_auc',
        targetColumn: 'y',
        truth: ['id,y', '1,a', '2,a'],
        predictions: ['id,y', '1,0.1', '2,0.2'],
      }),
    ).rejects.toThrow(/only one class/);
  });
});

describe('scoreFiles: ranking and text files', () => {
  it('scores hits_at_k on |-separated rankings', async () => {
    const result = await scoreFiles({
      metric: 'hits_at_k',
      metricParams: { k: 2 },
      targetColumn: 'ranking',
      truth: lines('id,ranking\nq1,e3\nq2,e1|e9\nq3,e7'),
      predictions: lines('id,ranking\nq1,e1|e3|e2\nq2,e5|e4|e9\nq3,'),
    });
    expect(result.scores.all).toBeCloseTo(1 / 3, 15);
  });

  it('scores cer on quoted text with commas and line breaks', async () => {
    const result = await scoreFiles({
      metric: 'cer',
      targetColumn: 'text',
      truth: lines('id,text\n1,"你好，\n世界"\n2,再见'),
      predictions: lines('id,text\n2,再见\n1,"你好,世界"'),
    });
    // 你好，世界再见 (7 characters), one substitution (， vs ,)
    expect(result.scores.all).toBeCloseTo(1 / 7, 15);
  });
});

describe('scoreFiles: span files (JSON lines)', () => {
  const truth = [
    '{"id": "d1", "spans": [{"start": 0, "end": 2, "type": "PER"}, {"start": 5, "end": 8, "type": "LOC"}]}',
    '{"id": "d2", "spans": []}',
  ];

  it('scores span_f1', async () => {
    const result = await scoreFiles({
      metric: 'span_f1',
      truth,
      predictions: ['{"id":"d2","spans":[]}', '', '{"id":"d1","spans":[{"start":0,"end":2,"type":"PER"}]}'],
    });
    expect(result.scores.all).toBeCloseTo(2 / 3, 15);
  });

  it('reports invalid JSON, malformed spans, and missing documents', async () => {
    const error = await failure({
      metric: 'span_f1',
      truth,
      predictions: ['{"id":"d1","spans":[{"start":3,"end":2,"type":"PER"}]}', '{"id":"d2",'],
    });
    expect(error.reasons).toEqual(['INVALID_JSON', 'INVALID_RECORD', 'MISSING_IDS']);
    expect(error.issues[1].message).toBe(
      "1 record of the predictions file is malformed. Line 1 (id 'd1'): spans[0].end must be an integer greater than start (end is exclusive).",
    );
    expect(error.issues[0].examples[0].line).toBe(2);
  });
});

describe('scoreFiles: COCO detection files', () => {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/sklearn-reference.json'), 'utf8'),
  ) as {
    detection: Record<string, { groundTruth: unknown; predictions: unknown[] }>;
    cases: { metric: string; dataset: string; expected: number }[];
  };

  it('scores map_iou from COCO JSON (pretty-printed or one line) like the reference', async () => {
    const { groundTruth, predictions } = fixture.detection.coco_random;
    const expected = fixture.cases.find((c) => c.dataset === 'coco_random')!.expected;
    const result = await scoreFiles({
      metric: 'map_iou',
      truth: lines(JSON.stringify(groundTruth, null, 2)),
      predictions: [JSON.stringify(predictions)],
    });
    expect(Math.abs(result.scores.all - expected)).toBeLessThan(1e-9);
    expect(result.rows.all).toBe(25);
  });

  it('reports unknown images and categories, bad boxes and scores with line numbers', async () => {
    const truth = [
      JSON.stringify({
        images: [{ id: 1 }],
        annotations: [{ image_id: 1, category_id: 3, bbox: [0, 0, 5, 5] }],
        categories: [{ id: 3 }],
      }),
    ];
    const predictions = lines(
      '[\n{"image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5], "score": 0.9},\n{"image_id": 7, "category_id": 3, "bbox": [0, 0, 5, 5], "score": 0.9},\n' +
        '{"image_id": 1, "category_id": 4, "bbox": [0, 0, 5, 5], "score": 0.9},\n{"image_id": 1, "category_id": 3, "bbox": [0, 0, 5], "score": 0.9},\n' +
        '{"image_id": 1, "category_id": 3, "bbox": [0, 0, 5, 5], "score": "high"}\n]',
    );
    const error = await failure({ metric: 'map_iou', truth, predictions });
    expect(error.reasons).toEqual(['INVALID_RECORD', 'UNKNOWN_IDS', 'NON_NUMERIC', 'UNKNOWN_LABELS']);
    expect(error.issues.map((i) => i.examples[0].line)).toEqual([5, 3, 6, 4]);
  });

  it('requires COCO shapes', async () => {
    const error = await failure({ metric: 'map_iou', truth: ['{"images": []}'], predictions: ['[]'] });
    expect(error.code).toBe('GROUND_TRUTH_INVALID');
    const truth = ['{"images": [{"id": 1}], "annotations": []}'];
    const notArray = await failure({ metric: 'map_iou', truth, predictions: ['{"annotations": []}'] });
    expect(notArray.message).toMatch(/must be a JSON array of detections/);
    const broken = await failure({ metric: 'map_iou', truth, predictions: ['[{"image_id": 1,', ''] });
    expect(broken.reasons).toContain('INVALID_JSON');
  });
});

describe('scoreFiles: request validation', () => {
  it('rejects unknown metrics, bad params and a missing target column before reading files', async () => {
    await expect(scoreFiles({ metric: 'f1', truth: [], predictions: [] })).rejects.toBeInstanceOf(
      ValidationFailedError,
    );
    await expect(
      scoreFiles({ metric: 'hits_at_k', targetColumn: 'r', truth: [], predictions: [] }),
    ).rejects.toBeInstanceOf(MetricParamsError);
    await expect(scoreFiles({ metric: 'accuracy', truth: [], predictions: [] })).rejects.toThrow(
      /targetColumn is required/,
    );
  });
});
