import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ForbiddenError, requestContext, UnauthenticatedError } from '@aihub/core';
import { AbilityFactory } from './ability.factory';
import { AuthenticatedRequest, IS_PUBLIC, POLICY, PolicySpec } from './decorators';
import { DENIAL_RECORDER, DenialRecorder } from './denial-recorder';
import { PRINCIPAL_RESOLVER, PrincipalResolver } from './principal-resolver';

/**
 * Global guard. A handler must declare `@Public()` or a policy; one that declares neither is refused
 * (and the route-policy test fails the build). Denials are audited.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly abilities: AbilityFactory,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    @Inject(DENIAL_RECORDER) private readonly denials: DenialRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets) === true;
    const policy = this.reflector.getAllAndOverride<PolicySpec | undefined>(POLICY, targets);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();

    const token = this.bearerToken(req);
    if (token) {
      req.user = await this.principals.resolve(token);
      const ctx = requestContext();
      if (ctx) {
        ctx.actorId = req.user.id;
        ctx.actorOrgId = req.user.organizationId;
      }
    }
    req.ability = this.abilities.createFor(req.user ?? null);
    if (isPublic) return true;
    if (!policy) {
      await this.deny(req, 'route', 'no policy declared');
      throw new ForbiddenError('This route declares no access policy.', 'POLICY_MISSING');
    }
    if (!req.user) throw new UnauthenticatedError();
    if (policy.kind === 'can' && !req.ability.can(policy.action, policy.subject)) {
      await this.deny(req, policy.subject, `${policy.action} ${policy.subject}`);
      throw new ForbiddenError(`Your roles do not allow: ${policy.action} ${policy.subject}.`);
    }
    return true;
  }

  private bearerToken(req: AuthenticatedRequest): string | undefined {
    const header = req.headers.authorization;
    if (!header) return undefined;
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new UnauthenticatedError('MALFORMED_AUTHORIZATION', 'Use "Authorization: Bearer <accessToken>".');
    return match[1];
  }

  private deny(req: AuthenticatedRequest, objectType: string, reason: string): Promise<void> {
    return this.denials.recordDenied({
      action: 'authz.denied',
      objectType,
      objectId: (req.params?.id as string | undefined) ?? null,
      details: {
        method: req.method,
        route: req.route?.path ?? req.path,
        reason,
        roles: req.user?.roles ?? [],
      },
    });
  }
}
