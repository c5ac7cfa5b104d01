import type { MeView, OrganizationView, UserView } from '../dto/identity.dto';
import type { OrganizationEntity } from '../entities/organization.entity';
import type { UserEntity } from '../entities/user.entity';

export const toOrganizationView = (o: OrganizationEntity): OrganizationView => ({
  id: o.id,
  name: o.name,
  type: o.type,
  creditCode: o.creditCode,
  createdAt: o.createdAt.toISOString(),
});

export const toUserView = (u: UserEntity): UserView => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  roles: u.roles,
  organizationId: u.organizationId,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
});

export const toMeView = (u: UserEntity, o: OrganizationEntity): MeView => ({
  id: u.id,
  email: u.email,
  displayName: u.displayName,
  roles: u.roles,
  organization: { id: o.id, name: o.name, type: o.type },
});
