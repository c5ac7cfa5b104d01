import { FingerprintSet, normalizeField, rowFingerprint } from './fingerprints';

// sha256('a\x1fb'), from: printf 'a\037b' | sha256sum
const SHA256_A_US_B_PREFIX = 'f04cdced9736a69d';

describe('row fingerprints', () => {
  const rows = [
    ['1001', '张三', '福田区', '67'],
    ['1002', '李四', '罗湖区', '45'],
  ];

  it('normalizes width, case and surrounding space', () => {
    expect(normalizeField('  ＡＢＣ１２ ')).toBe('abc12');
    expect(rowFingerprint(['1001', ' 张三 ', '福田区', '67'])).toBe(rowFingerprint(rows[0]));
  });

  it('has a known answer (first 8 bytes of SHA-256 over the normalized, 0x1F-joined fields)', () => {
    expect(rowFingerprint(['A', ' b']).toString(16).padStart(16, '0')).toBe(SHA256_A_US_B_PREFIX);
  });

  it('finds copied rows and nothing else, also after a storage round trip', () => {
    const set = FingerprintSet.fromRows(rows);
    expect(set.size).toBe(2);
    expect(set.matches(['1002', '李四', '罗湖区', '45'])).toBe(true);
    expect(set.matches(['1002', '李四', '罗湖区', '46'])).toBe(false);
    expect(set.matches(['李四', '1002', '罗湖区', '45'])).toBe(false);
    const restored = FingerprintSet.fromBuffer(set.toBuffer());
    expect(restored.matches(rows[0])).toBe(true);
    expect(restored.toBuffer().length).toBe(16);
  });

  it('searches large sets correctly', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => [String(i), `name${i}`]);
    const set = FingerprintSet.fromRows(many);
    expect(many.every((r) => set.matches(r))).toBe(true);
    expect(set.matches(['10000', 'name10000'])).toBe(false);
  });
});
