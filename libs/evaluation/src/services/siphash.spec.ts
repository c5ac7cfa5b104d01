import { sipHash24, sipKey } from './siphash';

// Reference vectors (SipHash paper / reference test.c `vectors_sip64`): key 00 01 … 0f, message 00 01 … n-1
const VECTORS = [
  '726fdb47dd0e0e31',
  '74f839c593dc67fd',
  '0d6c8009d9a94f5a',
  '85676696d7fb7e2d',
  'cf2794e0277187b7',
  '18765564cd99a68d',
  'cbc9466e58fee3ce',
  'ab0200f58b01d137',
  '93f5f5799a932462',
  '9e0082df0ba9e4b0',
  '7a5dbbc594ddb9f3',
  'f4b32f46226bada7',
  '751e8fbc860ee5fb',
  '14ea5627c0843d90',
  'f723ca908e7af2ee',
  'a129ca6149be45e5',
  '3f2acc7f57c29bdb',
  '699ae9f52cbe4794',
  '4bc1b3f0968dd39c',
  'bb6dc91da77961bd',
  'bed65cf21aa2ee98',
  'd0f2cbb02e3b67c7',
  '93536795e3a33e88',
  'a80c038ccd5ccec8',
  'b8ad50c6f649af94',
  'bce192de8a85b8ea',
  '17d835b85bbb15f3',
  '2f2e6163076bcfad',
  'de4daaaca71dc9a5',
];

const hex = ([hi, lo]: [number, number]) =>
  hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');

describe('sipHash24', () => {
  const key = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
  const message = Uint8Array.from({ length: 64 }, (_, i) => i);

  it.each(VECTORS.map((v, n) => [n, v] as const))(
    'matches the reference vector for %i bytes',
    (n, expected) => {
      expect(hex(sipHash24(key, message.subarray(0, n)))).toBe(expected);
    },
  );

  it('hashes only the first `length` bytes of a larger buffer', () => {
    expect(hex(sipHash24(key, message, 15))).toBe(VECTORS[15]);
  });

  it('refuses keys that are not 16 bytes', () => {
    expect(() => sipKey(new Uint8Array(15))).toThrow(RangeError);
  });
});
