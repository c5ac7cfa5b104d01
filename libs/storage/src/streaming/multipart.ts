import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';

export interface FileInfo {
  /** the client's file name as sent (never a path to use); undefined when the part names none */
  fileName: string | undefined;
  mimeType: string;
}

/** Why a body cannot be used; each caller turns it into its own domain error and wording. */
export type MultipartProblem =
  | { kind: 'not_multipart' }
  | { kind: 'missing'; fields: string[] }
  | { kind: 'malformed' }
  | { kind: 'interrupted' };

export interface MultipartOptions<T> {
  /** names of the file parts accepted (each at most once) */
  fileFields: readonly string[];
  /** required file parts */
  required: readonly string[];
  /** the size limit of one file; busboy lets one byte more through so the consumer can refuse it (413) */
  maxFileBytes: number;
  /** longest text field (default 64 KiB) */
  maxFieldBytes?: number;
  /** consumes one file part (e.g. streams it to storage); must read the stream to its end or fail */
  onFile: (field: string, stream: Readable, info: FileInfo) => Promise<T>;
  invalid: (problem: MultipartProblem) => Error;
}

export interface MultipartResult<T> {
  files: Record<string, T>;
  fields: Record<string, string>;
}

/**
 * Reads a `multipart/form-data` body as it arrives: each accepted file part goes to `onFile` (never buffered
 * here), text fields are collected. Rejects with the first failure of a consumer (e.g. 413 from storage) or
 * `invalid(problem)`; the rest of the body is drained so the client gets the answer.
 */
export function receiveMultipart<T>(req: Request, options: MultipartOptions<T>): Promise<MultipartResult<T>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          files: options.fileFields.length,
          fields: 20,
          parts: 40,
          fieldSize: options.maxFieldBytes ?? 64 * 1024,
          fileSize: options.maxFileBytes + 1,
          headerPairs: 50,
        },
      });
    } catch {
      reject(options.invalid({ kind: 'not_multipart' }));
      return;
    }
    const pending = new Map<string, Promise<T>>();
    const files: Record<string, T> = {};
    const fields: Record<string, string> = {};
    const streams: Readable[] = [];
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      for (const s of streams) {
        s.unpipe();
        s.resume();
      }
      req.resume();
      reject(err);
    };
    parser.on('file', (field, stream, info) => {
      if (settled || !options.fileFields.includes(field) || pending.has(field)) {
        stream.resume();
        return;
      }
      streams.push(stream);
      let consumed: Promise<T>;
      try {
        consumed = options.onFile(field, stream, { fileName: info.filename, mimeType: info.mimeType });
      } catch (err) {
        consumed = Promise.reject(err);
      }
      pending.set(field, consumed);
      consumed.then(
        (value) => (files[field] = value),
        (err: unknown) => fail(err),
      );
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('close', () => {
      const missing = options.required.filter((f) => !pending.has(f));
      if (missing.length) {
        fail(options.invalid({ kind: 'missing', fields: missing }));
        return;
      }
      Promise.all(pending.values()).then(
        () => {
          if (settled) return;
          settled = true;
          resolve({ files, fields });
        },
        () => undefined, // reported by fail()
      );
    });
    parser.on('error', () => fail(options.invalid({ kind: 'malformed' })));
    req.on('aborted', () => fail(options.invalid({ kind: 'interrupted' })));
    req.pipe(parser);
  });
}
