import { Inject, Injectable } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@aihub/core';
import { CheckpointFields, parseSigningKey, rawPublicKey, signCheckpoint } from '../ledger/signing';

/**
 * Holds the Ed25519 checkpoint key (AUDIT_SIGNING_KEY, or the development key generated once under
 * DATA_DIR/secrets). A key that cannot be read stops the process at start-up.
 */
@Injectable()
export class CheckpointSigner {
  private readonly key: KeyObject;
  /** raw 32-byte public key: the one auditors pin */
  readonly publicKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = parseSigningKey(config.audit.signingKey);
    this.publicKey = rawPublicKey(this.key);
  }

  sign(fields: CheckpointFields): Buffer {
    return signCheckpoint(this.key, fields);
  }
}
