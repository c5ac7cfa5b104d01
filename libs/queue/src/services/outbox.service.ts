import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxMessageEntity } from '../entities/outbox-message.entity';
import type { JobDefinition } from '../jobs/define-job';
import { JobDefinitionError } from '../queue.errors';

export interface EnqueueOptions {
  /** run the job no earlier than this long after the transaction commits (roughly: after the insert) */
  delayMs?: number;
}

export interface EnqueuedJob {
  outboxId: string;
  jobId: string;
}

/**
 * The only way business code starts a job: it writes an outbox row with the caller's EntityManager, so
 * the job is committed or rolled back together with the change that caused it. The relay does the rest.
 */
@Injectable()
export class OutboxService {
  async enqueue<P extends object>(
    manager: EntityManager,
    definition: JobDefinition<P>,
    payload: P,
    opts: EnqueueOptions = {},
  ): Promise<EnqueuedJob> {
    const delayMs = opts.delayMs ?? 0;
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 2_147_483_647) {
      throw new JobDefinitionError(
        `Job "${definition.name}": delayMs must be a non-negative integer (got ${delayMs}).`,
      );
    }
    const jobId = definition.jobId(payload);
    const result = await manager.getRepository(OutboxMessageEntity).insert({
      queue: definition.queue,
      jobName: definition.name,
      jobId,
      payload,
      jobOptions: {
        attempts: definition.retry.attempts,
        backoff: { type: definition.retry.backoff.type, delay: definition.retry.backoff.delayMs },
      },
      delayMs,
    });
    return { outboxId: String(result.identifiers[0].id), jobId };
  }
}
