import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { MultipartError } from '../evaluation.errors';

export interface FileInfo {
  fileName: string;
  mimeType: string;
}

export interface MultipartOptions<T> {
  /** names of the file parts accepted (each at most once) */
  fileFields: readonly string[];
  /** required file parts */
  required: readonly string[];
  /** the size limit of one file; busboy lets one byte more through so the consumer can refuse it (413) */
  maxFileBytes: number;
  /** consumes one file part (e.g. streams it to storage); must read the stream to its end or fail */
  onFile: (field: string, stream: Readable, info: FileInfo) => Promise<T>;
}

export interface MultipartResult<T> {
  files: Record<string, T>;
  fields: Record<string, string>;
}

/**
 * Reads a `multipart/form-data` body as it arrives: each accepted file part goes to `onFile` (never buffered
 * here), text fields are collected. Rejects with the first failure of a consumer (e.g. 413 from storage) or
 * INVALID_MULTIPART; the rest of the body is drained so the client gets the answer.
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
          fieldSize: 64 * 1024,
          fileSize: options.maxFileBytes + 1,
          headerPairs: 50,
        },
      });
    } catch {
      reject(
        new MultipartError(
          `send multipart/form-data with the part(s) ${options.required.map((f) => `"${f}"`).join(', ')}`,
        ),
      );
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
      const consumed = options.onFile(field, stream, {
        fileName: info.filename ?? field,
        mimeType: info.mimeType,
      });
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
        fail(
          new MultipartError(`the multipart part(s) ${missing.map((f) => `"${f}"`).join(', ')} are required`),
        );
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
    parser.on('error', () => fail(new MultipartError('the multipart body is malformed')));
    req.on('aborted', () => fail(new MultipartError('the upload was interrupted')));
    req.pipe(parser);
  });
}
