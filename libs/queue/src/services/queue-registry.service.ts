import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { KEEP_COMPLETED_JOBS, KEEP_FAILED_JOBS } from '../queue.constants';
import { DEFAULT_RETRY_POLICY } from '../jobs/define-job';
import { QueueName } from '../queue-name';
import { settlesWithin } from './bounded-wait';
import { QueueConnections } from './queue-connections.service';

const CLOSE_TIMEOUT_MS = 2_000;

/**
 * One BullMQ `Queue` per queue name, created on first use over the shared producer connection.
 * Business code does not add jobs here: it enqueues through the outbox (see OutboxService).
 */
@Injectable()
export class QueueRegistry implements OnApplicationShutdown {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly connections: QueueConnections) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.connections.producer(),
        prefix: this.connections.prefix,
        defaultJobOptions: {
          attempts: DEFAULT_RETRY_POLICY.attempts,
          backoff: { type: DEFAULT_RETRY_POLICY.backoff.type, delay: DEFAULT_RETRY_POLICY.backoff.delayMs },
          removeOnComplete: KEEP_COMPLETED_JOBS,
          removeOnFail: KEEP_FAILED_JOBS,
        },
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await settlesWithin(Promise.allSettled(queues.map((q) => q.close())), CLOSE_TIMEOUT_MS);
  }
}
