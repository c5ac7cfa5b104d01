import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { OrganizationType } from '@aihub/authz';

@Entity('organizations')
export class OrganizationEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('uq_organizations_name', { unique: true })
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  type: OrganizationType;

  /** unified social credit code (GB 32100), required for enterprises */
  @Index('uq_organizations_credit_code', { unique: true, where: 'credit_code IS NOT NULL' })
  @Column({ type: 'char', length: 18, nullable: true })
  creditCode: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
