import { randomBytes, createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import S3rver from 's3rver';

/**
 * Fixes for s3rver 3.7 so it behaves like S3 on the paths the adapter uses. Applied before `run()`.
 *
 * 1. Its store resolves a write when the bytes were *hashed*, not when they reached the file, so a
 *    read right after a put could see a short object; and it writes objects in place, so another
 *    process sharing the folder could read a half-written one. Objects and parts are written to a
 *    temporary file, flushed, then renamed.
 * 2. It has no AbortMultipartUpload (DELETE ?uploadId answers 405), so aborted uploads would leave
 *    their parts on disk forever. A small middleware implements it.
 * 3. It reads `Range: bytes=0-0` as "the whole object" (0 is falsy); the first byte is served instead.
 */
export function applyS3rverFixes(emulator: S3rver): void {
  const store = emulator.store;

  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const { size, md5 } = await writeFileAtomically(objectPath, object.content);
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size, md5 };
  };

  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const partPath = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId, String(partNumber));
    const { size, md5 } = await writeFileAtomically(partPath, content);
    await writeFile(`${partPath}.md5`, md5);
    return { size, md5 };
  };

  const getObject = store.getObject.bind(store);
  store.getObject = async (bucket, key, options) => {
    const firstByteOnly = options?.start === 0 && options.end === 0;
    const object = await getObject(bucket, key, firstByteOnly ? { start: 0 } : options);
    if (firstByteOnly && object?.content && object.size > 0) {
      object.content.destroy();
      object.content = createReadStream(store.getResourcePath(bucket, key, 'object'), { start: 0, end: 0 });
      object.range = { start: 0, end: 0 };
    }
    return object;
  };

  emulator.middleware.unshift(abortMultipartUploadMiddleware(store));
}

async function writeFileAtomically(
  path: string,
  content: Readable | Buffer,
): Promise<{ size: number; md5: string }> {
  await mkdir(dirname(path), { recursive: true });
  const temporaryPath = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const md5 = createHash('md5');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : content;
  try {
    await pipeline(source, measure, createWriteStream(temporaryPath));
    await rename(temporaryPath, path);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
  return { size, md5: md5.digest('hex') };
}

const BUCKET_SEGMENT = /^\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/./;
const S3RVER_UPLOAD_ID = /^[0-9a-f]{32}$/;

function abortMultipartUploadMiddleware(store: S3rver.FilesystemStore): S3rver.Middleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const bucket = BUCKET_SEGMENT.exec(ctx.path)?.[1];
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !bucket) return next();

    const uploadDir = S3RVER_UPLOAD_ID.test(uploadId)
      ? join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId)
      : undefined;
    const found = uploadDir
      ? await stat(uploadDir).then(
          () => true,
          () => false,
        )
      : false;
    if (!uploadDir || !found) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
        '<Message>The specified multipart upload does not exist.</Message></Error>';
      return;
    }
    await rm(uploadDir, { recursive: true, force: true });
    ctx.status = 204;
    ctx.body = null;
  };
}
