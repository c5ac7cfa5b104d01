import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/** DER prefixes of an Ed25519 PKCS#8 private key (RFC 8410) and SubjectPublicKeyInfo. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export const CHECKPOINT_CONTEXT = 'aihub-audit-checkpoint/v1';

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/**
 * Reads the Ed25519 checkpoint key: PEM (PKCS#8), or base64 / base64url of either the 32-byte seed or
 * the PKCS#8 DER encoding. Refuses anything else, including keys of other algorithms.
 */
export function parseSigningKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith('-----BEGIN')) {
      key = createPrivateKey({ key: trimmed, format: 'pem' });
    } else {
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new SigningKeyError('not base64');
      const der = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
      if (der.length === 32) {
        key = createPrivateKey({
          key: Buffer.concat([PKCS8_ED25519_PREFIX, der]),
          format: 'der',
          type: 'pkcs8',
        });
      } else {
        key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      }
    }
  } catch {
    throw new SigningKeyError(
      'AUDIT_SIGNING_KEY is not an Ed25519 private key (expected base64 of a 32-byte seed or of PKCS#8 DER, or PEM)',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`AUDIT_SIGNING_KEY must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  }
  return key;
}

/** The raw 32-byte public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32);
}

export function publicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new SigningKeyError('an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export interface CheckpointFields {
  treeSize: number;
  /** lowercase hex */
  rootHash: string;
  /** ISO-8601 UTC with milliseconds, exactly as the API returns it */
  at: string;
}

/** The signed bytes: UTF-8 of "aihub-audit-checkpoint/v1\n<treeSize>\n<rootHash>\n<at>\n". */
export function checkpointMessage(c: CheckpointFields): Buffer {
  return Buffer.from(`${CHECKPOINT_CONTEXT}\n${c.treeSize}\n${c.rootHash}\n${c.at}\n`, 'utf8');
}

export function signCheckpoint(key: KeyObject, c: CheckpointFields): Buffer {
  return sign(null, checkpointMessage(c), key);
}

export function verifyCheckpointSignature(
  publicKey: Uint8Array,
  c: CheckpointFields,
  signature: Uint8Array,
): boolean {
  try {
    return (
      signature.length === 64 && verify(null, checkpointMessage(c), publicKeyFromRaw(publicKey), signature)
    );
  } catch {
    return false;
  }
}
