import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const RECUSAL_KINDS = ['affiliation', 'declared'] as const;
export type RecusalKind = (typeof RECUSAL_KINDS)[number];

/** 回避: an expert recused from one subject, automatically (affiliation) or by its own declaration. */
@Entity('panel_recusals')
@Index('uq_panel_recusals_subject_expert', ['subjectId', 'expertId'], { unique: true })
@Index('idx_panel_recusals_panel_id', ['panelId'])
export class PanelRecusalEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'uuid' })
  expertId: string;

  @Column({ type: 'text' })
  kind: RecusalKind;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
