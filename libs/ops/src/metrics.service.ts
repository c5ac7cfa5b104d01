import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type QueueDepths = Record<string, object>;

/** One Prometheus registry per process; the api exposes it, libs add their gauges. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'aihub_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly httpErrors = new Counter({
    name: 'aihub_http_server_errors_total',
    help: 'HTTP 5xx answers by route',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });
  private queueDepthSource?: () => Promise<QueueDepths>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'aihub_' });
    const depthSource = () => this.queueDepthSource;
    new Gauge({
      name: 'aihub_queue_jobs',
      help: 'BullMQ jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        const source = depthSource();
        if (!source) return;
        this.reset();
        const depths = await source().catch(() => ({}) as QueueDepths);
        for (const [queue, states] of Object.entries(depths)) {
          for (const [state, count] of Object.entries(states))
            if (typeof count === 'number') this.set({ queue, state }, count);
        }
      },
    });
  }

  setQueueDepthSource(source: () => Promise<QueueDepths>): void {
    this.queueDepthSource = source;
  }
}
