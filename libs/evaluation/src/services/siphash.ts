/**
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF"): a keyed 64-bit PRF for short
 * inputs. The public/private split hashes every row's id; SipHash does that about 20× faster than an
 * HMAC-SHA256 object per row, with the same property that matters: without the key, nothing about the
 * split can be inferred from the ids.
 *
 * 64-bit lanes are kept as (lo, hi) uint32 pairs in one Uint32Array: v0 = s[0..1], v1 = s[2..3],
 * v2 = s[4..5], v3 = s[6..7].
 */
const s = new Uint32Array(8);

function add(a: number, b: number): void {
  const lo = (s[a] + s[b]) >>> 0;
  s[a + 1] = (s[a + 1] + s[b + 1] + (lo < s[a] ? 1 : 0)) >>> 0;
  s[a] = lo;
}

function rotl(a: number, bits: number): void {
  const lo = s[a];
  const hi = s[a + 1];
  if (bits === 32) {
    s[a] = hi;
    s[a + 1] = lo;
  } else {
    // bits < 32 here (13, 16, 17, 21)
    s[a] = ((lo << bits) | (hi >>> (32 - bits))) >>> 0;
    s[a + 1] = ((hi << bits) | (lo >>> (32 - bits))) >>> 0;
  }
}

function xor(a: number, b: number): void {
  s[a] ^= s[b];
  s[a + 1] ^= s[b + 1];
}

const V0 = 0;
const V1 = 2;
const V2 = 4;
const V3 = 6;

function sipRound(): void {
  add(V0, V1);
  rotl(V1, 13);
  xor(V1, V0);
  rotl(V0, 32);
  add(V2, V3);
  rotl(V3, 16);
  xor(V3, V2);
  add(V0, V3);
  rotl(V3, 21);
  xor(V3, V0);
  add(V2, V1);
  rotl(V1, 17);
  xor(V1, V2);
  rotl(V2, 32);
}

function absorb(lo: number, hi: number): void {
  s[V3] ^= lo;
  s[V3 + 1] ^= hi;
  sipRound();
  sipRound();
  s[V0] ^= lo;
  s[V0 + 1] ^= hi;
}

export interface SipKey {
  k0lo: number;
  k0hi: number;
  k1lo: number;
  k1hi: number;
}

/** The key from 16 bytes: k0 = bytes 0–7, k1 = bytes 8–15, little-endian (the reference convention). */
export function sipKey(key: Uint8Array): SipKey {
  if (key.length !== 16) throw new RangeError('a SipHash key has 16 bytes');
  const view = new DataView(key.buffer, key.byteOffset, 16);
  return {
    k0lo: view.getUint32(0, true),
    k0hi: view.getUint32(4, true),
    k1lo: view.getUint32(8, true),
    k1hi: view.getUint32(12, true),
  };
}

/** SipHash-2-4 of `data[0..length)` as [hi, lo] uint32 halves of the 64-bit result. */
export function sipHash24(key: SipKey, data: Uint8Array, length = data.length): [number, number] {
  s[V0] = key.k0lo ^ 0x70736575;
  s[V0 + 1] = key.k0hi ^ 0x736f6d65;
  s[V1] = key.k1lo ^ 0x6e646f6d;
  s[V1 + 1] = key.k1hi ^ 0x646f7261;
  s[V2] = key.k0lo ^ 0x6e657261;
  s[V2 + 1] = key.k0hi ^ 0x6c796765;
  s[V3] = key.k1lo ^ 0x79746573;
  s[V3 + 1] = key.k1hi ^ 0x74656462;
  const full = length - (length % 8);
  let i = 0;
  for (; i < full; i += 8) {
    absorb(
      (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) >>> 0,
      (data[i + 4] | (data[i + 5] << 8) | (data[i + 6] << 16) | (data[i + 7] << 24)) >>> 0,
    );
  }
  // last word: the remaining bytes, little-endian, and the length's low byte on top
  let lo = 0;
  let hi = (length & 0xff) << 24;
  for (let j = 0; i + j < length; j++) {
    if (j < 4) lo |= data[i + j] << (8 * j);
    else hi |= data[i + j] << (8 * (j - 4));
  }
  absorb(lo >>> 0, hi >>> 0);
  s[V2] ^= 0xff;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
  return [(s[V0 + 1] ^ s[V1 + 1] ^ s[V2 + 1] ^ s[V3 + 1]) >>> 0, (s[V0] ^ s[V1] ^ s[V2] ^ s[V3]) >>> 0];
}
