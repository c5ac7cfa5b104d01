import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An expert's seat on a panel (subject type `PanelAssignment`: experts read and score through it). */
@Entity('panel_members')
@Index('uq_panel_members_panel_expert', ['panelId', 'expertId'], { unique: true })
export class PanelMemberEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Index('idx_panel_members_expert_id')
  @Column({ type: 'uuid' })
  expertId: string;

  /** order of the expert in the panel request (results list experts in this order) */
  @Column({ type: 'int', default: 0 })
  position: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
