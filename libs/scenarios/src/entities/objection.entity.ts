import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { UserEntity } from '@aihub/identity';
import type { ObjectionStatus } from '../vocabularies';
import { PublicityEntity } from './publicity.entity';

/** A real-name objection (异议) to a publicity; the objector is shown to operators only. */
@Entity('objections')
@Index('idx_objections_publicity_created', ['publicityId', 'createdAt', 'id'])
export class ObjectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  publicityId: string;

  @ManyToOne(() => PublicityEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'publicity_id' })
  publicity?: PublicityEntity;

  @Index('idx_objections_objector_id')
  @Column({ type: 'uuid' })
  objectorId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'objector_id' })
  objector?: UserEntity;

  @Column({ type: 'uuid' })
  objectorOrgId: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'pending' })
  status: ObjectionStatus;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedBy: string | null;

  @Column({ type: 'timestamptz', precision: 3, nullable: true })
  resolvedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
