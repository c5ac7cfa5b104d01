import http from 'node:http';
import https from 'node:https';
import { Client } from 'minio';
import { AppConfig } from '@aihub/core';
import { EmbeddedS3Emulator } from '../emulator/embedded-s3-emulator.service';

/** Injection token of the {@link MinioConnection} the adapter uses. */
export const MINIO_CONNECTION = Symbol('MINIO_CONNECTION');

export interface MinioConnection {
  client: Client;
  /** Where the client connects (the emulator's URL when it runs). */
  endpoint: URL;
  emulated: boolean;
  /** Drops pooled sockets so the process can exit. */
  close(): void;
}

function parseEndpoint(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`S3_ENDPOINT must be an http(s) URL, got ${url.protocol}`);
  }
  if (url.pathname !== '/' || url.search || url.username) {
    throw new TypeError('S3_ENDPOINT must be a bare origin such as https://minio.internal:9000');
  }
  return url;
}

/**
 * Builds the minio-js client for the configured endpoint, or starts the embedded emulator first when
 * no endpoint is configured.
 */
export async function connectToObjectStorage(
  config: AppConfig,
  emulator: EmbeddedS3Emulator,
): Promise<MinioConnection> {
  const { storage } = config;
  const emulated = storage.emulator;
  const endpoint = emulated ? await emulator.start() : parseEndpoint(storage.endpoint ?? '');
  const useSSL = endpoint.protocol === 'https:';
  // an own keep-alive pool: parts reuse sockets, and close() can drop them on shutdown
  const agent = useSSL ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const client = new Client({
    endPoint: endpoint.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: endpoint.port ? Number(endpoint.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: storage.accessKey,
    secretKey: storage.secretKey,
    region: storage.region,
    // MinIO and the emulator address buckets by path, not by virtual host
    pathStyle: true,
    partSize: storage.partSizeBytes,
    transportAgent: agent,
  });
  return { client, endpoint, emulated, close: () => agent.destroy() };
}
