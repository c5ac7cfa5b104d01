import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { assertCanRead, AuthenticatedActor, OrganizationType, Role, whereAccessible } from '@aihub/authz';
import { NotFoundError, Page, pageByCreatedAt, PageQueryDto } from '@aihub/core';
import type { CreateUserDto, MeView, UserView } from '../dto/identity.dto';
import { OrganizationEntity } from '../entities/organization.entity';
import { UserEntity } from '../entities/user.entity';
import { EmailTakenError, RoleNotAllowedError } from '../identity.errors';
import { PasswordHasher } from './password-hasher.service';
import { RefreshTokenService } from './refresh-token.service';
import { toMeView, toUserView } from './views';

/** Which organization types may hold each role: a company member cannot be made an operator. */
const ROLE_ORGANIZATION_TYPES: Record<Role, OrganizationType[]> = {
  operator: ['platform'],
  auditor: ['platform', 'government'],
  gov: ['government'],
  data_steward: ['government'],
  enterprise: ['enterprise'],
  expert: ['platform', 'government', 'enterprise'],
};

export function assertRolesFit(roles: Role[], organizationType: OrganizationType): void {
  for (const role of roles) {
    if (!ROLE_ORGANIZATION_TYPES[role].includes(organizationType))
      throw new RoleNotAllowedError(role, organizationType);
  }
}

@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly passwords: PasswordHasher,
    private readonly refreshTokens: RefreshTokenService,
    private readonly audit: AuditService,
  ) {}

  async insert(
    manager: EntityManager,
    input: {
      email: string;
      passwordHash: string;
      displayName: string;
      organization: OrganizationEntity;
      roles: Role[];
    },
  ): Promise<UserEntity> {
    assertRolesFit(input.roles, input.organization.type);
    const repo = manager.getRepository(UserEntity);
    const row = repo.create({
      email: input.email.trim().toLowerCase(),
      passwordHash: input.passwordHash,
      displayName: input.displayName.trim(),
      organizationId: input.organization.id,
      roles: [...new Set(input.roles)].sort(),
      active: true,
    });
    try {
      return await manager.transaction((tx) => tx.getRepository(UserEntity).save(row));
    } catch (err) {
      if (
        err instanceof QueryFailedError &&
        (err.driverError as { constraint?: string }).constraint === 'uq_users_email'
      ) {
        throw new EmailTakenError();
      }
      throw err;
    }
  }

  async create(actor: AuthenticatedActor, dto: CreateUserDto): Promise<UserView> {
    const passwordHash = await this.passwords.hash(dto.password);
    return this.dataSource.transaction(async (manager) => {
      const organization = await manager
        .getRepository(OrganizationEntity)
        .findOne({ where: { id: dto.organizationId } });
      assertCanRead(actor.ability, 'Organization', organization, dto.organizationId);
      const user = await this.insert(manager, { ...dto, passwordHash, organization: organization! });
      await this.audit.record(manager, {
        action: 'user.create',
        objectType: 'User',
        objectId: user.id,
        details: { email: user.email, organizationId: user.organizationId, roles: user.roles },
      });
      return toUserView(user);
    });
  }

  async setRoles(actor: AuthenticatedActor, id: string, roles: Role[]): Promise<UserView> {
    return this.dataSource.transaction(async (manager) => {
      const user = await manager
        .getRepository(UserEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      assertCanRead(actor.ability, 'User', user, id, 'update');
      const organization = await manager
        .getRepository(OrganizationEntity)
        .findOneByOrFail({ id: user!.organizationId });
      assertRolesFit(roles, organization.type);
      const before = user!.roles;
      const after = [...new Set(roles)].sort();
      await manager.getRepository(UserEntity).update({ id }, { roles: after });
      // sessions carry no roles (they are re-read per request), but a demotion should end refresh chains
      if (before.some((r) => !after.includes(r))) await this.refreshTokens.revokeAllForUser(manager, id);
      await this.audit.record(manager, {
        action: 'user.roles.change',
        objectType: 'User',
        objectId: id,
        details: { before, after },
      });
      return toUserView({ ...user!, roles: after });
    });
  }

  async list(
    actor: AuthenticatedActor,
    query: PageQueryDto & { organizationId?: string },
  ): Promise<Page<UserView>> {
    const qb = this.dataSource.getRepository(UserEntity).createQueryBuilder('u');
    whereAccessible(qb, actor.ability, 'read', 'User');
    if (query.organizationId) qb.andWhere('u.organization_id = :org', { org: query.organizationId });
    return pageByCreatedAt(qb, query, toUserView);
  }

  async get(actor: AuthenticatedActor, id: string): Promise<UserView> {
    const user = await this.dataSource.getRepository(UserEntity).findOne({ where: { id } });
    return toUserView(assertCanRead(actor.ability, 'User', user, id));
  }

  async me(actor: AuthenticatedActor): Promise<MeView> {
    const user = await this.dataSource
      .getRepository(UserEntity)
      .findOne({ where: { id: actor.user.id }, relations: { organization: true } });
    if (!user?.organization) throw new NotFoundError('User', actor.user.id);
    return toMeView(user, user.organization);
  }
}
