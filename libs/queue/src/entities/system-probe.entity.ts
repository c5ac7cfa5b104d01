import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An operator's end-to-end check of the queue pipeline: request -> outbox -> relay -> BullMQ -> worker
 * -> exactly-once effect. `attempts` counts deliveries, `completions` counts effects (must stay <= 1).
 */
@Entity('system_probes')
@Index('idx_system_probes_requested_at', ['requestedAt'])
export class SystemProbeEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid', nullable: true })
  requestedBy: string | null;

  /** how long the handler works before completing, to make crashes mid-job observable */
  @Column({ type: 'integer' })
  durationMs: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'integer', default: 0 })
  completions: number;

  @CreateDateColumn({ type: 'timestamptz' })
  requestedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** instance id of the worker that completed it */
  @Column({ type: 'text', nullable: true })
  completedBy: string | null;
}
