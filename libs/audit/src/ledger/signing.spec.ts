import { generateKeyPairSync } from 'node:crypto';
import {
  checkpointMessage,
  parseSigningKey,
  rawPublicKey,
  signCheckpoint,
  SigningKeyError,
  verifyCheckpointSignature,
} from './signing';

describe('checkpoint signing', () => {
  // RFC 8032 §7.1 TEST 1: secret key seed and its public key
  const seedHex = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
  const publicHex = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

  it('reads a 32-byte seed in base64 or base64url and derives the RFC 8032 public key', () => {
    const seed = Buffer.from(seedHex, 'hex');
    for (const text of [
      seed.toString('base64'),
      seed.toString('base64url'),
      ` ${seed.toString('base64')}\n`,
    ]) {
      expect(rawPublicKey(parseSigningKey(text)).toString('hex')).toBe(publicHex);
    }
  });

  it('reads PKCS#8 DER (base64) and PEM', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(rawPublicKey(parseSigningKey(der)).toString('hex')).toBe(raw);
    expect(rawPublicKey(parseSigningKey(pem)).toString('hex')).toBe(raw);
  });

  it('refuses what is not an Ed25519 private key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    for (const bad of [
      'not a key at all',
      Buffer.alloc(31).toString('base64'),
      rsa.export({ format: 'pem', type: 'pkcs8' }).toString(),
      'dummy-audit-signing-key-0123456789abcdef0123456789',
    ]) {
      expect(() => parseSigningKey(bad)).toThrow(SigningKeyError);
    }
  });

  it('signs exactly "aihub-audit-checkpoint/v1\\n<treeSize>\\n<rootHash>\\n<at>\\n"', () => {
    const c = { treeSize: 42, rootHash: 'ab'.repeat(32), at: '2026-01-02T03:04:05.678Z' };
    expect(checkpointMessage(c).toString('utf8')).toBe(
      `aihub-audit-checkpoint/v1\n42\n${'ab'.repeat(32)}\n2026-01-02T03:04:05.678Z\n`,
    );
    const key = parseSigningKey(Buffer.from(seedHex, 'hex').toString('base64'));
    const pub = rawPublicKey(key);
    const sig = signCheckpoint(key, c);
    expect(sig).toHaveLength(64);
    expect(verifyCheckpointSignature(pub, c, sig)).toBe(true);
    expect(verifyCheckpointSignature(pub, { ...c, treeSize: 43 }, sig)).toBe(false);
    expect(verifyCheckpointSignature(pub, { ...c, at: '2026-01-02T03:04:05.679Z' }, sig)).toBe(false);
    expect(verifyCheckpointSignature(Buffer.alloc(32, 1), c, sig)).toBe(false);
    expect(verifyCheckpointSignature(pub, c, sig.subarray(1))).toBe(false);
  });
});
