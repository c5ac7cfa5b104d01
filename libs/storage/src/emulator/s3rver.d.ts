// Minimal typings for s3rver 3.x (the package ships none): only what the embedded emulator uses.
declare module 's3rver' {
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';
  import type { Readable } from 'node:stream';

  namespace S3rver {
    interface Options {
      address?: string;
      port?: number;
      silent?: boolean;
      directory: string;
      resetOnClose?: boolean;
      allowMismatchedSignatures?: boolean;
      vhostBuckets?: boolean;
      configureBuckets?: { name: string; configs?: Array<string | Buffer> }[];
    }

    interface StoredObjectInput {
      bucket: string;
      key: string;
      content: Readable | Buffer;
      metadata: Record<string, string>;
    }

    interface StoredObjectOutput {
      size: number;
      content: Readable | null;
      range?: { start: number; end: number };
    }

    interface FilesystemStore {
      getResourcePath(bucket: string, key?: string, resource?: string): string;
      getObject(
        bucket: string,
        key: string,
        options?: { start?: number; end?: number },
      ): Promise<StoredObjectOutput | null>;
      putObject(object: StoredObjectInput): Promise<{ size: number; md5: string }>;
      putPart(
        bucket: string,
        uploadId: string,
        partNumber: string | number,
        content: Readable,
      ): Promise<{ size: number; md5: string }>;
      putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
    }

    /** The slice of Koa's context the emulator's extra middleware needs. */
    interface KoaContext {
      method: string;
      path: string;
      query: Record<string, string | string[] | undefined>;
      status: number;
      body: unknown;
      type: string;
    }

    type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void> | void;
  }

  class S3rver {
    constructor(options: S3rver.Options);
    /** Koa's middleware list; composed when the server starts listening. */
    middleware: S3rver.Middleware[];
    store: S3rver.FilesystemStore;
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }

  export = S3rver;
}
