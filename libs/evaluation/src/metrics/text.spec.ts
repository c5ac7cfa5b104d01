import {
  bleuFromStatistics,
  charTokens,
  editDistance,
  isSacrebleuChineseChar,
  lcsLength,
  METRICS,
  rougeLF1,
  sacrebleuTokens,
  wordTokens,
} from './index';
import { MetricParamsError, MetricUndefinedError } from './metric.errors';

function score(
  metric: 'bleu' | 'rouge_l' | 'wer' | 'cer',
  rows: [string, string][],
  params?: unknown,
): number {
  const acc = METRICS[metric].createAccumulator(params);
  for (const [truth, prediction] of rows) acc.add(truth, prediction);
  return acc.result();
}

describe('text tokenizers', () => {
  it('split Chinese per character and keep other words whole (wer, rouge_l)', () => {
    expect(wordTokens('Hello世界 foo，bar  12345')).toEqual([
      'Hello',
      '世',
      '界',
      'foo',
      '，',
      'bar',
      '12345',
    ]);
    expect(wordTokens('　今天 ')).toEqual(['今', '天']); // ideographic space is whitespace
    expect(wordTokens('')).toEqual([]);
  });

  it('cer uses code points without whitespace', () => {
    expect(charTokens('你好 世界 a😀')).toEqual(['你', '好', '世', '界', 'a', '😀']);
  });

  it('reproduce sacreBLEU zh tokenization, including its effective character ranges', () => {
    expect(sacrebleuTokens('今天10点，发生“事故”。', 'zh')).toEqual([
      '今',
      '天',
      '10',
      '点',
      '，',
      '发',
      '生',
      '“',
      '事',
      '故',
      '”',
      '。',
    ]);
    expect(sacrebleuTokens('  Hello, world. 1,234 and 3.5-4 (ok)  ', 'zh')).toEqual([
      'Hello',
      ',',
      'world',
      '.',
      '1,234',
      'and',
      '3.5',
      '-',
      '4',
      '(',
      'ok',
      ')',
    ]);
    expect(isSacrebleuChineseChar(0x2000)).toBe(false); // ('\u20000', …) starts just above U+2000
    expect(isSacrebleuChineseChar(0x2026)).toBe(true); // …
    expect(isSacrebleuChineseChar(0x2a6d)).toBe(true);
    expect(isSacrebleuChineseChar(0x2a6e)).toBe(false);
    expect(isSacrebleuChineseChar(0x20000)).toBe(false); // supplementary ideographs are not split by sacreBLEU
    expect(sacrebleuTokens('a &amp; b<skipped>', '13a')).toEqual(['a', '&', 'b']);
    expect(sacrebleuTokens('a,b  c', 'none')).toEqual(['a,b', 'c']);
  });

  it('compute edit distance and LCS', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    expect(editDistance([], ['a', 'b'])).toBe(2);
    expect(editDistance(['a', 'b'], [])).toBe(2);
    expect(editDistance(['a'], ['a'])).toBe(0);
    expect(lcsLength([...'ABCBDAB'], [...'BDCABA'])).toBe(4);
    expect(lcsLength([], ['a'])).toBe(0);
  });
});

describe('bleu', () => {
  it('is 1 for identical text', () => {
    expect(score('bleu', [['the cat is on the mat', 'the cat is on the mat']], { tokenize: '13a' })).toBe(1);
    expect(score('bleu', [['市民反映路灯不亮。', '市民反映路灯不亮。']])).toBe(1);
  });

  it('applies the brevity penalty exp(1 - r/c)', () => {
    // every n-gram of the hypothesis matches; c = 4, r = 5
    expect(score('bleu', [['a b c d e', 'a b c d']], { tokenize: 'none' })).toBeCloseTo(
      Math.exp(1 - 5 / 4),
      15,
    );
  });

  it('smooths zero n-gram counts like sacreBLEU (exp)', () => {
    // 1-grams 4/4, 2-grams 1/3, 3-grams 0/2 -> 1/(2·2), 4-grams 0/1 -> 1/(4·1)
    expect(score('bleu', [['a b c d', 'a b d c']], { tokenize: 'none' })).toBeCloseTo(
      (1 * (1 / 3) * (1 / 4) * (1 / 4)) ** 0.25,
      14,
    );
    expect(
      bleuFromStatistics({
        hypothesisLength: 4,
        referenceLength: 4,
        correct: [4, 1, 0, 0],
        total: [4, 3, 2, 1],
      }),
    ).toBeCloseTo((1 / 48) ** 0.25, 14);
  });

  it('pools n-gram counts over the corpus (not a mean of sentence scores)', () => {
    const rows: [string, string][] = [
      ['a b c d', 'a b c d'],
      ['e f g h', 'e f x h'],
    ];
    // 1-grams 7/8, 2-grams 4/6, 3-grams 2/4, 4-grams 1/2, no brevity penalty
    expect(score('bleu', rows, { tokenize: 'none' })).toBeCloseTo(
      ((7 / 8) * (4 / 6) * (2 / 4) * (1 / 2)) ** 0.25,
      14,
    );
  });

  it('is 0 with no matches, an empty hypothesis or an empty reference', () => {
    expect(score('bleu', [['a b c d', 'w x y z']], { tokenize: 'none' })).toBe(0);
    expect(score('bleu', [['a b c d', '']])).toBe(0);
    expect(score('bleu', [['', 'a b c d']])).toBe(0);
    // too short for 4-grams anywhere: sacreBLEU gives 0
    expect(score('bleu', [['a b c', 'a b c']], { tokenize: 'none' })).toBe(0);
  });

  it('lowercases on request and validates params', () => {
    expect(score('bleu', [['The Cat Sat Down', 'the cat sat down']], { lowercase: true })).toBe(1);
    expect(METRICS.bleu.parseParams()).toEqual({ tokenize: 'zh', lowercase: false });
    expect(() => METRICS.bleu.parseParams({ tokenize: 'intl' })).toThrow(MetricParamsError);
  });
});

describe('rouge_l', () => {
  it('is the LCS F-measure, per character for Chinese', () => {
    // LCS 5, P = 5/5, R = 5/7 -> F = 10/12
    expect(rougeLF1(wordTokens('我爱北京天安门'), wordTokens('我爱天安门'))).toBeCloseTo(10 / 12, 15);
    expect(score('rouge_l', [['我爱北京天安门', '我爱天安门']])).toBeCloseTo(10 / 12, 15);
    expect(score('rouge_l', [['the cat sat', 'the sat cat']])).toBeCloseTo(2 / 3, 15);
  });

  it('averages rows; an empty side scores 0 (as rouge-score)', () => {
    expect(
      score('rouge_l', [
        ['a b', 'a b'],
        ['', ''],
        ['c', ''],
        ['d e', 'x y'],
      ]),
    ).toBe(0.25);
  });
});

describe('wer and cer', () => {
  it('wer counts word edits (Chinese per character)', () => {
    expect(score('wer', [['the cat sat on the mat', 'the cat sit on mat']])).toBeCloseTo(2 / 6, 15);
    expect(score('wer', [['今天 天气 很好', '今天天气不好']])).toBeCloseTo(1 / 6, 15);
  });

  it('is corpus-level: total edits / total reference length', () => {
    // edits 2 / 6 words and 2 / 2 words -> 4 / 8, not the mean 2/3
    expect(
      score('wer', [
        ['the cat sat on the mat', 'the cat sit on mat'],
        ['good day', 'bad night'],
      ]),
    ).toBe(0.5);
  });

  it('can exceed 1 with insertions, is 0 for perfect output', () => {
    expect(score('wer', [['a', 'a b c']])).toBe(2);
    expect(score('cer', [['你好', '你好']])).toBe(0);
  });

  it('cer counts character edits, ignoring whitespace', () => {
    // 你好世界 vs 你号世界啊: 1 substitution + 1 insertion over 4 characters
    expect(score('cer', [['你好 世界', '你号世界啊']])).toBe(0.5);
  });

  it('handles empty references: 0 if nothing was hypothesised, undefined otherwise', () => {
    expect(score('wer', [['', '']])).toBe(0);
    expect(() => score('cer', [['', 'x']])).toThrow(MetricUndefinedError);
    // an empty reference among others only adds insertions
    expect(
      score('cer', [
        ['ab', 'ab'],
        ['', 'x'],
      ]),
    ).toBe(0.5);
  });

  it('are undefined without rows', () => {
    for (const m of ['bleu', 'rouge_l', 'wer', 'cer'] as const) {
      expect(() => METRICS[m].createAccumulator().result()).toThrow(MetricUndefinedError);
    }
  });
});
