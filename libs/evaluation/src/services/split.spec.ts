import { createHmac } from 'node:crypto';
import { hmacSha256, splitPartitioner } from './split';

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

describe('hmacSha256', () => {
  // RFC 4231 test cases 1, 2 and 6 (key longer than the block)
  it.each([
    [
      '0b'.repeat(20),
      Buffer.from('Hi There'),
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    ],
    [
      Buffer.from('Jefe').toString('hex'),
      Buffer.from('what do ya want for nothing?'),
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    ],
    [
      'aa'.repeat(131),
      Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    ],
  ])('matches RFC 4231 for key %s', (keyHex, message, expected) => {
    expect(hmacSha256(Buffer.from(keyHex, 'hex'))(message).toString('hex')).toBe(expected);
  });

  it('matches createHmac on ids of every length up to two blocks', () => {
    const key = Buffer.from('ab'.repeat(32), 'hex');
    const mac = hmacSha256(key);
    for (let n = 0; n <= 130; n++) {
      const id = 'x'.repeat(n) + '标';
      const message = Buffer.from(id, 'utf8');
      expect(mac(message).equals(createHmac('sha256', key).update(id, 'utf8').digest())).toBe(true);
    }
  });
});
