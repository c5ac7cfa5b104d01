import type { AuthUser } from './roles';

export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');

/** Implemented by identity: turns a bearer token into the current user or throws UnauthenticatedError. */
export interface PrincipalResolver {
  resolve(accessToken: string): Promise<AuthUser>;
}
