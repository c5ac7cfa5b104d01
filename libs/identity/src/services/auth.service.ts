import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { requestContext } from '@aihub/core';
import type {
  LoginDto,
  RegisterEnterpriseDto,
  RegisteredEnterpriseView,
  TokensView,
} from '../dto/identity.dto';
import { OrganizationEntity } from '../entities/organization.entity';
import { UserEntity } from '../entities/user.entity';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  RefreshTokenReusedError,
} from '../identity.errors';
import { AccessTokenService } from './access-token.service';
import { LoginRateLimiter } from './login-rate-limiter.service';
import { OrganizationsService } from './organizations.service';
import { PasswordHasher } from './password-hasher.service';
import { RefreshTokenService } from './refresh-token.service';
import { UsersService } from './users.service';
import { toMeView, toOrganizationView, toUserView } from './views';

/** Login, token refresh with rotation and reuse detection, logout, and enterprise self-registration. */
@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordHasher,
    private readonly accessTokens: AccessTokenService,
    private readonly refreshTokens: RefreshTokenService,
    private readonly limiter: LoginRateLimiter,
    private readonly audit: AuditService,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
  ) {}

  private get ip(): string {
    return requestContext()?.ip ?? 'unknown';
  }

  async login(dto: LoginDto): Promise<TokensView> {
    const email = dto.email.trim().toLowerCase();
    try {
      await this.limiter.admit(email, this.ip);
    } catch (err) {
      await this.audit.recordDetached({
        action: 'auth.login',
        objectType: 'User',
        outcome: 'denied',
        details: { email, reason: 'rate_limited' },
      });
      throw err;
    }
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { email }, relations: { organization: true } });
    const ok =
      user && user.active
        ? await this.passwords.verify(user.passwordHash, dto.password)
        : await this.passwords.verifyAgainstNothing(dto.password);
    if (!ok || !user || !user.organization) {
      await this.limiter.recordFailure(email);
      await this.audit.recordDetached({
        action: 'auth.login',
        objectType: 'User',
        objectId: user?.id ?? null,
        actorId: user?.id ?? null,
        actorOrgId: user?.organizationId ?? null,
        outcome: 'failure',
        details: { email, reason: user && !user.active ? 'disabled' : 'bad_credentials' },
      });
      throw new InvalidCredentialsError();
    }
    await this.limiter.recordSuccess(email);
    const organization = user.organization;
    return this.dataSource.transaction(async (manager) => {
      const refreshToken = await this.refreshTokens.issue(manager, user.id, undefined, this.ip);
      await this.audit.record(manager, {
        action: 'auth.login',
        objectType: 'User',
        objectId: user.id,
        actorId: user.id,
        actorOrgId: user.organizationId,
      });
      return { ...this.accessTokens.issue(user), refreshToken, user: toMeView(user, organization) };
    });
  }

  async refresh(presented: string): Promise<TokensView> {
    const outcome = await this.dataSource.transaction((manager) =>
      this.refreshTokens.rotate(manager, presented, this.ip),
    );
    if (outcome.kind === 'invalid') throw new InvalidRefreshTokenError();
    if (outcome.kind === 'reused') {
      // committed above: the family stays revoked even though this request fails
      await this.audit.recordDetached({
        action: 'auth.refresh.reuse_detected',
        objectType: 'User',
        objectId: outcome.userId,
        actorId: outcome.userId,
        outcome: 'denied',
        details: { familyId: outcome.familyId },
      });
      throw new RefreshTokenReusedError();
    }
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { id: outcome.userId }, relations: { organization: true } });
    if (!user || !user.active || !user.organization) throw new InvalidRefreshTokenError();
    return {
      ...this.accessTokens.issue(user),
      refreshToken: outcome.token,
      user: toMeView(user, user.organization),
    };
  }

  async logout(presented: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.refreshTokens.revoke(manager, presented);
      if (userId)
        await this.audit.record(manager, {
          action: 'auth.logout',
          objectType: 'User',
          objectId: userId,
          actorId: userId,
        });
    });
  }

  async registerEnterprise(dto: RegisterEnterpriseDto): Promise<RegisteredEnterpriseView> {
    // self-registration shares the per-IP budget with logins, against mass sign-ups
    await this.limiter.admit(`register:${dto.user.email.toLowerCase()}`, this.ip);
    const passwordHash = await this.passwords.hash(dto.user.password);
    return this.dataSource.transaction(async (manager: EntityManager) => {
      const organization: OrganizationEntity = await this.organizations.insert(manager, {
        name: dto.organization.name,
        type: 'enterprise',
        creditCode: dto.organization.creditCode,
      });
      const user = await this.users.insert(manager, {
        email: dto.user.email,
        passwordHash,
        displayName: dto.user.displayName,
        organization,
        roles: ['enterprise'],
      });
      await this.audit.record(manager, {
        action: 'enterprise.register',
        objectType: 'Organization',
        objectId: organization.id,
        actorId: user.id,
        actorOrgId: organization.id,
        details: { name: organization.name, creditCode: organization.creditCode, userId: user.id },
      });
      return { organization: toOrganizationView(organization), user: toUserView(user) };
    });
  }
}
