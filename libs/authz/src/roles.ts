export const ROLES = ['operator', 'gov', 'data_steward', 'enterprise', 'expert', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ORGANIZATION_TYPES = ['government', 'enterprise', 'platform'] as const;
export type OrganizationType = (typeof ORGANIZATION_TYPES)[number];

/** The authenticated caller, as resolved from a valid access token. */
export interface AuthUser {
  id: string;
  email: string;
  displayName: string;
  organizationId: string;
  organizationType: OrganizationType;
  roles: Role[];
}
