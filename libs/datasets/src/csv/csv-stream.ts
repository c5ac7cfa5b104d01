import type { Readable, Writable } from 'node:stream';
import { CsvParser } from './csv-parser';

export class CsvEncodingError extends Error {
  constructor(readonly line: number) {
    super(`line ${line}: the file is not valid UTF-8`);
    this.name = 'CsvEncodingError';
  }
}

/**
 * Reads a CSV byte stream record by record (UTF-8, strict). `onRecord` is synchronous; the source is
 * read with back-pressure, so memory stays at one chunk plus the current record.
 */
export async function readCsv(
  input: AsyncIterable<Buffer | string>,
  onRecord: (fields: string[], line: number) => void,
): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvParser(onRecord);
  for await (const chunk of input) {
    let text: string;
    try {
      text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw new CsvEncodingError(parser.currentLine);
    }
    parser.write(text);
  }
  try {
    parser.write(decoder.decode());
  } catch {
    throw new CsvEncodingError(parser.currentLine);
  }
  parser.end();
}

/** Writes with back-pressure: resolves when the stream can take more. */
export function writeChunk(out: Writable, text: string): Promise<void> | undefined {
  if (out.write(text)) return undefined;
  return new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    const onError = (err: Error) => {
      out.off('drain', onDrain);
      reject(err);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

/**
 * Reads a CSV and writes lines produced per record, batching output per input chunk so writes honour
 * back-pressure without a promise per record.
 */
export async function transformCsv(
  input: Readable,
  output: Writable,
  onRecord: (fields: string[], line: number) => string,
): Promise<void> {
  let pending = '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parser = new CsvParser((fields, line) => {
    pending += onRecord(fields, line);
  });
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      throw new CsvEncodingError(parser.currentLine);
    }
    parser.write(text);
    if (pending.length) {
      const text = pending;
      pending = '';
      await writeChunk(output, text);
    }
  }
  parser.write(decoder.decode());
  parser.end();
  if (pending.length) await writeChunk(output, pending);
}
