import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per job effect that has been applied. Handlers claim the key inside the transaction that
 * applies the effect (see `claimOnce`), so a redelivered job finds it taken and does nothing twice.
 */
@Entity('processed_jobs')
export class ProcessedJobEntity {
  @PrimaryColumn({ type: 'text' })
  jobKey: string;

  @CreateDateColumn({ type: 'timestamptz' })
  completedAt: Date;
}
