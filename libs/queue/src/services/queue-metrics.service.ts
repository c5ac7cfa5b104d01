import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ALL_QUEUE_NAMES, QueueName } from '../queue-name';
import { QueueRegistry } from './queue-registry.service';

export interface QueueJobCounts {
  /** ready to run, including prioritized jobs */
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

export interface OutboxBacklog {
  /** committed jobs not yet handed to BullMQ */
  pending: number;
  /** age of the oldest of them; 0 when there is none */
  oldestPendingAgeSeconds: number;
}

/** Numbers for Prometheus gauges; the api exposes them on /metrics. */
@Injectable()
export class QueueMetricsService {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly dataSource: DataSource,
  ) {}

  async jobCounts(): Promise<Record<QueueName, QueueJobCounts>> {
    const entries = await Promise.all(
      ALL_QUEUE_NAMES.map(async (name) => {
        const c = await this.queues
          .get(name)
          .getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed');
        const counts: QueueJobCounts = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
          failed: c.failed ?? 0,
          completed: c.completed ?? 0,
        };
        return [name, counts] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<QueueName, QueueJobCounts>;
  }

  async outboxBacklog(): Promise<OutboxBacklog> {
    const [row]: { pending: number; oldestPendingAgeSeconds: number | null }[] = await this.dataSource.query(
      `SELECT count(*)::int AS pending,
              EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS "oldestPendingAgeSeconds"
         FROM outbox WHERE dispatched_at IS NULL`,
    );
    return { pending: row.pending, oldestPendingAgeSeconds: Math.max(0, row.oldestPendingAgeSeconds ?? 0) };
  }
}
