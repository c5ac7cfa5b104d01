import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@aihub/core';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import type { JobRegistry } from '../jobs/define-job';
import { handledJobOf, type HandlesJob } from '../jobs/job-handler.decorator';
import { JOB_REGISTRY } from '../queue.constants';
import { QueueName } from '../queue-name';
import { settlesWithin } from '../services/bounded-wait';
import { QueueConnections } from '../services/queue-connections.service';
import { WorkerIdentity } from '../services/worker-identity';
import { type DiscoveredJobHandler, pairJobsWithHandlers } from './handler-check';

/** A job stalled (its worker died) more often than this is failed instead of retried forever. */
const MAX_STALLED_COUNT = 2;
/** After the shutdown timeout, how long cancellation-aware handlers get to stop. */
const CANCEL_GRACE_MS = 1_000;

/**
 * Runs BullMQ workers in the worker app: finds the `@JobHandler` classes, checks every registered job has
 * exactly one (else boot fails), starts one Worker per queue that has handlers and dispatches by job name.
 * On shutdown it stops taking jobs and waits for the active ones up to `shutdownTimeoutMs`.
 */
@Injectable()
export class WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerHost.name);
  private handlers = new Map<string, DiscoveredJobHandler>();
  private readonly workers = new Map<QueueName, Worker>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(JOB_REGISTRY) private readonly registry: JobRegistry,
    private readonly connections: QueueConnections,
    private readonly identity: WorkerIdentity,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Every queue this process works on. */
  get queueNames(): QueueName[] {
    return [...new Set([...this.handlers.values()].map((h) => h.definition.queue))].sort();
  }

  get instanceId(): string {
    return this.identity.instanceId;
  }

  onModuleInit(): void {
    this.handlers = pairJobsWithHandlers(this.registry.all(), this.discoverHandlers());
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const queue of this.queueNames) {
      const worker = new Worker(
        queue,
        (job: Job, _token?: string, signal?: AbortSignal) => this.process(job, signal),
        {
          connection: this.connections.worker(),
          prefix: this.connections.prefix,
          name: this.identity.instanceId,
          concurrency: this.config.queue.concurrency,
          lockDuration: this.config.queue.lockDurationMs,
          stalledInterval: this.config.queue.stalledIntervalMs,
          maxStalledCount: MAX_STALLED_COUNT,
        },
      );
      worker.on('failed', (job, err) =>
        this.logger.warn(
          `Job ${job?.id ?? '?'} (${job?.name ?? '?'}) failed on attempt ${job?.attemptsMade ?? '?'}: ${err.message}`,
        ),
      );
      worker.on('stalled', (jobId) =>
        this.logger.warn(`Job ${jobId} stalled (its worker died); it will run again`),
      );
      worker.on('error', (err) => this.logger.error(`Worker for queue ${queue}: ${err.message}`));
      this.workers.set(queue, worker);
    }
    await Promise.all([...this.workers.values()].map((w) => w.waitUntilReady()));
  }

  async onModuleDestroy(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    if (workers.length === 0) return;
    const closing = Promise.allSettled(workers.map((w) => w.close()));
    const timeoutMs = this.config.shutdownTimeoutMs;
    if (!(await settlesWithin(closing, timeoutMs))) {
      // whatever is still running loses its lock when the connections close and another worker retries it
      this.logger.warn(`Active jobs did not finish within ${timeoutMs} ms of shutdown; cancelling them`);
      for (const worker of workers) worker.cancelAllJobs('worker shutting down');
      await settlesWithin(closing, CANCEL_GRACE_MS);
    }
  }

  private async process(job: Job, signal?: AbortSignal): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler || handler.definition.queue !== job.queueName) {
      throw new UnrecoverableError(`No handler for job "${job.name}" on queue "${job.queueName}"`);
    }
    return handler.instance.handle(job.data as object, job as Job<object>, signal);
  }

  private discoverHandlers(): DiscoveredJobHandler[] {
    return this.discovery.getProviders().flatMap((wrapper) => {
      const definition = handledJobOf(wrapper.metatype);
      if (!definition) return [];
      const handlerName = wrapper.metatype?.name ?? String(wrapper.token);
      if (!wrapper.isDependencyTreeStatic()) {
        throw new Error(
          `Job handler ${handlerName} must be a singleton provider (not request- or transient-scoped).`,
        );
      }
      return [{ definition, handlerName, instance: wrapper.instance as HandlesJob<object> }];
    });
  }
}
