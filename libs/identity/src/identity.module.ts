import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { PRINCIPAL_RESOLVER } from '@aihub/authz';
import { AuthController } from './controllers/auth.controller';
import { MeController } from './controllers/me.controller';
import { OrganizationsController } from './controllers/organizations.controller';
import { UsersController } from './controllers/users.controller';
import { OrganizationEntity } from './entities/organization.entity';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { UserEntity } from './entities/user.entity';
import { AccessTokenService } from './services/access-token.service';
import { AuthService } from './services/auth.service';
import { IdentityBootstrapService } from './services/bootstrap.service';
import { LoginRateLimiter } from './services/login-rate-limiter.service';
import { OrganizationsService } from './services/organizations.service';
import { PasswordHasher } from './services/password-hasher.service';
import { RefreshTokenService } from './services/refresh-token.service';
import { UsersService } from './services/users.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([OrganizationEntity, UserEntity, RefreshTokenEntity]),
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        secret: config.auth.jwtSecret,
        signOptions: { algorithm: 'HS256', issuer: 'aihub' },
        verifyOptions: { issuer: 'aihub' },
      }),
    }),
  ],
  controllers: [AuthController, MeController, OrganizationsController, UsersController],
  providers: [
    PasswordHasher,
    AccessTokenService,
    RefreshTokenService,
    LoginRateLimiter,
    AuthService,
    OrganizationsService,
    UsersService,
    IdentityBootstrapService,
    { provide: PRINCIPAL_RESOLVER, useExisting: AccessTokenService },
  ],
  exports: [PRINCIPAL_RESOLVER, OrganizationsService, UsersService, PasswordHasher, IdentityBootstrapService],
})
export class IdentityModule implements OnApplicationBootstrap {
  constructor(private readonly bootstrap: IdentityBootstrapService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bootstrap.run();
  }
}
