import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, AppConfig, UnauthenticatedError } from '@aihub/core';
import type { AuthUser, PrincipalResolver } from '@aihub/authz';
import { UserEntity } from '../entities/user.entity';

interface AccessClaims {
  sub: string;
  org: string;
  typ: 'access';
}

/**
 * Short-lived JWT access tokens (HS256). The user is re-read on every request, so deactivation and
 * role changes take effect at once rather than when the token expires.
 */
@Injectable()
export class AccessTokenService implements PrincipalResolver {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  issue(user: UserEntity): { accessToken: string; accessTokenExpiresAt: string } {
    const ttl = this.config.auth.accessTokenTtlSeconds;
    const claims: AccessClaims = { sub: user.id, org: user.organizationId, typ: 'access' };
    const accessToken = this.jwt.sign(claims, { expiresIn: ttl, jwtid: randomUUID(), algorithm: 'HS256' });
    return { accessToken, accessTokenExpiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  }

  async resolve(token: string): Promise<AuthUser> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token, { algorithms: ['HS256'] });
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') {
        throw new UnauthenticatedError('TOKEN_EXPIRED', 'The access token has expired; refresh it.');
      }
      throw new UnauthenticatedError('INVALID_TOKEN', 'The access token is not valid.');
    }
    if (claims.typ !== 'access' || typeof claims.sub !== 'string') {
      throw new UnauthenticatedError('INVALID_TOKEN', 'The access token is not valid.');
    }
    const user = await this.dataSource.getRepository(UserEntity).findOne({
      where: { id: claims.sub },
      relations: { organization: true },
    });
    if (!user || !user.active || !user.organization) {
      throw new UnauthenticatedError(
        'INVALID_TOKEN',
        'The account of this token no longer exists or is disabled.',
      );
    }
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      organizationId: user.organizationId,
      organizationType: user.organization.type,
      roles: user.roles,
    };
  }
}
