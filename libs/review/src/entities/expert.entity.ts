import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * An expert of the pool (专家库): a user with the `expert` role, the organization it is affiliated with
 * (recusal compares it with each subject's organizations) and its expertise (tech field codes). The id
 * is the user's id, so panels, scores and results name experts by the account that scores.
 */
@Entity('experts')
@Index('idx_experts_created_at_id', ['createdAt', 'id'])
export class ExpertEntity {
  /** the user's id */
  @PrimaryColumn('uuid')
  id: string;

  @Index('idx_experts_affiliation_org_id')
  @Column({ type: 'uuid' })
  affiliationOrgId: string;

  /** tech field codes (API.md vocabularies) */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  expertise: string[];

  /** inactive experts stay on past panels but cannot be put on new ones */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
