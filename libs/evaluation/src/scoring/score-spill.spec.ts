import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METRICS } from '../metrics';
import { splitPartitioner } from '../services/split';
import { scoreFiles, type ScoreFilesInput, type ScoreFilesResult } from './score-files';
import { scoreTabularSpilled, spillBucket, STALE_SPILL_MS, type SpillScoreInput } from './score-spill';
import { ScoringFileError } from './scoring.errors';

function lcg(seed: number) {
  let x = seed >>> 0;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000;
}

/** A permutation of `rows` (a Fisher-Yates shuffle with a fixed seed). */
function shuffle<T>(rows: T[], seed = 7): T[] {
  const out = [...rows];
  const rnd = lcg(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csv = (header: string, rows: string[][]) => [header, ...rows.map((r) => r.map(quote).join(','))];

let tempDir: string;
beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'aihub-spill-spec-'));
});
afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** The spill path with a tiny budget (many partitions, splits), beside the in-memory reference. */
async function both(
  input: ScoreFilesInput,
  spill: Partial<SpillScoreInput> = { partitionRows: 40 },
): Promise<[ScoreFilesResult, ScoreFilesResult]> {
  const exact = await scoreFiles(input);
  const spilled = await scoreTabularSpilled({ ...input, tempDir, ...spill });
  return [exact, spilled];
}

async function outcome(run: () => Promise<unknown>): Promise<unknown> {
  try {
    return { result: await run() };
  } catch (err) {
    if (!(err instanceof ScoringFileError)) return { thrown: String(err) };
    return { code: err.code, message: err.message, issues: err.issues, extra: err.extra };
  }
}

/** Both paths on the same files: the same result or the same error, field by field. */
async function sameOutcome(input: ScoreFilesInput, spill: Partial<SpillScoreInput> = { partitionRows: 3 }) {
  const exact = await outcome(() => scoreFiles(input));
  const spilled = await outcome(() => scoreTabularSpilled({ ...input, tempDir, ...spill }));
  expect(spilled).toEqual(exact);
  expect(await readdir(tempDir)).toEqual([]);
  return exact as { code?: string; issues?: ScoringFileError['issues']; message?: string };
}

const split = splitPartitioner('ab'.repeat(32), 0.3);
const partition = (id: string) => [split(id), 'all'];

describe('scoreTabularSpilled: scores', () => {
  const classes = ['市容环境', '交通出行', '噪音扰民', 'a,b', 'x"y'];
  const n = 3000;
  const rnd = lcg(42);
  const ids = Array.from({ length: n }, (_, i) => `ID${String(i).padStart(6, '0')}`);
  const labels = ids.map(() => classes[Math.floor(rnd() * rnd() * classes.length)]);
  const predicted = labels.map((l) => (rnd() < 0.7 ? l : classes[Math.floor(rnd() * classes.length)]));
  const truthLabels = csv(
    'id,label',
    ids.map((id, i) => [id, labels[i]]),
  );
  const predLabels = csv('id,label', shuffle(ids.map((id, i) => [id, predicted[i]])));

  it('gives the in-memory scores on shuffled label files, through many partitions and splits', async () => {
    for (const metric of ['accuracy', 'macro_f1', 'micro_f1', 'weighted_f1', 'precision', 'recall']) {
      const params = metric === 'precision' || metric === 'recall' ? { average: 'macro' } : undefined;
      const input = {
        metric,
        metricParams: params,
        targetColumn: 'label',
        truth: truthLabels,
        predictions: predLabels,
        partition,
      };
      const [exact, spilled] = await both(input);
      expect(spilled).toEqual(exact);
      expect(spilled.rows.all).toBe(n);
    }
    // known answer beside it: accuracy of the public part straight through the accumulator
    const acc = METRICS.accuracy.createAccumulator({});
    ids.forEach((id, i) => split(id) === 'public' && acc.add(labels[i], predicted[i]));
    const [, spilled] = await both({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: truthLabels,
      predictions: predLabels,
      partition,
    });
    expect(spilled.scores.public).toBe(acc.result());
    expect(spilled.rows.public).toBe(acc.count);
  });

  it('writes many spill files with a tiny budget and splits oversized partitions again', async () => {
    const input = { metric: 'accuracy', targetColumn: 'label', truth: truthLabels, predictions: predLabels };
    const joined: { depth: number; truthRows: number; files: number }[] = [];
    const onJoin = ({ depth, truthRows }: { depth: number; truthRows: number }) => {
      const [own] = readdirSync(tempDir);
      joined.push({ depth, truthRows, files: readdirSync(join(tempDir, own)).length });
    };
    const [exact, spilled] = await both(input, { partitionRows: 25, onJoin });
    expect(spilled).toEqual(exact);
    // size unknown: 16 first partitions of ~190 rows, each split again (deeper hash) below the budget
    expect(joined.length).toBeGreaterThan(16 * 8);
    expect(joined.every((j) => j.depth >= 1 && j.truthRows <= 25)).toBe(true);
    expect(joined.reduce((s, j) => s + j.truthRows, 0)).toBe(n);
    expect(Math.max(...joined.map((j) => j.files))).toBeGreaterThan(16);
    // with the expected size the first fan-out fits the budget
    joined.length = 0;
    const direct = await scoreTabularSpilled({
      ...input,
      tempDir,
      partitionRows: 25,
      expectedRows: n,
      onJoin,
    });
    expect(direct).toEqual(exact);
    // 3000 / (25 × 0.8) = 150 partitions at once (300 files); the few over the budget are split
    expect(Math.max(...joined.map((j) => j.files))).toBeGreaterThanOrEqual(298);
    expect(joined.filter((j) => j.depth === 0).length).toBeGreaterThan(120);
    expect(joined.every((j) => j.truthRows <= 25)).toBe(true);
    expect(joined.reduce((s, j) => s + j.truthRows, 0)).toBe(n);
  });

  it('holds order-sensitive sums to 1e-12 of the in-memory path on shuffled numeric files', async () => {
    const truth: string[][] = [];
    const pred: string[][] = [];
    for (let i = 0; i < 20_000; i++) {
      const y = 1e6 + rnd() * 1000; // a large mean stresses the running variance of r2
      truth.push([`r${i}`, String(y)]);
      pred.push([`r${i}`, String(y + (rnd() - 0.5) * 20)]);
    }
    for (const metric of ['rmse', 'mae', 'mape', 'r2']) {
      const input = {
        metric,
        targetColumn: 'y',
        truth: csv('id,y', truth),
        predictions: csv('id,y', shuffle(pred)),
        partition,
      };
      const [exact, spilled] = await both(input, { partitionRows: 500 });
      expect(spilled.rows).toEqual(exact.rows);
      expect(Object.keys(spilled.scores)).toEqual(['all', 'private', 'public']);
      for (const part of Object.keys(exact.scores)) {
        const e = exact.scores[part];
        expect(Math.abs(spilled.scores[part] - e)).toBeLessThanOrEqual(1e-12 * Math.abs(e));
      }
    }
    // known answer: a constant error of 0.5 whatever the order
    const shifted = truth.map(([id, y]) => [id, String(Number(y) + 0.5)]);
    const rmse = await scoreTabularSpilled({
      metric: 'rmse',
      targetColumn: 'y',
      truth: csv('id,y', truth),
      predictions: csv('id,y', shuffle(shifted)),
      tempDir,
      partitionRows: 500,
    });
    expect(rmse.scores.all).toBeCloseTo(0.5, 9);
  });

  it('scores probability files (one column and one per class), rankings and text like the in-memory path', async () => {
    const m = 2000;
    const binary: string[][] = [];
    const scoresP: string[][] = [];
    const perClass: string[][] = [];
    const three = ['cat', 'dog', 'emu'];
    const truth3: string[][] = [];
    for (let i = 0; i < m; i++) {
      const y = rnd() < 0.4 ? 'yes' : 'no';
      binary.push([`q${i}`, y]);
      // ties on purpose (two decimals): roc_auc must count them one half whatever the order
      scoresP.push([
        `q${i}`,
        (Math.round((y === 'yes' ? 0.3 + rnd() * 0.7 : rnd() * 0.7) * 100) / 100).toFixed(2),
      ]);
      const c = three[Math.floor(rnd() * 3)];
      truth3.push([`q${i}`, c]);
      const a = rnd();
      const b = rnd() * (1 - a);
      perClass.push([`q${i}`, String(b), String(1 - a - b), String(a)]);
    }
    for (const metric of ['roc_auc', 'log_loss']) {
      const [exact, spilled] = await both({
        metric,
        targetColumn: 'y',
        truth: csv('id,y', binary),
        predictions: csv('id,y', shuffle(scoresP)),
        partition,
      });
      if (metric === 'roc_auc') expect(spilled).toEqual(exact);
      for (const part of Object.keys(exact.scores))
        expect(Math.abs(spilled.scores[part] - exact.scores[part])).toBeLessThanOrEqual(
          1e-12 * Math.abs(exact.scores[part]),
        );
      const [exact3, spilled3] = await both({
        metric,
        targetColumn: 'y',
        truth: csv('id,y', truth3),
        predictions: csv('id,dog,emu,cat', shuffle(perClass)),
      });
      if (metric === 'roc_auc') expect(spilled3).toEqual(exact3);
      expect(Math.abs(spilled3.scores.all - exact3.scores.all)).toBeLessThanOrEqual(
        1e-12 * Math.abs(exact3.scores.all),
      );
    }

    const words = ['路', '灯', 'a', 'b', 'c', 'the', 'cat', '"q"', 'x,y'];
    const relevant: string[][] = [];
    const ranked: string[][] = [];
    const refs: string[][] = [];
    const hyps: string[][] = [];
    for (let i = 0; i < m; i++) {
      const r = words[Math.floor(rnd() * words.length)];
      relevant.push([`k${i}`, r]);
      ranked.push([`k${i}`, shuffle(words, i).slice(0, 4).join('|')]);
      const sentence = Array.from({ length: 6 }, () => words[Math.floor(rnd() * words.length)]);
      refs.push([`k${i}`, sentence.join(' ')]);
      hyps.push([`k${i}`, sentence.filter(() => rnd() < 0.8).join(i % 7 ? ' ' : '\n')]);
    }
    for (const [metric, params] of [
      ['hits_at_k', { k: 2 }],
      ['mrr', undefined],
    ] as const) {
      const [exact, spilled] = await both({
        metric,
        metricParams: params,
        targetColumn: 'y',
        truth: csv('id,y', relevant),
        predictions: csv('id,y', shuffle(ranked)),
        partition,
      });
      expect(spilled.rows).toEqual(exact.rows);
      for (const part of Object.keys(exact.scores))
        expect(Math.abs(spilled.scores[part] - exact.scores[part])).toBeLessThanOrEqual(
          1e-12 * Math.abs(exact.scores[part]),
        );
      if (metric === 'hits_at_k') expect(spilled).toEqual(exact);
    }
    for (const metric of ['bleu', 'rouge_l', 'wer', 'cer']) {
      const [exact, spilled] = await both({
        metric,
        targetColumn: 'y',
        truth: csv('id,y', refs),
        predictions: csv('id,y', shuffle(hyps)),
        partition,
      });
      if (metric === 'rouge_l') {
        expect(spilled.rows).toEqual(exact.rows);
        expect(Math.abs(spilled.scores.all - exact.scores.all)).toBeLessThanOrEqual(1e-12 * exact.scores.all);
      } else {
        expect(spilled).toEqual(exact);
      }
    }
  });

  it('leaves the JSON kinds to the in-memory path', async () => {
    const truth = ['{"id":"d1","spans":[{"start":0,"end":2,"type":"LOC"}]}'];
    const predictions = ['{"id":"d1","spans":[{"start":0,"end":2,"type":"LOC"}]}'];
    const result = await scoreTabularSpilled({ metric: 'span_f1', truth, predictions, tempDir });
    expect(result.scores.all).toBe(1);
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('spreads ids evenly over the buckets', () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 160_000; i++) counts[spillBucket(`ID${String(i).padStart(9, '0')}`, 0, 16)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    // another depth hashes differently (a split really splits)
    const inBucket0 = Array.from({ length: 20_000 }, (_, i) => `x${i}`).filter(
      (id) => spillBucket(id, 0, 4) === 0,
    );
    const again = new Set(inBucket0.map((id) => spillBucket(id, 1, 4)));
    expect(again.size).toBe(4);
  });
});

describe('scoreTabularSpilled: errors are those of scoreFiles on shuffled files', () => {
  const truthRows = Array.from({ length: 200 }, (_, i) => [`t${i}`, ['a', 'b', 'c'][i % 3]]);
  const truth = csv('id,label', truthRows);

  it('missing, duplicate and unknown ids, with counts and first lines', async () => {
    const rows = shuffle(truthRows.slice(20)); // 20 missing
    rows.splice(30, 0, ['t50', 'a'], ['zz1', 'b']);
    rows.splice(90, 0, ['t50', 'b'], ['t51', 'c'], ['zz2', 'a']);
    rows.push(['zz1', 'a'], ['t199', 'a']);
    const error = await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', rows),
    });
    expect(error.code).toBe('PREDICTIONS_INVALID');
    expect(error.issues!.map((i) => [i.reason, i.count])).toEqual([
      ['DUPLICATE_IDS', 4],
      ['MISSING_IDS', 20],
      ['UNKNOWN_IDS', 3],
    ]);
    expect(error.issues![1].examples).toEqual(['t0', 't1', 't2', 't3', 't4'].map((id) => ({ id })));
  });

  it('maxExamples keeps the first examples by line over all partitions', async () => {
    const rows = shuffle(truthRows).map(([id, l], i) => [i % 3 ? id : `u${i}`, l]);
    const error = await sameOutcome({
      metric: 'macro_f1',
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', rows),
      maxExamples: 7,
    });
    expect(error.issues!.find((i) => i.reason === 'UNKNOWN_IDS')!.examples.map((e) => e.line)).toEqual([
      2, 5, 8, 11, 14, 17, 20,
    ]);
  });

  it('wrong header, wrong labels, field counts, empty ids', async () => {
    await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: ['ID,Label', 't1,a'],
    });
    const rows = shuffle(truthRows).map(([id, l], i) => [id, i % 17 === 3 ? 'zz' : l]);
    rows.splice(10, 0, ['', 'a'], ['t5', 'a', 'extra']);
    const error = await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', rows),
    });
    expect(error.issues!.map((i) => i.reason)).toEqual([
      'WRONG_FIELD_COUNT',
      'EMPTY_ID',
      'DUPLICATE_IDS',
      'UNKNOWN_LABELS',
    ]);
    await sameOutcome({
      metric: 'accuracy',
      metricParams: { classes: ['a', 'b'] },
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', shuffle(truthRows)),
    });
  });

  it('non-numeric values at their line, NaN/Inf, out of range', async () => {
    const numTruth = Array.from({ length: 300 }, (_, i) => [`n${i}`, String(i / 7)]);
    const rows = shuffle(numTruth).map(([id, v], i) => [
      id,
      i === 40 ? 'abc' : i === 77 ? 'NaN' : i === 78 ? '-inf' : i === 120 ? '' : v,
    ]);
    const error = await sameOutcome({
      metric: 'rmse',
      targetColumn: 'y',
      truth: csv('id,y', numTruth),
      predictions: csv('id,y', rows),
    });
    expect(error.issues!.map((i) => [i.reason, i.count, i.examples[0].line])).toEqual([
      ['MISSING_VALUE', 1, 122],
      ['NON_NUMERIC', 1, 42],
      ['NOT_FINITE', 2, 79],
    ]);
    const binary = Array.from({ length: 100 }, (_, i) => [`p${i}`, i % 2 ? 'y' : 'n']);
    await sameOutcome({
      metric: 'log_loss',
      targetColumn: 'y',
      truth: csv('id,y', binary),
      predictions: csv(
        'id,y',
        shuffle(binary).map(([id], i) => [id, i % 9 === 4 ? '1.5' : '0.5']),
      ),
    });
  });

  it('ground-truth problems, duplicates first, before the predictions are read', async () => {
    const dupTruth = [...truthRows, ['t7', 'a'], ['t150', 'b'], ['t7', 'c']];
    const shuffledTruth = csv('id,label', shuffle(dupTruth, 3));
    const good = csv('id,label', shuffle(truthRows));
    const a = await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: shuffledTruth,
      predictions: good,
    });
    expect(a.code).toBe('GROUND_TRUTH_INVALID');
    expect(a.issues!.map((i) => [i.reason, i.count])).toEqual([['DUPLICATE_IDS', 3]]);
    // truth duplicates beside another truth problem
    const b = await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: [...shuffledTruth, 't999,'],
      predictions: good,
    });
    expect(b.issues!.map((i) => i.reason)).toEqual(['DUPLICATE_IDS', 'MISSING_VALUE']);
    // truth duplicates win over a predictions file that fails at once
    const c = await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth: shuffledTruth,
      predictions: ['nope', 'x'],
    });
    expect(c.code).toBe('GROUND_TRUTH_INVALID');
    await sameOutcome({ metric: 'accuracy', targetColumn: 'label', truth: ['id,label'], predictions: good });
    await sameOutcome({ metric: 'accuracy', targetColumn: 'label', truth: [], predictions: good });
    await sameOutcome({ metric: 'accuracy', targetColumn: 'label', truth, predictions: ['id,label'] });
    await sameOutcome({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: ['id,label', '"t1,a'],
    });
  });

  it('removes its temporary folder after success and after an error', async () => {
    const ok = await scoreTabularSpilled({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', shuffle(truthRows)),
      tempDir,
      partitionRows: 10,
    });
    expect(ok.scores.all).toBe(1);
    expect(await readdir(tempDir)).toEqual([]);
    // a stream that breaks in the middle of the predictions (an infrastructure error)
    async function* broken() {
      yield csv('id,label', truthRows.slice(0, 150));
      throw new Error('connection reset');
    }
    await expect(
      scoreTabularSpilled({
        metric: 'accuracy',
        targetColumn: 'label',
        truth,
        predictions: broken(),
        tempDir,
        partitionRows: 10,
      }),
    ).rejects.toThrow('connection reset');
    expect(await readdir(tempDir)).toEqual([]);
    const bad = await outcome(() =>
      scoreTabularSpilled({
        metric: 'accuracy',
        targetColumn: 'label',
        truth,
        predictions: csv('id,label', [['t1', 'zz']]),
        tempDir,
        partitionRows: 10,
      }),
    );
    expect(bad).toMatchObject({ code: 'PREDICTIONS_INVALID' });
    expect(await readdir(tempDir)).toEqual([]);
  });

  it("removes a crashed worker's spill folder once it is older than any scoring job, not a running one's", async () => {
    const old = join(tempDir, 'scoring-crashed');
    const running = join(tempDir, 'scoring-running');
    const other = join(tempDir, 'not-ours');
    for (const d of [old, running, other]) await mkdir(d);
    const long = new Date(Date.now() - STALE_SPILL_MS - 60_000);
    await utimes(old, long, long);
    await utimes(other, long, long);
    await scoreTabularSpilled({
      metric: 'accuracy',
      targetColumn: 'label',
      truth,
      predictions: csv('id,label', truthRows),
      tempDir,
    });
    expect((await readdir(tempDir)).sort()).toEqual(['not-ours', 'scoring-running']);
  });
});
