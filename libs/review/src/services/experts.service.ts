import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { Actor, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Page, pageByCreatedAt } from '@aihub/core';
import { OrganizationEntity, UserEntity } from '@aihub/identity';
import { LifecycleAccess } from '@aihub/scenarios';
import type { CreateExpertDto, ExpertListQueryDto, ExpertView, UpdateExpertDto } from '../dto/expert.dto';
import { ExpertEntity } from '../entities/expert.entity';
import { ExpertExistsError, ReviewReferencesError } from '../review.errors';

/** The expert pool (专家库), managed by operators. */
@Injectable()
export class ExpertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly access: LifecycleAccess,
  ) {}

  async create(actor: AuthenticatedActor, dto: CreateExpertDto): Promise<ExpertView> {
    const id = dto.userId.toLowerCase();
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.getRepository(UserEntity).findOne({ where: { id } });
      if (!user) throw new ReviewReferencesError([{ field: 'userId', message: 'no such user' }]);
      if (!user.roles.includes('expert'))
        throw new ReviewReferencesError([
          { field: 'userId', message: 'the user does not have the expert role' },
        ]);
      const affiliationOrgId = (dto.affiliationOrgId ?? user.organizationId).toLowerCase();
      await this.assertOrganization(manager, affiliationOrgId);
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(ExpertEntity)
        .values({ id, affiliationOrgId, expertise: [...new Set(dto.expertise)], active: true })
        .orIgnore()
        .returning(['id'])
        .execute();
      if (!(inserted.raw as unknown[]).length) throw new ExpertExistsError(id);
      await this.audit.record(manager, {
        action: 'expert.create',
        objectType: 'Expert',
        objectId: id,
        details: { affiliationOrgId, expertise: dto.expertise },
      });
    });
    return this.get(actor, id);
  }

  async update(actor: AuthenticatedActor, id: string, dto: UpdateExpertDto): Promise<ExpertView> {
    await this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(ExpertEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      const expert = await this.access.authorize(actor, 'update', 'Expert', row, id);
      const patch: Partial<ExpertEntity> = {};
      if (dto.affiliationOrgId !== undefined) {
        patch.affiliationOrgId = dto.affiliationOrgId.toLowerCase();
        await this.assertOrganization(manager, patch.affiliationOrgId);
      }
      if (dto.expertise !== undefined) patch.expertise = [...new Set(dto.expertise)];
      if (dto.active !== undefined) patch.active = dto.active;
      await manager.getRepository(ExpertEntity).update({ id }, patch);
      await this.audit.record(manager, {
        action: 'expert.update',
        objectType: 'Expert',
        objectId: id,
        details: {
          before: {
            affiliationOrgId: expert.affiliationOrgId,
            expertise: expert.expertise,
            active: expert.active,
          },
          changes: patch,
        },
      });
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ExpertView> {
    const row = await this.dataSource.getRepository(ExpertEntity).findOne({ where: { id } });
    const expert = await this.access.authorize(actor, 'read', 'Expert', row, id);
    return (await this.views(this.dataSource.manager, [expert]))[0];
  }

  async list(actor: Actor, query: ExpertListQueryDto): Promise<Page<ExpertView>> {
    const qb = this.dataSource.getRepository(ExpertEntity).createQueryBuilder('e');
    whereAccessible(qb, actor.ability, 'read', 'Expert');
    if (query.expertise) qb.andWhere(':expertise = ANY(e.expertise)', { expertise: query.expertise });
    const page = await pageByCreatedAt(qb, query, (e) => e);
    return { items: await this.views(this.dataSource.manager, page.items), nextCursor: page.nextCursor };
  }

  private async assertOrganization(manager: EntityManager, id: string): Promise<void> {
    const org = await manager.getRepository(OrganizationEntity).findOne({ where: { id } });
    if (!org)
      throw new ReviewReferencesError([{ field: 'affiliationOrgId', message: 'no such organization' }]);
  }

  private async views(manager: EntityManager, experts: ExpertEntity[]): Promise<ExpertView[]> {
    if (!experts.length) return [];
    const users = await manager
      .getRepository(UserEntity)
      .find({ where: { id: In(experts.map((e) => e.id)) } });
    const orgs = await manager
      .getRepository(OrganizationEntity)
      .find({ where: { id: In([...new Set(experts.map((e) => e.affiliationOrgId))]) } });
    const user = new Map(users.map((u) => [u.id, u]));
    const org = new Map(orgs.map((o) => [o.id, o]));
    return experts.map((e) => ({
      id: e.id,
      displayName: user.get(e.id)?.displayName ?? '',
      email: user.get(e.id)?.email ?? '',
      affiliation: { id: e.affiliationOrgId, name: org.get(e.affiliationOrgId)?.name ?? '' },
      expertise: e.expertise,
      active: e.active,
      createdAt: e.createdAt.toISOString(),
    }));
  }
}
