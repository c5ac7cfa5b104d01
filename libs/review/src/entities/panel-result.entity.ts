import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface ExpertTotal {
  expertId: string;
  total: number;
  outlier: boolean;
}

/** A subject's result in a closed round: written once when the round closes, never changed. */
@Entity('panel_results')
@Index('uq_panel_results_round_subject', ['panelId', 'round', 'subjectId'], { unique: true })
export class PanelResultEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Column({ type: 'int' })
  round: number;

  @Column({ type: 'uuid' })
  subjectId: string;

  /** null when nobody scored the subject */
  @Column({ type: 'double precision', nullable: true })
  aggregate: number | null;

  @Column({ type: 'int', nullable: true })
  rank: number | null;

  @Column({ type: 'jsonb' })
  expertTotals: ExpertTotal[];

  @Column({ type: 'uuid', array: true })
  recusedExpertIds: string[];

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
