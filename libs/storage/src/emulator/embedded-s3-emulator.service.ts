import { mkdir } from 'node:fs/promises';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import S3rver from 's3rver';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { applyS3rverFixes } from './s3rver-fixes';

const EMULATOR_HOST = '127.0.0.1';
// app.close() should not hang on a client that keeps a download open
const EMULATOR_KEEP_ALIVE_MS = 10 * 60_000;
const FORCE_CLOSE_AFTER_MS = 2_000;

/**
 * The zero-config S3 emulator (s3rver, file-backed under `config.storage.emulatorDir`) started when no
 * S3_ENDPOINT is configured. Each process (api, worker) starts its own on a free port over the same
 * folder, so they see the same objects. Development and tests only: it does not check signatures.
 */
@Injectable()
export class EmbeddedS3Emulator implements OnApplicationShutdown {
  private readonly logger = new Logger('StorageModule');
  private server?: S3rver;
  private endpoint?: Promise<URL>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Starts the emulator once and returns its endpoint (`http://127.0.0.1:<port>`). */
  start(): Promise<URL> {
    this.endpoint ??= this.listen().catch((error: unknown) => {
      this.endpoint = undefined;
      throw error;
    });
    return this.endpoint;
  }

  private async listen(): Promise<URL> {
    const { emulatorDir, emulatorPort } = this.config.storage;
    await mkdir(emulatorDir, { recursive: true });
    const server = new S3rver({
      address: EMULATOR_HOST,
      port: emulatorPort,
      directory: emulatorDir,
      silent: true,
      // path-style only; a vhost lookup on 127.0.0.1 is useless
      vhostBuckets: false,
    });
    applyS3rverFixes(server);
    const address = await server.run();
    // Node's default keep-alive timeout (5 s) closes idle sockets the client pool still holds; a request
    // sent on one as it closes fails with ECONNRESET. Keep idle sockets open longer than any pause between
    // storage calls (the client pool reuses them), as MinIO does.
    if (server.httpServer) {
      server.httpServer.keepAliveTimeout = EMULATOR_KEEP_ALIVE_MS;
      server.httpServer.headersTimeout = EMULATOR_KEEP_ALIVE_MS + 1000;
    }
    this.server = server;
    const endpoint = new URL(`http://${EMULATOR_HOST}:${address.port}`);
    this.logger.warn(
      `Using the EMBEDDED S3 EMULATOR (s3rver) at ${endpoint.origin} over ${emulatorDir}: ` +
        'for development and tests only, NOT for production (no signature checks, single machine). ' +
        'Set S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY to use MinIO or S3.',
    );
    return endpoint;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.endpoint = undefined;
    if (!server) return;
    const httpServer = server.httpServer;
    const forceClose = setTimeout(() => httpServer?.closeAllConnections(), FORCE_CLOSE_AFTER_MS);
    forceClose.unref();
    try {
      httpServer?.closeIdleConnections();
      await server.close();
    } finally {
      clearTimeout(forceClose);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
