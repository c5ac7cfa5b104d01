import { ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { execTool, shQuote } from './host-tools';

/**
 * A long-lived root `/bin/sh` that unmounts the driver's staging folders on request, one path per line,
 * answering with umount's exit status. Each unmount is then a fork of a small shell instead of a fork
 * of the worker (a large process: the biggest CPU item of a short run). Falls back to a one-off
 * `umount` when the helper is not running. Its pipes do not keep the worker alive while idle.
 */
export class UmountHelper {
  private child: ChildProcess | null = null;
  private pending: ((code: number | null) => void)[] = [];
  private buffer = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly umount: string) {}

  /** 0 on success (a lazy unmount is tried when the plain one fails). */
  unmount(path: string): Promise<{ code: number | null; stderr: string }> {
    if (/[\n\0]/.test(path)) return Promise.reject(new Error('a mount point with a newline'));
    const next = this.queue.then(() => this.request(path));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the helper (it also ends by itself when the worker exits: its stdin closes). */
  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  private async request(path: string): Promise<{ code: number | null; stderr: string }> {
    const child = this.ensure();
    if (!child) return this.fallback(path);
    const answer = new Promise<number | null>((resolve) => this.pending.push(resolve));
    this.setRef(true);
    child.stdin!.write(`${path}\n`);
    const code = await answer;
    if (!this.pending.length) this.setRef(false);
    // null: the helper died before answering; do it the slow way
    return code === null ? this.fallback(path) : { code, stderr: code === 0 ? '' : `umount exited ${code}` };
  }

  private fallback(path: string) {
    return execTool(this.umount, [path]).then(async (r) =>
      r.code === 0 ? r : execTool(this.umount, ['-l', path]),
    );
  }

  private setRef(on: boolean): void {
    const handles = [this.child, this.child?.stdin, this.child?.stdout] as (
      { ref?(): void; unref?(): void } | null | undefined
    )[];
    for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
  }

  private ensure(): ChildProcess | null {
    if (this.child) return this.child;
    const u = shQuote(this.umount);
    const script = `while IFS= read -r p; do ${u} -- "$p" 2>/dev/null || ${u} -l -- "$p" 2>/dev/null; echo $?; done`;
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', script], {
        stdio: ['pipe', 'pipe', 'ignore'],
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      });
    } catch {
      return null;
    }
    const failAll = () => {
      if (this.child === child) this.child = null;
      for (const resolve of this.pending.splice(0)) resolve(null);
    };
    child.once('error', failAll);
    child.once('exit', failAll);
    (child.stdin as Writable).on('error', failAll);
    (child.stdout as Readable).on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        this.pending.shift()?.(Number.isInteger(Number(line)) ? Number(line) : 1);
      }
    });
    this.child = child;
    this.setRef(false);
    return child;
  }
}
