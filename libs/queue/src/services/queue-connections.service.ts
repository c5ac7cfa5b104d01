import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@aihub/core';
import Redis from 'ioredis';
import { settlesWithin } from './bounded-wait';
import { warnUnlessNoEviction } from './redis-eviction-check';

/**
 * The Redis connections BullMQ uses, created on first use and closed at shutdown.
 * Producers (queues) fail a command after a few reconnect attempts so the relay can retry later;
 * workers wait for Redis forever (`maxRetriesPerRequest: null`), as BullMQ requires for blocking calls.
 */
@Injectable()
export class QueueConnections implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueueConnections.name);
  private producerConnection?: Redis;
  private workerConnection?: Redis;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** BullMQ key prefix, so several platforms (and test runs) can share one Redis */
  get prefix(): string {
    return this.config.redis.prefix;
  }

  producer(): Redis {
    this.producerConnection ??= this.connect('producer', { maxRetriesPerRequest: 3 });
    return this.producerConnection;
  }

  worker(): Redis {
    this.workerConnection ??= this.connect('worker', { maxRetriesPerRequest: null });
    return this.workerConnection;
  }

  async onApplicationBootstrap(): Promise<void> {
    await warnUnlessNoEviction(this.producer(), this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.producerConnection, this.workerConnection].map((c) => c && quitQuietly(c)));
    this.producerConnection = undefined;
    this.workerConnection = undefined;
  }

  private connect(role: string, options: { maxRetriesPerRequest: number | null }): Redis {
    const connection = new Redis(this.config.redis.url, {
      ...options,
      connectionName: `aihub-${role}`,
    });
    connection.on('error', (err: Error) => this.logger.warn(`Redis ${role} connection: ${err.message}`));
    return connection;
  }
}

const QUIT_TIMEOUT_MS = 2_000;

/** QUIT when connected (lets pending replies arrive), else drop the socket: Redis may be gone. */
async function quitQuietly(connection: Redis): Promise<void> {
  if (connection.status !== 'ready' || !(await settlesWithin(connection.quit(), QUIT_TIMEOUT_MS))) {
    connection.disconnect();
  }
}
