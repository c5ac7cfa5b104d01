import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, Clock, type AppConfig } from '@aihub/core';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { OutboxJobOptions } from '../entities/outbox-message.entity';
import {
  OUTBOX_NOTIFY_CHANNEL,
  OUTBOX_RETENTION_MS,
  QUEUE_MODULE_OPTIONS,
  type QueueModuleOptions,
} from '../queue.constants';
import { QueueName } from '../queue-name';
import { settlesWithin } from './bounded-wait';
import { QueueRegistry } from './queue-registry.service';

const BATCH_SIZE = 100;
const PRUNE_EVERY_MS = 3600_000;
const PRUNE_CHUNK = 5_000;
const LISTEN_RETRY_MS = 2_000;
const LISTENER_CLOSE_TIMEOUT_MS = 2_000;

interface ClaimedRow {
  id: string;
  queue: string;
  jobName: string;
  jobId: string;
  payload: object;
  jobOptions: OutboxJobOptions;
  remainingDelayMs: number;
}

export interface RelayStartOptions {
  /** LISTEN for the outbox trigger's NOTIFY (default true); polling runs either way as a safety net */
  listen?: boolean;
}

/**
 * Moves committed outbox rows to BullMQ. Wakes on the NOTIFY the outbox trigger sends at commit and polls
 * every `outboxPollIntervalMs` in case a notification was missed (listener reconnecting, ...).
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of relays can run side by side.
 * A crash between "added to BullMQ" and "marked dispatched" only re-adds the same deterministic job id,
 * which BullMQ ignores while the job exists.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private running = false;
  private listenEnabled = false;
  private listener?: Client;
  private listenRetryTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private currentPass?: Promise<void>;
  private wakeRequested = false;
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueueRegistry,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(QUEUE_MODULE_OPTIONS) private readonly options: QueueModuleOptions,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  /** true while the NOTIFY listener is connected */
  get isListening(): boolean {
    return this.listener !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.relay) await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async start(options: RelayStartOptions = {}): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.listenEnabled = options.listen ?? true;
    if (this.listenEnabled) await this.listen();
    this.schedulePoll();
    this.wake();
  }

  /** Stops listening and polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.listenRetryTimer);
    const listener = this.listener;
    this.listener = undefined;
    await settlesWithin(listener?.end(), LISTENER_CLOSE_TIMEOUT_MS);
    // a pass stuck on an unreachable Redis must not hold up shutdown; its row locks die with the connection
    if (!(await settlesWithin(this.currentPass, this.config.shutdownTimeoutMs))) {
      this.logger.warn('Outbox relay pass still running at shutdown; its rows will be relayed again later');
    }
  }

  /** Relays every committed pending row now; returns how many reached BullMQ. */
  async dispatchPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const { claimed, dispatched } = await this.dispatchBatch();
      total += dispatched;
      // a failed batch (Redis down) is retried on the next wake-up, not in a tight loop
      if (claimed < BATCH_SIZE || dispatched === 0) return total;
    }
  }

  /**
   * Deletes dispatched rows older than the retention window; returns how many. `dispatched_at` is written
   * with the database's clock, so the default cutoff is computed by the database too (an injected Clock
   * moved by tests, or skewed, must not prune rows dispatched a moment ago).
   */
  async pruneDispatched(olderThan?: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted] = (await this.dataSource.query(
        `DELETE FROM outbox WHERE id IN (
           SELECT id FROM outbox
            WHERE dispatched_at IS NOT NULL
              AND dispatched_at < COALESCE($1::timestamptz, now() - make_interval(secs => $3::double precision))
            ORDER BY dispatched_at LIMIT $2
         )`,
        [olderThan ?? null, PRUNE_CHUNK, OUTBOX_RETENTION_MS / 1000],
      )) as [unknown, number];
      total += deleted;
      if (deleted < PRUNE_CHUNK) return total;
    }
  }

  private async dispatchBatch(): Promise<{ claimed: number; dispatched: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: ClaimedRow[] = await manager.query(
        `SELECT id, queue, job_name AS "jobName", job_id AS "jobId", payload, job_options AS "jobOptions",
                GREATEST(0, delay_ms - FLOOR(EXTRACT(EPOCH FROM clock_timestamp() - created_at) * 1000))::int
                  AS "remainingDelayMs"
           FROM outbox
          WHERE dispatched_at IS NULL
          ORDER BY id
          LIMIT $1
            FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) return { claimed: 0, dispatched: 0 };

      // the row locks are held until commit, so no other relay adds these jobs meanwhile
      const outcomes = await Promise.allSettled(rows.map((row) => this.addToBullMq(row)));
      const dispatchedIds = rows.filter((_, i) => outcomes[i].status === 'fulfilled').map((row) => row.id);
      if (dispatchedIds.length) {
        await manager.query('UPDATE outbox SET dispatched_at = now() WHERE id = ANY($1::bigint[])', [
          dispatchedIds,
        ]);
      }
      const failures = rows.flatMap((row, i) => {
        const outcome = outcomes[i];
        return outcome.status === 'rejected' ? [{ row, error: errorMessage(outcome.reason) }] : [];
      });
      for (const { row, error } of failures) {
        await manager.query(
          'UPDATE outbox SET failed_attempts = failed_attempts + 1, last_error = $2 WHERE id = $1',
          [row.id, error.slice(0, 2000)],
        );
      }
      if (failures.length) {
        this.logger.warn(
          `Outbox relay could not queue ${failures.length} of ${rows.length} jobs; retrying later. First error: ${failures[0].error}`,
        );
      }
      return { claimed: rows.length, dispatched: dispatchedIds.length };
    });
  }

  private async addToBullMq(row: ClaimedRow): Promise<void> {
    if (!(Object.values(QueueName) as string[]).includes(row.queue)) {
      throw new Error(`unknown queue "${row.queue}" for job ${row.jobId}`);
    }
    await this.queues.get(row.queue as QueueName).add(row.jobName, row.payload, {
      jobId: row.jobId,
      attempts: row.jobOptions.attempts,
      backoff: row.jobOptions.backoff,
      delay: row.remainingDelayMs > 0 ? row.remainingDelayMs : undefined,
    });
  }

  /** Runs a pass now, or right after the one in progress (notifications arriving mid-pass are not lost). */
  private wake(): void {
    if (!this.running) return;
    if (this.currentPass) {
      this.wakeRequested = true;
      return;
    }
    this.currentPass = this.runPass().finally(() => {
      this.currentPass = undefined;
      if (this.wakeRequested) {
        this.wakeRequested = false;
        this.wake();
      }
    });
  }

  private async runPass(): Promise<void> {
    try {
      const dispatched = await this.dispatchPending();
      if (dispatched) this.logger.debug(`Outbox relay queued ${dispatched} jobs`);
      const now = this.clock.now().getTime();
      if (now - this.lastPruneAt >= PRUNE_EVERY_MS) {
        this.lastPruneAt = now;
        const pruned = await this.pruneDispatched();
        if (pruned) this.logger.log(`Outbox relay pruned ${pruned} dispatched rows`);
      }
    } catch (err) {
      this.logger.warn(`Outbox relay pass failed: ${errorMessage(err)}`);
    }
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      this.wake();
      if (this.running) this.schedulePoll();
    }, this.config.queue.outboxPollIntervalMs);
    // the relay alone never keeps a process alive
    this.pollTimer.unref();
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.database.url,
      ssl: this.config.database.ssl ? { rejectUnauthorized: true } : false,
      application_name: 'aihub-outbox-relay',
    });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger.warn(`Outbox listener connection failed: ${err.message}`);
      this.dropListener(client);
    });
    client.on('end', () => this.dropListener(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    } catch (err) {
      this.logger.warn(`Outbox listener could not connect (polling meanwhile): ${errorMessage(err)}`);
      await client.end().catch(() => undefined);
      this.scheduleListenRetry();
      return;
    }
    if (!this.running) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    // rows committed while no listener was connected sent their NOTIFY to nobody
    this.wake();
  }

  private dropListener(client: Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleListenRetry();
  }

  private scheduleListenRetry(): void {
    if (!this.running || !this.listenEnabled) return;
    clearTimeout(this.listenRetryTimer);
    this.listenRetryTimer = setTimeout(() => void this.listen(), LISTEN_RETRY_MS);
    this.listenRetryTimer.unref();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
