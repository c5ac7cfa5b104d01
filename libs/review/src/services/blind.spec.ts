import { nameVariants, panelCode, redactTerms, shuffled } from './blind';

describe('blind review helpers', () => {
  it('formats panel codes', () => {
    expect(panelCode('A', 7)).toBe('A-07');
    expect(panelCode('R', 12)).toBe('R-12');
    expect(panelCode('A', 123)).toBe('A-123');
  });

  it('redacts names and credit codes, longest first and case-insensitively', () => {
    const text =
      '深圳市智算科技有限公司（统一社会信用代码 91440300MA5G1234X7）由智算科技牵头，联合 ACME Labs。';
    const out = redactTerms(
      text,
      [...nameVariants('深圳市智算科技有限公司'), '91440300MA5G1234X7', 'acme labs', 'x'],
      '【A-03】',
    );
    expect(out).toBe('【A-03】（统一社会信用代码 【A-03】）由【A-03】牵头，联合 【A-03】。');
  });

  it('ignores empty and one-character terms', () => {
    expect(redactTerms('a b c', ['', null, 'a'], '#')).toBe('a b c');
  });

  it('derives the short names a company uses for itself', () => {
    expect(nameVariants('深圳市智算科技有限公司')).toEqual(
      expect.arrayContaining(['深圳市智算科技有限公司', '深圳市智算科技', '智算科技有限公司', '智算科技']),
    );
  });

  it('shuffles with the given random source (Fisher–Yates)', () => {
    // random always 0: each i swaps with 0 → [b, c, d, a]... checked by hand
    expect(shuffled(['a', 'b', 'c', 'd'], () => 0)).toEqual(['b', 'c', 'd', 'a']);
    expect(shuffled(['a', 'b', 'c'], (n) => n - 1)).toEqual(['a', 'b', 'c']);
  });
});
