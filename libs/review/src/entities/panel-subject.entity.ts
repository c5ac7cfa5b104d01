import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What a panel scores: an application (stage `application`) or an awardee's final result (stage
 * `result`, keyed by the awardee's application). `code` ("A-07") is what experts see in blind panels;
 * `organizationIds` (lead first, then consortium members) is what recusal compares affiliations with.
 */
@Entity('panel_subjects')
@Index('uq_panel_subjects_panel_application', ['panelId', 'applicationId'], { unique: true })
@Index('uq_panel_subjects_panel_code', ['panelId', 'code'], { unique: true })
export class PanelSubjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  panelId: string;

  @Column({ type: 'uuid' })
  applicationId: string;

  @Column({ type: 'uuid', array: true })
  organizationIds: string[];

  /** stage `result`: the awardee's final submission (evaluation lib), when it has one */
  @Column({ type: 'uuid', nullable: true })
  submissionId: string | null;

  @Column({ type: 'text' })
  code: string;

  @Column({ type: 'int' })
  position: number;

  @CreateDateColumn({ type: 'timestamptz', precision: 3 })
  createdAt: Date;
}
