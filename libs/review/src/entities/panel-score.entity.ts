import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

const numeric = { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

/** One expert's scores for one subject in one round of a panel (editable while the panel is open). */
@Entity('panel_scores')
@Index('uq_panel_scores_round_subject_expert', ['panelId', 'round', 'subjectId', 'expertId'], {
  unique: true,
})
export class PanelScoreEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Column({ type: 'int' })
  round: number;

  @Column({ type: 'uuid' })
  subjectId: string;

  @Column({ type: 'uuid' })
  expertId: string;

  @Column({ type: 'jsonb' })
  scores: Record<string, number>;

  /** Σ weight × score / maxScore × 100 */
  @Column({ type: 'numeric', precision: 9, scale: 4, transformer: numeric })
  total: number;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz', precision: 3 })
  updatedAt: Date;
}
