import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Client } from 'pg';
import { APP_CONFIG, type AppConfig } from '@aihub/core';
import { AuditSequencer } from './audit-sequencer.service';

/** the channel the audit_events insert trigger notifies while the sequencer is idle */
export const AUDIT_NOTIFY_CHANNEL = 'aihub_audit';
/** safety-net poll: entries get their index within about this long even without a notification */
const POLL_INTERVAL_MS = 250;
const LISTEN_RETRY_MS = 2_000;
const ERROR_BACKOFF_MS = 1_000;

/**
 * Runs the sequencer continuously in the worker: woken by the NOTIFY of the audit_events insert trigger
 * (sent only while the sequencer is idle), by a short poll, and when a checkpoint falls due. Every worker
 * runs one; the sequencer's advisory lock makes exactly one of them do the work at a time.
 */
@Injectable()
export class AuditSequencerRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AuditSequencerRunner.name);
  private running = false;
  private listener?: Client;
  private pollTimer?: NodeJS.Timeout;
  private dueTimer?: NodeJS.Timeout;
  private listenRetryTimer?: NodeJS.Timeout;
  private currentPass?: Promise<void>;
  private wakeRequested = false;
  private lastError?: string;

  constructor(
    private readonly sequencer: AuditSequencer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get isRunning(): boolean {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.schedulePoll();
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.pollTimer);
    clearTimeout(this.dueTimer);
    clearTimeout(this.listenRetryTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.currentPass;
  }

  /** Runs a pass now, or right after the one in progress. */
  wake(): void {
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
      const result = await this.sequencer.sequencePending();
      if (this.lastError) this.logger.log('Audit sequencer recovered');
      this.lastError = undefined;
      if (result.checkpointDueInMs !== null && this.running) {
        clearTimeout(this.dueTimer);
        this.dueTimer = setTimeout(() => this.wake(), result.checkpointDueInMs + 5);
        this.dueTimer.unref();
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== this.lastError) this.logger.warn(`Audit sequencer pass failed: ${message}`);
      this.lastError = message;
      await new Promise((resolve) => setTimeout(resolve, ERROR_BACKOFF_MS).unref());
    }
  }

  private schedulePoll(): void {
    this.pollTimer = setTimeout(() => {
      this.wake();
      if (this.running) this.schedulePoll();
    }, POLL_INTERVAL_MS);
    this.pollTimer.unref();
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.database.url,
      ssl: this.config.database.ssl ? { rejectUnauthorized: true } : false,
      application_name: 'aihub-audit-sequencer',
    });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger.warn(`Audit sequencer listener failed: ${err.message}`);
      this.dropListener(client);
    });
    client.on('end', () => this.dropListener(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${AUDIT_NOTIFY_CHANNEL}`);
    } catch (err) {
      this.logger.warn(
        `Audit sequencer listener could not connect (polling meanwhile): ${err instanceof Error ? err.message : String(err)}`,
      );
      await client.end().catch(() => undefined);
      this.scheduleListenRetry();
      return;
    }
    if (!this.running) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.wake();
  }

  private dropListener(client: Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    this.scheduleListenRetry();
  }

  private scheduleListenRetry(): void {
    if (!this.running) return;
    clearTimeout(this.listenRetryTimer);
    this.listenRetryTimer = setTimeout(() => void this.listen(), LISTEN_RETRY_MS);
    this.listenRetryTimer.unref();
  }
}
