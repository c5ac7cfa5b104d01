import { splitPartitioner } from './split';

describe('splitPartitioner', () => {
  const secret = '00'.repeat(32);

  it('is deterministic for a given secret and id (known answer)', () => {
    const split = splitPartitioner(secret, 0.5);
    // HMAC-SHA256(32 zero bytes, "a") starts with 0x9615a95d → 0.58627 (checked with Python's hmac module)
    expect(split('a')).toBe('private');
    expect(splitPartitioner(secret, 0.59)('a')).toBe('public');
    expect(splitPartitioner(secret, 0.58)('a')).toBe('private');
    expect(splitPartitioner(secret, 0.5)('a')).toBe(split('a'));
  });

  it('follows publicFraction over many ids and changes with the secret', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `id-${i}`);
    const a = splitPartitioner(secret, 0.3);
    const b = splitPartitioner('11'.repeat(32), 0.3);
    const publicA = ids.filter((id) => a(id) === 'public').length / ids.length;
    expect(publicA).toBeGreaterThan(0.28);
    expect(publicA).toBeLessThan(0.32);
    const differ = ids.filter((id) => a(id) !== b(id)).length;
    expect(differ).toBeGreaterThan(ids.length * 0.3);
    expect(ids.every((id) => splitPartitioner(secret, 0)(id) === 'private')).toBe(true);
    expect(ids.every((id) => splitPartitioner(secret, 1)(id) === 'public')).toBe(true);
  });
});
