import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { QueueName } from '../queue-name';

/** BullMQ options the relay passes on, fixed at enqueue time from the job definition. */
export interface OutboxJobOptions {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delay: number };
}

/**
 * A job waiting to be handed to BullMQ. Written in the producer's transaction, so the job exists exactly
 * when the business change does; the relay moves committed rows to BullMQ and stamps `dispatchedAt`.
 */
@Entity('outbox')
@Index('idx_outbox_pending', ['id'], { where: '"dispatched_at" IS NULL' })
@Index('idx_outbox_dispatched_at', ['dispatchedAt'], { where: '"dispatched_at" IS NOT NULL' })
@Index('idx_outbox_job', ['queue', 'jobId'])
export class OutboxMessageEntity {
  /** insertion order, so jobs are relayed first in, first out */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text' })
  queue: QueueName;

  @Column({ type: 'text' })
  jobName: string;

  /** the deterministic BullMQ job id (`<job name>/<key>`) */
  @Column({ type: 'text' })
  jobId: string;

  @Column({ type: 'jsonb' })
  payload: object;

  @Column({ type: 'jsonb' })
  jobOptions: OutboxJobOptions;

  /** delay requested by the producer, counted from `createdAt` */
  @Column({ type: 'integer', default: 0 })
  delayMs: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;

  /** relay attempts that failed to reach BullMQ (Redis down, ...) */
  @Column({ type: 'integer', default: 0 })
  failedAttempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;
}
