import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Action, AppAbility, SubjectType } from './app-ability';
import type { AuthUser } from './roles';

export const IS_PUBLIC = 'aihub:public';
export const POLICY = 'aihub:policy';

export type PolicySpec = { kind: 'authenticated' } | { kind: 'can'; action: Action; subject: SubjectType };

/** No login needed (a token, if sent, is still resolved so responses can adapt to the caller). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Any logged-in user; finer checks happen on the object in the service. */
export const Authenticated = () => SetMetadata<string, PolicySpec>(POLICY, { kind: 'authenticated' });

/** The caller's ability must allow `action` on some `subject`; object-level checks follow in the service. */
export const Policy = (action: Action, subject: SubjectType) =>
  SetMetadata<string, PolicySpec>(POLICY, { kind: 'can', action, subject });

export interface AuthenticatedRequest extends Request {
  user?: AuthUser;
  ability?: AppAbility;
}

/** The caller as the services see it. */
export interface Actor {
  user: AuthUser | null;
  ability: AppAbility;
}

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return { user: req.user ?? null, ability: req.ability! };
});

/** The authenticated caller; only on handlers that require authentication. */
export interface AuthenticatedActor extends Actor {
  user: AuthUser;
}
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AuthenticatedActor => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return { user: req.user!, ability: req.ability! };
});
