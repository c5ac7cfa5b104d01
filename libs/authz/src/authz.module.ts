import { Global, Module } from '@nestjs/common';
import { AbilityFactory } from './ability.factory';

/**
 * The ability factory. The guard (AuthGuard) is registered as APP_GUARD by the app, where identity's
 * principal resolver and audit's denial recorder are in scope.
 */
@Global()
@Module({ providers: [AbilityFactory], exports: [AbilityFactory] })
export class AuthzModule {}
