import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PayloadTooLargeError } from '@aihub/core';
import { BodyPart, HashingPartSplitter, hashStream } from './hashing-part-splitter';

const SHA256_OF_ABC = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const SHA256_OF_EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

async function splitAll(splitter: HashingPartSplitter, chunks: Array<Buffer | string>): Promise<BodyPart[]> {
  const parts: BodyPart[] = [];
  // copy each part: the test keeps them all, a real consumer would not
  for await (const part of splitter.split(Readable.from(chunks)))
    parts.push({ ...part, data: Buffer.from(part.data) });
  return parts;
}

function describeParts(parts: BodyPart[]): Array<[number, string, boolean]> {
  return parts.map((p) => [p.partNumber, p.data.toString('utf8'), p.isLast]);
}

describe('HashingPartSplitter', () => {
  it('hashes "abc" to the known SHA-256 and sizes it', async () => {
    const splitter = new HashingPartSplitter(8);
    const parts = await splitAll(splitter, ['a', 'bc']);
    expect(splitter.sha256).toBe(SHA256_OF_ABC);
    expect(splitter.sizeBytes).toBe(3);
    expect(describeParts(parts)).toEqual([[1, 'abc', true]]);
  });

  it('gives one empty last part and the known SHA-256 for an empty body', async () => {
    const splitter = new HashingPartSplitter(8);
    const parts = await splitAll(splitter, []);
    expect(splitter.sha256).toBe(SHA256_OF_EMPTY);
    expect(splitter.sizeBytes).toBe(0);
    expect(describeParts(parts)).toEqual([[1, '', true]]);
  });

  it('cuts parts of exactly the part size whatever the chunking', async () => {
    const splitter = new HashingPartSplitter(4);
    const parts = await splitAll(splitter, ['ab', 'cdefg', '', 'h', 'ij']);
    expect(describeParts(parts)).toEqual([
      [1, 'abcd', false],
      [2, 'efgh', false],
      [3, 'ij', true],
    ]);
    expect(splitter.sha256).toBe(createHash('sha256').update('abcdefghij').digest('hex'));
    expect(splitter.sizeBytes).toBe(10);
  });

  it('marks a full part as last when the body ends on a part boundary', async () => {
    const splitter = new HashingPartSplitter(4);
    expect(describeParts(await splitAll(splitter, ['abcdefgh']))).toEqual([
      [1, 'abcd', false],
      [2, 'efgh', true],
    ]);
    const single = new HashingPartSplitter(4);
    expect(describeParts(await splitAll(single, ['ab', 'cd']))).toEqual([[1, 'abcd', true]]);
  });

  it('splits one large chunk into many parts', async () => {
    const body = Buffer.alloc(1000, 7);
    const splitter = new HashingPartSplitter(64);
    const parts = await splitAll(splitter, [body]);
    expect(parts).toHaveLength(16);
    expect(parts.slice(0, 15).every((p) => p.data.length === 64 && !p.isLast)).toBe(true);
    expect(parts[15]).toMatchObject({ partNumber: 16, isLast: true });
    expect(parts[15].data.length).toBe(1000 - 15 * 64);
    expect(Buffer.concat(parts.map((p) => p.data)).equals(body)).toBe(true);
  });

  it('accepts a body of exactly maxBytes and refuses one byte more', async () => {
    const exact = new HashingPartSplitter(4, 5);
    await expect(splitAll(exact, ['abcde'])).resolves.toHaveLength(2);

    const over = new HashingPartSplitter(4, 5);
    await expect(splitAll(over, ['abc', 'def'])).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('fails before reading far past maxBytes and destroys the source', async () => {
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 1;
        this.push(Buffer.alloc(16));
      },
    });
    const splitter = new HashingPartSplitter(64, 100);
    await expect(
      (async () => {
        for await (const _part of splitter.split(source)) void _part;
      })(),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(source.destroyed).toBe(true);
    expect(produced).toBeLessThan(32);
  });

  it('refuses to give a hash before the end of the body', () => {
    expect(() => new HashingPartSplitter(4).sha256).toThrow(/not been read/);
    expect(() => new HashingPartSplitter(0)).toThrow(RangeError);
  });
});

describe('hashStream', () => {
  it('hashes and sizes a stream', async () => {
    await expect(hashStream(Readable.from(['a', 'b', 'c']))).resolves.toEqual({
      sha256: SHA256_OF_ABC,
      sizeBytes: 3,
    });
    await expect(hashStream(Readable.from([]))).resolves.toEqual({ sha256: SHA256_OF_EMPTY, sizeBytes: 0 });
  });
});
