import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import { APP_CONFIG, AppConfig, Clock } from '@aihub/core';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export type RefreshOutcome =
  | { kind: 'rotated'; userId: string; token: string }
  | { kind: 'invalid' }
  | { kind: 'reused'; userId: string; familyId: string };

/** Opaque refresh tokens `<id>.<secret>`: single use, rotated, revocable per family. */
@Injectable()
export class RefreshTokenService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async issue(
    manager: EntityManager,
    userId: string,
    familyId: string = randomUUID(),
    ip?: string,
  ): Promise<string> {
    const secret = randomBytes(32).toString('base64url');
    const row = manager.getRepository(RefreshTokenEntity).create({
      userId,
      familyId,
      secretHash: sha256(secret),
      expiresAt: new Date(this.clock.now().getTime() + this.config.auth.refreshTokenTtlDays * 86_400_000),
      rotatedAt: null,
      revokedAt: null,
      createdIp: ip ?? null,
    });
    await manager.getRepository(RefreshTokenEntity).insert(row);
    return `${row.id}.${secret}`;
  }

  /** Must run in a transaction: locks the token row so two concurrent refreshes cannot both win. */
  async rotate(manager: EntityManager, presented: string, ip?: string): Promise<RefreshOutcome> {
    const row = await this.find(manager, presented, true);
    if (!row || row.revokedAt || row.expiresAt <= this.clock.now()) return { kind: 'invalid' };
    if (row.rotatedAt) {
      await this.revokeFamily(manager, row.familyId);
      return { kind: 'reused', userId: row.userId, familyId: row.familyId };
    }
    await manager.getRepository(RefreshTokenEntity).update({ id: row.id }, { rotatedAt: this.clock.now() });
    const token = await this.issue(manager, row.userId, row.familyId, ip);
    return { kind: 'rotated', userId: row.userId, token };
  }

  /** Logout: revokes the family of the presented token. Returns the user id when the token was known. */
  async revoke(manager: EntityManager, presented: string): Promise<string | null> {
    const row = await this.find(manager, presented, false);
    if (!row) return null;
    await this.revokeFamily(manager, row.familyId);
    return row.userId;
  }

  async revokeAllForUser(manager: EntityManager, userId: string): Promise<void> {
    await manager
      .getRepository(RefreshTokenEntity)
      .update({ userId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  private async revokeFamily(manager: EntityManager, familyId: string): Promise<void> {
    await manager
      .getRepository(RefreshTokenEntity)
      .update({ familyId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
  }

  private async find(
    manager: EntityManager,
    presented: string,
    lock: boolean,
  ): Promise<RefreshTokenEntity | null> {
    const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,100})$/.exec(presented);
    if (!match) return null;
    const row = await manager.getRepository(RefreshTokenEntity).findOne({
      where: { id: match[1] },
      lock: lock ? { mode: 'pessimistic_write' } : undefined,
    });
    if (!row) return null;
    const expected = Buffer.from(row.secretHash, 'hex');
    const actual = Buffer.from(sha256(match[2]), 'hex');
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? row : null;
  }
}
