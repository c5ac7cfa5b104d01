import { binaryAuc, LOG_LOSS_EPS, METRICS } from './index';
import { MetricInputError, MetricParamsError, MetricUndefinedError } from './metric.errors';

function score(
  metric: 'roc_auc' | 'log_loss',
  truth: string[],
  prediction: (number | number[])[],
  params?: unknown,
): number {
  const acc = METRICS[metric].createAccumulator(params);
  truth.forEach((t, i) => acc.add(t, prediction[i]));
  return acc.result();
}

describe('roc_auc', () => {
  it('is the share of (positive, negative) pairs ranked right, ties counting one half', () => {
    // positives 0.8, 0.4; negatives 0.4, 0.1 -> pairs: (0.8>0.4) 1, (0.8>0.1) 1, (0.4=0.4) 0.5, (0.4>0.1) 1 -> 3.5/4
    expect(score('roc_auc', ['1', '1', '0', '0'], [0.8, 0.4, 0.4, 0.1])).toBe(0.875);
    expect(binaryAuc(Float64Array.of(0.5, 0.5), Float64Array.of(0.5))).toBe(0.5);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when every score ties', () => {
    expect(score('roc_auc', ['0', '1', '0', '1'], [0.1, 0.9, 0.2, 0.8])).toBe(1);
    expect(score('roc_auc', ['0', '1', '0', '1'], [0.9, 0.1, 0.8, 0.2])).toBe(0);
    expect(score('roc_auc', ['0', '1', '0', '1'], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('accepts any finite scores (decision values), and -0 equals 0', () => {
    expect(score('roc_auc', ['0', '1'], [-3, 12])).toBe(1);
    expect(score('roc_auc', ['0', '1'], [-0, 0])).toBe(0.5);
  });

  it('takes the greater label as positive unless positiveLabel says otherwise', () => {
    expect(score('roc_auc', ['neg', 'pos', 'neg'], [0.2, 0.7, 0.1])).toBe(1);
    // the same scores read as scores of 'neg': the ranking is exactly wrong
    expect(score('roc_auc', ['neg', 'pos', 'neg'], [0.2, 0.7, 0.1], { positiveLabel: 'neg' })).toBe(0);
    // numeric labels sort as numbers: '10' > '9'
    expect(score('roc_auc', ['9', '10'], [0.1, 0.9])).toBe(1);
  });

  it('macro-averages one-vs-rest over classes with per-class columns', () => {
    const classes = ['a', 'b', 'c'];
    const truth = ['a', 'b', 'c', 'a'];
    const prediction = [
      [0.7, 0.2, 0.1], // a
      [0.5, 0.4, 0.1], // b
      [0.2, 0.2, 0.6], // c
      [0.3, 0.3, 0.4], // a
    ];
    // a: positives 0.7, 0.3 vs negatives 0.5, 0.2 -> (1 + 1 + 0 + 1) / 4 = 0.75
    // b: positive 0.4 vs 0.2, 0.2, 0.3 -> 1; c: positive 0.6 vs 0.1, 0.1, 0.4 -> 1
    expect(score('roc_auc', truth, prediction, { classes })).toBeCloseTo((0.75 + 1 + 1) / 3, 15);
  });

  it('with two class columns uses the positive class column', () => {
    expect(
      score(
        'roc_auc',
        ['x', 'y'],
        [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
        { classes: ['x', 'y'] },
      ),
    ).toBe(1);
    expect(
      score(
        'roc_auc',
        ['x', 'y'],
        [
          [0.9, 0.1],
          [0.2, 0.8],
        ],
        { classes: ['x', 'y'], positiveLabel: 'x' },
      ),
    ).toBe(1);
  });

  it('is undefined with a single class in the truth', () => {
    expect(() => score('roc_auc', ['1', '1'], [0.2, 0.3])).toThrow(MetricUndefinedError);
    expect(() => score('roc_auc', ['1', '1'], [0.2, 0.3])).toThrow(/only one class/);
    expect(() =>
      score(
        'roc_auc',
        ['a', 'a'],
        [
          [0.5, 0.5, 0],
          [0.5, 0.5, 0],
        ],
        { classes: ['a', 'b', 'c'] },
      ),
    ).toThrow(/only one class/);
  });

  it('needs one column per class for more than two classes', () => {
    expect(() => score('roc_auc', ['a', 'b', 'c'], [0.1, 0.2, 0.3])).toThrow(
      /one probability column per class/,
    );
  });

  it('rejects inconsistent rows', () => {
    expect(() => score('roc_auc', ['a'], [[0.1, 0.9]])).toThrow(MetricInputError);
    expect(() => score('roc_auc', ['a'], [[0.1]], { classes: ['a', 'b'] })).toThrow(/2 classes/);
    expect(() => score('roc_auc', ['a', 'b'], [0.1, [0.1, 0.9]], { classes: ['a', 'b'] })).toThrow(/mix/);
    expect(() => score('roc_auc', ['z'], [[0.1, 0.9]], { classes: ['a', 'b'] })).toThrow(
      /not one of the classes/,
    );
    expect(() => score('roc_auc', ['a'], [NaN])).toThrow(/finite/);
    expect(() => METRICS.roc_auc.parseParams({ classes: ['a'] })).toThrow(MetricParamsError);
  });
});

describe('log_loss', () => {
  it('is the mean -ln p of the true class (binary, probability of the positive class)', () => {
    // rows: 1 with p 0.8 -> -ln 0.8; 0 with p 0.3 -> -ln 0.7
    expect(score('log_loss', ['1', '0'], [0.8, 0.3])).toBeCloseTo((-Math.log(0.8) - Math.log(0.7)) / 2, 15);
  });

  it('clips 0 and 1 to [eps, 1 - eps] as scikit-learn', () => {
    expect(score('log_loss', ['1', '0'], [1, 0])).toBeCloseTo(-Math.log(1 - LOG_LOSS_EPS), 20);
    // all wrong and certain: -ln(eps) = 36.04...
    expect(score('log_loss', ['1', '0'], [0, 1])).toBeCloseTo(-Math.log(LOG_LOSS_EPS), 9);
  });

  it('renormalizes per-class rows and uses the true class column', () => {
    const classes = ['a', 'b', 'c'];
    // second row sums to 2: p(b) = 1 / 2
    const v = score(
      'log_loss',
      ['a', 'b'],
      [
        [0.5, 0.25, 0.25],
        [0.5, 1, 0.5],
      ],
      { classes },
    );
    expect(v).toBeCloseTo((-Math.log(0.5) - Math.log(0.5)) / 2, 15);
  });

  it('needs positiveLabel when the truth has a single label, and probabilities in [0, 1]', () => {
    expect(() => score('log_loss', ['1', '1'], [0.9, 0.8])).toThrow(/only one label/);
    expect(score('log_loss', ['1', '1'], [0.5, 0.5], { positiveLabel: '1' })).toBeCloseTo(Math.log(2), 15);
    expect(score('log_loss', ['0', '0'], [0.5, 0.5], { positiveLabel: '1' })).toBeCloseTo(Math.log(2), 15);
    expect(() => score('log_loss', ['1', '0'], [1.2, 0.1])).toThrow(MetricInputError);
    expect(() => score('log_loss', ['a'], [[0.5, -0.1]], { classes: ['a', 'b'] })).toThrow(/\[0, 1\]/);
  });

  it('is undefined without rows', () => {
    expect(() => METRICS.log_loss.createAccumulator().result()).toThrow(MetricUndefinedError);
    expect(() => METRICS.roc_auc.createAccumulator().result()).toThrow(MetricUndefinedError);
  });
});
