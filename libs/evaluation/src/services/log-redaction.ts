import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const SPLIT = /[\s,;|"'`:=()[\]{}<>]+/;
/** Tokens shorter than this are too common to mean anything (digits, "a", "ok"). */
const MIN_TOKEN = 3;

export const REDACTED_LINE = '[redacted: this line contains hidden test data]';

/** The distinct tokens of the given log lines (the candidates to look for in the hidden data). */
export function tokensOf(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) for (const t of line.split(SPLIT)) if (t.length >= MIN_TOKEN) out.add(t);
  return out;
}

/** Streams `source` and returns the candidates that occur in it as tokens. */
export async function tokensFoundIn(source: Readable, candidates: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  if (!candidates.size) {
    source.resume();
    return found;
  }
  let pending = '';
  const check = (text: string) => {
    for (const t of text.split(SPLIT)) if (candidates.has(t)) found.add(t);
  };
  for await (const chunk of source) {
    const text = pending + (typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'));
    const cut = text.search(/\s[^\s]*$/);
    if (cut === -1) {
      pending = text;
      if (pending.length > 1 << 20) {
        check(pending);
        pending = '';
      }
      continue;
    }
    check(text.slice(0, cut));
    pending = text.slice(cut);
  }
  check(pending);
  return found;
}

/** Every regular file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Replaces every log line that contains a token of the hidden data (inputs or ground truth) by a marker, so a
 * submitter cannot read the test set back through its own logs. Only the candidate tokens of the lines returned
 * are looked for, so the hidden files are streamed once without holding them.
 */
export async function redactLines(lines: string[], sources: (() => Promise<Readable>)[]): Promise<string[]> {
  const candidates = tokensOf(lines);
  const sensitive = new Set<string>();
  for (const open of sources) for (const t of await tokensFoundIn(await open(), candidates)) sensitive.add(t);
  if (!sensitive.size) return lines;
  return lines.map((line) => (line.split(SPLIT).some((t) => sensitive.has(t)) ? REDACTED_LINE : line));
}

export const openFile = (path: string) => () => Promise.resolve(createReadStream(path));
