import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { assertCanRead, AuthenticatedActor, whereAccessible } from '@aihub/authz';
import { Page, pageByCreatedAt, PageQueryDto, ValidationFailedError } from '@aihub/core';
import type { CreateOrganizationDto, OrganizationView } from '../dto/identity.dto';
import { OrganizationEntity } from '../entities/organization.entity';
import { OrganizationExistsError } from '../identity.errors';
import { toOrganizationView } from './views';

const uniqueViolation = (err: unknown, constraint: string) =>
  err instanceof QueryFailedError &&
  (err.driverError as { code?: string; constraint?: string })?.code === '23505' &&
  (err.driverError as { constraint?: string }).constraint === constraint;

@Injectable()
export class OrganizationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Inserts inside the caller's transaction, mapping unique violations to 409. */
  async insert(
    manager: EntityManager,
    input: { name: string; type: OrganizationEntity['type']; creditCode?: string | null },
  ): Promise<OrganizationEntity> {
    const name = input.name.trim();
    const creditCode = input.creditCode ? input.creditCode.toUpperCase() : null;
    if (input.type === 'enterprise' && !creditCode) {
      throw new ValidationFailedError([
        { field: 'creditCode', message: 'creditCode is required for enterprises' },
      ]);
    }
    const repo = manager.getRepository(OrganizationEntity);
    try {
      // a savepoint keeps the caller's transaction usable after a unique violation
      return await manager.transaction((tx) =>
        tx.getRepository(OrganizationEntity).save(repo.create({ name, type: input.type, creditCode })),
      );
    } catch (err) {
      if (uniqueViolation(err, 'uq_organizations_name')) throw new OrganizationExistsError('name');
      if (uniqueViolation(err, 'uq_organizations_credit_code'))
        throw new OrganizationExistsError('creditCode');
      throw err;
    }
  }

  async create(actor: AuthenticatedActor, dto: CreateOrganizationDto): Promise<OrganizationView> {
    return this.dataSource.transaction(async (manager) => {
      const org = await this.insert(manager, dto);
      await this.audit.record(manager, {
        action: 'organization.create',
        objectType: 'Organization',
        objectId: org.id,
        details: { name: org.name, type: org.type, creditCode: org.creditCode },
      });
      return toOrganizationView(org);
    });
  }

  async list(actor: AuthenticatedActor, query: PageQueryDto): Promise<Page<OrganizationView>> {
    const qb = this.dataSource.getRepository(OrganizationEntity).createQueryBuilder('o');
    whereAccessible(qb, actor.ability, 'read', 'Organization');
    return pageByCreatedAt(qb, query, toOrganizationView);
  }

  async get(actor: AuthenticatedActor, id: string): Promise<OrganizationView> {
    const org = await this.dataSource.getRepository(OrganizationEntity).findOne({ where: { id } });
    return toOrganizationView(assertCanRead(actor.ability, 'Organization', org, id));
  }
}
