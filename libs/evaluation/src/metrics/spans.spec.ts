import { METRICS, type Span } from './index';
import { MetricInputError, MetricUndefinedError } from './metric.errors';

function score(rows: [Span[], Span[]][]): number {
  const acc = METRICS.span_f1.createAccumulator();
  for (const [t, p] of rows) acc.add(t, p);
  return acc.result();
}

const s = (start: number, end: number, type: string): Span => ({ start, end, type });

describe('span_f1', () => {
  it('matches spans exactly on start, end and type (micro over documents)', () => {
    // doc 1: tp 1 (PER), LOC typed ORG is wrong, an extra span; doc 2: one missed span
    // tp 1, |truth| 3, |predicted| 3 -> P 1/3, R 1/3, F1 1/3
    expect(
      score([
        [
          [s(0, 2, 'PER'), s(5, 8, 'LOC')],
          [s(0, 2, 'PER'), s(5, 8, 'ORG'), s(10, 12, 'LOC')],
        ],
        [[s(3, 6, 'ORG')], []],
      ]),
    ).toBeCloseTo(1 / 3, 15);
    // off by one character is a miss
    expect(score([[[s(0, 2, 'PER')], [s(0, 3, 'PER')]]])).toBe(0);
  });

  it('is 1 for perfect predictions, and documents without spans change nothing', () => {
    expect(
      score([
        [[s(0, 2, 'PER')], [s(0, 2, 'PER')]],
        [[], []],
      ]),
    ).toBe(1);
  });

  it('counts a repeated span once', () => {
    expect(score([[[s(0, 2, 'PER')], [s(0, 2, 'PER'), s(0, 2, 'PER')]]])).toBe(1);
  });

  it('is 0 when there are no spans on either side, undefined without documents', () => {
    expect(score([[[], []]])).toBe(0);
    expect(() => score([])).toThrow(MetricUndefinedError);
  });

  it('rejects malformed spans', () => {
    expect(() => score([[[s(0.5, 2, 'PER')], []]])).toThrow(MetricInputError);
  });
});
