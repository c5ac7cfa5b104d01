/** Turning byte streams into text and lines, without holding a whole file. */

/**
 * What the readers take: lines (without terminators), one by one or in batches (`string[]`), from a stream or an
 * array. Batches make the per-row cost synchronous: `splitLineBatches` yields one batch per chunk read.
 */
export type LineSource = AsyncIterable<string | readonly string[]> | Iterable<string | readonly string[]>;

const BATCH = 4096;

/** Normalizes any `LineSource` to batches of lines (single lines are grouped up to 4096). */
export async function* lineBatches(source: LineSource): AsyncGenerator<readonly string[]> {
  let batch: string[] = [];
  if (Symbol.asyncIterator in source) {
    for await (const item of source) {
      if (typeof item === 'string') {
        batch.push(item);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      } else {
        if (batch.length) {
          yield batch;
          batch = [];
        }
        yield item;
      }
    }
  } else {
    for (const item of source) {
      if (typeof item === 'string') {
        batch.push(item);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      } else {
        if (batch.length) {
          yield batch;
          batch = [];
        }
        yield item;
      }
    }
  }
  if (batch.length) yield batch;
}

/** A line longer than this is refused (a binary or one-line file uploaded as CSV would otherwise be buffered whole). */
export const DEFAULT_MAX_LINE_LENGTH = 16 * 1024 * 1024;

export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly maxLength: number,
  ) {
    super(`line ${line} is longer than ${maxLength} characters`);
  }
}

/** Decodes UTF-8 chunks to text chunks (characters split across chunks are handled; a leading BOM is dropped). */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Splits a stream of bytes or text into lines on `\n`, dropping a `\r` before it (CRLF files) and a leading BOM;
 * yields the complete lines of each chunk as one batch. The last line is yielded even without a final newline; an
 * empty trailing line is not.
 */
export async function* splitLineBatches(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<string[]> {
  let pending = '';
  let lineNo = 0;
  let first = true;
  for await (let text of decodeUtf8(chunks)) {
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const batch: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      let line = pending + text.slice(start, nl);
      pending = '';
      start = nl + 1;
      lineNo++;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > maxLineLength) throw new LineTooLongError(lineNo, maxLineLength);
      batch.push(line);
    }
    pending += text.slice(start);
    if (pending.length > maxLineLength) throw new LineTooLongError(lineNo + 1, maxLineLength);
    if (batch.length) yield batch;
  }
  if (pending.endsWith('\r')) pending = pending.slice(0, -1);
  if (pending) yield [pending];
}

/** `splitLineBatches`, one line at a time. */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array | string>,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
): AsyncGenerator<string> {
  for await (const batch of splitLineBatches(chunks, maxLineLength)) yield* batch;
}
