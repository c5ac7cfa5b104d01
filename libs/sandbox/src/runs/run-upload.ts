import type { Request } from 'express';
import { Transform, TransformCallback } from 'node:stream';
import { PayloadTooLargeError } from '@aihub/core';
import type { ObjectStorage, StoredObject } from '@aihub/storage';
import { Bucket, receiveMultipart } from '@aihub/storage';
import { InvalidRunRequestError, MultipartError } from '../sandbox.errors';

/** Refuses a body that does not start with the gzip magic bytes (a .tar.gz is what we run). */
class GzipSniffer extends Transform {
  private checked = false;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (!this.checked && chunk.length) {
      this.checked = true;
      if (chunk.length < 2 || chunk[0] !== 0x1f || chunk[1] !== 0x8b) {
        done(new InvalidRunRequestError('The bundle must be a .tar.gz archive (gzip).', 'bundle'));
        return;
      }
    }
    done(null, chunk);
  }
}

/** argv as JSON: 1–64 non-empty strings without NUL, 4096 characters each at most. */
export function parseCommand(raw: string | undefined): string[] {
  if (raw === undefined)
    throw new InvalidRunRequestError('A "command" field (JSON array of argv) is required.', 'command');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new InvalidRunRequestError(
      '"command" must be a JSON array of strings, e.g. ["python3","main.py"].',
      'command',
    );
  }
  if (
    !Array.isArray(value) ||
    value.length < 1 ||
    value.length > 64 ||
    !value.every((a) => typeof a === 'string' && a.length > 0 && a.length <= 4096 && !a.includes('\u0000'))
  )
    throw new InvalidRunRequestError('"command" must be a JSON array of 1–64 non-empty strings.', 'command');
  return value as string[];
}

export interface ReceivedRun {
  stored: StoredObject;
  command: string[];
}

const RUN_UPLOAD_PROBLEMS = {
  not_multipart: 'send multipart/form-data with a "bundle" file and a "command" field',
  malformed: 'the multipart body could not be read',
  interrupted: 'the upload was interrupted',
} as const;

/** Streams the `bundle` part to storage (hashing it, size-capped) and collects the `command` field. */
export async function receiveRunUpload(
  req: Request,
  storage: ObjectStorage,
  key: string,
  maxBytes: number,
): Promise<ReceivedRun> {
  const { files, fields } = await receiveMultipart<StoredObject>(req, {
    fileFields: ['bundle'],
    required: ['bundle'],
    maxFileBytes: maxBytes,
    maxFieldBytes: 300_000,
    invalid: (problem) =>
      problem.kind === 'missing'
        ? new InvalidRunRequestError('A "bundle" file part (.tar.gz) is required.', 'bundle')
        : new MultipartError(RUN_UPLOAD_PROBLEMS[problem.kind]),
    onFile: (_field, stream) => {
      const sniffer = new GzipSniffer();
      stream.on('error', (err) => sniffer.destroy(err));
      stream.pipe(sniffer);
      return storage
        .put(Bucket.Runs, key, sniffer, { maxBytes, contentType: 'application/gzip' })
        .catch((err: unknown) => {
          throw err instanceof PayloadTooLargeError ? new PayloadTooLargeError(maxBytes) : err;
        });
    },
  });
  return { stored: files.bundle, command: parseCommand(fields.command) };
}
