import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '@aihub/audit';
import type { OrganizationType, Role } from '@aihub/authz';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { withCreditCodeCheck } from '../credit-code';
import { OrganizationEntity } from '../entities/organization.entity';
import { UserEntity } from '../entities/user.entity';
import { PasswordHasher } from './password-hasher.service';

export const PLATFORM_ORGANIZATION_NAME = 'AI-HUB 运营中心';

interface DemoOrg {
  key: string;
  name: string;
  type: OrganizationType;
  creditCode?: string;
}
interface DemoUser {
  email: string;
  displayName: string;
  org: string;
  roles: Role[];
}

/** Demo organizations (fictional; credit codes generated with valid check characters). */
export const DEMO_ORGANIZATIONS: DemoOrg[] = [
  { key: 'platform', name: PLATFORM_ORGANIZATION_NAME, type: 'platform' },
  {
    key: 'gov',
    name: '福田区城市管理和综合执法局',
    type: 'government',
    creditCode: withCreditCodeCheck('11440304MB2C12345'),
  },
  {
    key: 'data',
    name: '福田区政务服务数据管理局',
    type: 'government',
    creditCode: withCreditCodeCheck('11440304MB2D67890'),
  },
  {
    key: 'ent1',
    name: '深圳智城科技有限公司',
    type: 'enterprise',
    creditCode: withCreditCodeCheck('91440300MA5G1A2B3'),
  },
  {
    key: 'ent2',
    name: '深圳鹏程数智科技有限公司',
    type: 'enterprise',
    creditCode: withCreditCodeCheck('91440300MA5H4C5D6'),
  },
  { key: 'experts', name: 'AI-HUB 专家库', type: 'platform' },
  {
    key: 'audit',
    name: '福田区审计监督办公室',
    type: 'government',
    creditCode: withCreditCodeCheck('11440304MB2E24680'),
  },
];

export const DEMO_USERS: DemoUser[] = [
  { email: 'operator@demo.aihub', displayName: '平台运营 王敏', org: 'platform', roles: ['operator'] },
  { email: 'gov@demo.aihub', displayName: '城管局 李建国', org: 'gov', roles: ['gov'] },
  { email: 'steward@demo.aihub', displayName: '数据局 陈晓', org: 'data', roles: ['data_steward'] },
  { email: 'enterprise@demo.aihub', displayName: '智城科技 张伟', org: 'ent1', roles: ['enterprise'] },
  { email: 'enterprise2@demo.aihub', displayName: '鹏程数智 刘洋', org: 'ent2', roles: ['enterprise'] },
  // expert1 is affiliated with a demo company, so recusal has something to show
  { email: 'expert1@demo.aihub', displayName: '专家 赵强', org: 'ent1', roles: ['expert'] },
  { email: 'expert2@demo.aihub', displayName: '专家 孙丽', org: 'experts', roles: ['expert'] },
  { email: 'expert3@demo.aihub', displayName: '专家 周杰', org: 'experts', roles: ['expert'] },
  { email: 'expert4@demo.aihub', displayName: '专家 吴芳', org: 'experts', roles: ['expert'] },
  { email: 'expert5@demo.aihub', displayName: '专家 郑涛', org: 'experts', roles: ['expert'] },
  { email: 'auditor@demo.aihub', displayName: '审计 冯静', org: 'audit', roles: ['auditor'] },
];

/**
 * First-start provisioning: the operator account from config and, in demo mode, the demo accounts.
 * Idempotent and safe when several api replicas start at once (advisory lock).
 */
@Injectable()
export class IdentityBootstrapService {
  private readonly logger = new Logger(IdentityBootstrapService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly passwords: PasswordHasher,
    private readonly audit: AuditService,
  ) {}

  async run(): Promise<void> {
    const operator = this.config.auth.bootstrapOperator;
    if (!operator && !this.config.demo.enabled) {
      const count = await this.dataSource
        .getRepository(UserEntity)
        .createQueryBuilder('u')
        .where(`'operator' = ANY(u.roles)`)
        .getCount();
      if (count === 0)
        this.logger.warn(
          'No operator account exists; set BOOTSTRAP_OPERATOR_EMAIL and BOOTSTRAP_OPERATOR_PASSWORD and restart.',
        );
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('aihub.identity.bootstrap'))`);
      const orgs = new Map<string, OrganizationEntity>();
      const ensureOrg = async (o: DemoOrg) => {
        const org = await this.ensureOrganization(manager, o);
        orgs.set(o.key, org);
        return org;
      };
      if (operator) {
        const platform = await ensureOrg(DEMO_ORGANIZATIONS[0]);
        await this.ensureUser(
          manager,
          { email: operator.email, displayName: '平台运营', org: 'platform', roles: ['operator'] },
          platform,
          operator.password,
        );
      }
      if (this.config.demo.enabled) {
        for (const o of DEMO_ORGANIZATIONS) await ensureOrg(o);
        for (const u of DEMO_USERS)
          await this.ensureUser(manager, u, orgs.get(u.org)!, this.config.demo.password);
      }
    });
  }

  private async ensureOrganization(manager: EntityManager, o: DemoOrg): Promise<OrganizationEntity> {
    const repo = manager.getRepository(OrganizationEntity);
    const existing = await repo.findOne({ where: { name: o.name } });
    if (existing) return existing;
    const org = await repo.save(
      repo.create({ name: o.name, type: o.type, creditCode: o.creditCode ?? null }),
    );
    await this.audit.record(manager, {
      action: 'organization.create',
      objectType: 'Organization',
      objectId: org.id,
      actorId: null,
      details: { name: org.name, type: org.type, source: 'bootstrap' },
    });
    return org;
  }

  private async ensureUser(
    manager: EntityManager,
    u: DemoUser,
    org: OrganizationEntity,
    password: string,
  ): Promise<void> {
    const repo = manager.getRepository(UserEntity);
    if (await repo.exists({ where: { email: u.email } })) return;
    const user = await repo.save(
      repo.create({
        email: u.email,
        displayName: u.displayName,
        organizationId: org.id,
        roles: u.roles,
        passwordHash: await this.passwords.hash(password),
        active: true,
      }),
    );
    await this.audit.record(manager, {
      action: 'user.create',
      objectType: 'User',
      objectId: user.id,
      actorId: null,
      details: { email: u.email, roles: u.roles, source: 'bootstrap' },
    });
    this.logger.log(`created account ${u.email} (${u.roles.join(', ')})`);
  }
}
