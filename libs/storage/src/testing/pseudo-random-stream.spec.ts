import { hashStream } from '../streaming/hashing-part-splitter';
import { pseudoRandomBytes, pseudoRandomStream } from './pseudo-random-stream';

describe('pseudoRandomStream', () => {
  it('is deterministic by seed and exact in size', async () => {
    const a = await pseudoRandomBytes(300_000, 'seed-1');
    const b = await pseudoRandomBytes(300_000, 'seed-1');
    const c = await pseudoRandomBytes(300_000, 'seed-2');
    expect(a.length).toBe(300_000);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('does not depend on the chunk size', async () => {
    const small = await hashStream(pseudoRandomStream(100_003, 's', 1000));
    const large = await hashStream(pseudoRandomStream(100_003, 's'));
    expect(small).toEqual(large);
    expect(small.sizeBytes).toBe(100_003);
  });
});
