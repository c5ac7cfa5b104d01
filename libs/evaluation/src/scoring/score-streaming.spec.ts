import { METRICS } from '../metrics';
import { scoreFiles } from './score-files';
import { scoreTabularStreaming } from './score-streaming';

const csv = (rows: [string, string][], header = 'id,y') => [header, ...rows.map(([a, b]) => `${a},${b}`)];
const classes = ['a', 'b', 'c'];

function data(n: number) {
  const truth: [string, string][] = [];
  const pred: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    truth.push([`r${i}`, classes[(i * 7) % 3]]);
    pred.push([`r${i}`, classes[(i * 7 + (i % 5 === 0 ? 1 : 0)) % 3]]);
  }
  return { truth, pred };
}

const split = (id: string) => (Number(id.slice(1)) % 3 === 0 ? 'public' : 'private');

describe('scoreTabularStreaming', () => {
  it('gives exactly the in-memory scores when the predictions follow the truth order', async () => {
    const { truth, pred } = data(5000);
    const base = { metric: 'macro_f1', targetColumn: 'y', partition: split };
    const exact = await scoreFiles({ ...base, truth: csv(truth), predictions: csv(pred) });
    const streamed = await scoreTabularStreaming({
      ...base,
      truth: csv(truth),
      predictions: csv(pred),
      truthLabels: classes,
    });
    expect(streamed).toEqual(exact);
    // known answer beside it: macro_f1 of the public part through the accumulator
    const acc = METRICS.macro_f1.createAccumulator({});
    truth.forEach(([id, y], i) => split(id) === 'public' && acc.add(y, pred[i][1]));
    expect(streamed!.scores.public).toBeCloseTo(acc.result(), 15);
  });

  it('joins rows out of step within the window, and numeric metrics need no labels', async () => {
    const truth: [string, string][] = Array.from({ length: 1000 }, (_, i) => [`r${i}`, String(i % 17)]);
    const pred = truth.map(([id, v]) => [id, String(Number(v) + 0.5)] as [string, string]);
    // swap neighbours and move a block of 50 rows to the end
    for (let i = 0; i + 1 < pred.length; i += 2) [pred[i], pred[i + 1]] = [pred[i + 1], pred[i]];
    const moved = [...pred.slice(0, 100), ...pred.slice(150), ...pred.slice(100, 150)];
    const exact = await scoreFiles({
      metric: 'rmse',
      targetColumn: 'y',
      truth: csv(truth),
      predictions: csv(moved),
    });
    const streamed = await scoreTabularStreaming({
      metric: 'rmse',
      targetColumn: 'y',
      truth: csv(truth),
      predictions: csv(moved),
    });
    expect(streamed).toEqual(exact);
    expect(streamed!.scores.all).toBeCloseTo(0.5, 15);
  });

  it('gives up (null) beyond the window and on id problems, so the exact path reports them', async () => {
    const { truth, pred } = data(300);
    const reversed = [...pred].reverse();
    expect(
      await scoreTabularStreaming({
        metric: 'accuracy',
        targetColumn: 'y',
        truth: csv(truth),
        predictions: csv(reversed),
        truthLabels: classes,
        window: 10,
      }),
    ).toBeNull();
    const dup = [...pred.slice(0, 10), pred[3], ...pred.slice(10)];
    expect(
      await scoreTabularStreaming({
        metric: 'accuracy',
        targetColumn: 'y',
        truth: csv(truth),
        predictions: csv(dup),
        truthLabels: classes,
      }),
    ).toBeNull();
    expect(
      await scoreTabularStreaming({
        metric: 'accuracy',
        targetColumn: 'y',
        truth: csv(truth),
        predictions: csv(pred.slice(1)),
        truthLabels: classes,
      }),
    ).toBeNull();
    expect(
      await scoreTabularStreaming({
        metric: 'accuracy',
        targetColumn: 'y',
        truth: csv(truth),
        predictions: csv([...pred, ['zz', 'a']]),
        truthLabels: classes,
      }),
    ).toBeNull();
    // labels unknown (no truthLabels) → not streamable
    expect(
      await scoreTabularStreaming({
        metric: 'accuracy',
        targetColumn: 'y',
        truth: csv(truth),
        predictions: csv(pred),
      }),
    ).toBeNull();
  });

  it('reports value problems like the exact path (ids consistent)', async () => {
    const truth: [string, string][] = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ];
    const pred: [string, string][] = [
      ['a', '1'],
      ['b', 'x'],
      ['c', 'nan'],
    ];
    const exact = await scoreFiles({
      metric: 'mae',
      targetColumn: 'y',
      truth: csv(truth),
      predictions: csv(pred),
    }).catch((e: unknown) => e);
    const streamed = await scoreTabularStreaming({
      metric: 'mae',
      targetColumn: 'y',
      truth: csv(truth),
      predictions: csv(pred),
    }).catch((e: unknown) => e);
    expect(streamed).toMatchObject({ code: 'PREDICTIONS_INVALID' });
    expect((streamed as { issues: unknown }).issues).toEqual((exact as { issues: unknown }).issues);
    const labels = await scoreTabularStreaming({
      metric: 'accuracy',
      targetColumn: 'y',
      truth: csv([
        ['a', 'x'],
        ['b', 'y'],
      ]),
      predictions: csv([
        ['a', 'x'],
        ['b', 'Y'],
      ]),
      truthLabels: ['x', 'y'],
    }).catch((e: unknown) => e);
    expect(labels).toMatchObject({
      code: 'PREDICTIONS_INVALID',
      issues: [{ reason: 'UNKNOWN_LABELS', examples: [{ line: 3, value: 'Y' }] }],
    });
  });
});
