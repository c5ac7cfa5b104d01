import { sipHash24, sipKey } from './siphash';
import { splitPartitioner } from './split';

describe('splitPartitioner', () => {
  const secret = '00'.repeat(32);

  it('is deterministic for a given secret and id (known answer)', () => {
    // SipHash-2-4 with the reference key 00..0f over the 2 bytes 00 01 is 0x0d6c8009d9a94f5a:
    // high half 0x0d6c8009 / 2^32 = 0.05243…
    const referenceSecret = Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex');
    const id = String.fromCharCode(0, 1);
    expect(splitPartitioner(referenceSecret, 0.0525)(id)).toBe('public');
    expect(splitPartitioner(referenceSecret, 0.0524)(id)).toBe('private');
    // only the first 16 bytes of the secret key the hash
    const key = sipKey(Buffer.from(secret, 'hex').subarray(0, 16));
    const u = sipHash24(key, Buffer.from('a'))[0] / 2 ** 32;
    expect(splitPartitioner(secret, u + 1e-9)('a')).toBe('public');
    expect(splitPartitioner(secret, u)('a')).toBe('private');
  });

  it('hashes ids as UTF-8, long ones included', () => {
    const key = sipKey(Buffer.from(secret, 'hex').subarray(0, 16));
    for (const id of ['工单-0001', 'x'.repeat(1000), '😀'.repeat(300)]) {
      const u = sipHash24(key, Buffer.from(id, 'utf8'))[0] / 2 ** 32;
      expect(splitPartitioner(secret, u + 1e-9)(id)).toBe('public');
      expect(splitPartitioner(secret, u)(id)).toBe('private');
    }
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
