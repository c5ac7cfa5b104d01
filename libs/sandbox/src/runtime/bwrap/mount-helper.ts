import { ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** What the helper can do; one request per line, fields separated by tabs. */
export type MountRequest =
  | { op: 'bind'; source: string; target: string }
  | { op: 'tmpfs'; options: string; target: string }
  | { op: 'remount-tmpfs'; options: string; target: string }
  | { op: 'umount'; target: string };

export interface MountHelperTools {
  mount: string;
  umount: string;
  /** perl (Debian's essential perl-base): mounts by system call, without a process per mount */
  perl?: string | null;
}

/** mount(2) and umount2(2) numbers where the perl helper knows them. */
const SYSCALLS: Partial<Record<string, { mount: number; umount2: number }>> = {
  x64: { mount: 165, umount2: 166 },
  arm64: { mount: 40, umount2: 39 },
};

/** MS_NOSUID | MS_NODEV | MS_NOEXEC, MS_BIND, MS_REMOUNT; MNT_DETACH. */
const PERL_SCRIPT = String.raw`
use strict; $| = 1;
my ($MOUNT, $UMOUNT2) = @ARGV;
while (my $line = <STDIN>) {
  chomp $line;
  my ($op, $x, $y) = split /\t/, $line, 3;
  # syscall() wants modifiable strings: no literals
  my ($source, $type) = ('aihub-output', 'tmpfs');
  my $r = -1; $! = 22;
  if ($op eq 'bind') { $r = syscall($MOUNT, $x, $y, 0, 4096, 0); }
  elsif ($op eq 'tmpfs') { $r = syscall($MOUNT, $source, $y, $type, 14, $x); }
  elsif ($op eq 'remount-tmpfs') { $r = syscall($MOUNT, $source, $y, $type, 14 | 32, $x); }
  elsif ($op eq 'umount') { $r = syscall($UMOUNT2, $x, 0); $r = syscall($UMOUNT2, $x, 2) if $r != 0; }
  print(($r == 0 ? 0 : (($! + 0) || 1)), "\n");
}
`;

const shQ = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The same protocol with util-linux's tools: one process per mount (hosts without perl). */
function shellScript(tools: MountHelperTools): string {
  const m = shQ(tools.mount);
  const u = shQ(tools.umount);
  return [
    `TAB=$(printf '\\t')`,
    'while IFS="$TAB" read -r op a b; do',
    '  case "$op" in',
    `    bind) ${m} --bind -- "$a" "$b" 2>/dev/null;;`,
    `    tmpfs) ${m} -t tmpfs -o "nosuid,nodev,noexec,$a" aihub-output "$b" 2>/dev/null;;`,
    `    remount-tmpfs) ${m} -t tmpfs -o "remount,nosuid,nodev,noexec,$a" aihub-output "$b" 2>/dev/null;;`,
    `    umount) ${u} -- "$a" 2>/dev/null || ${u} -l -- "$a" 2>/dev/null;;`,
    '    *) false;;',
    '  esac',
    '  echo $?',
    'done',
  ].join('\n');
}

const HELPER_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** A helper's answer line: 0, an error number, or 1 when it is not a number. */
const answer = (line: string): number => (line !== '' && Number.isInteger(Number(line)) ? Number(line) : 1);

function encode(req: MountRequest): string[] {
  switch (req.op) {
    case 'bind':
      return [req.op, req.source, req.target];
    case 'tmpfs':
    case 'remount-tmpfs':
      return [req.op, req.options, req.target];
    case 'umount':
      return [req.op, req.target];
  }
}

/**
 * A long-lived root process that mounts and unmounts the driver's per-run folders on request, answering
 * 0 or an error number. With perl it calls mount(2)/umount2(2) itself, so a mount costs a pipe round
 * trip instead of a process (a process per mount was the largest part of a short run's overhead);
 * otherwise a shell runs util-linux's mount/umount. Falls back to a one-off shell when the helper
 * cannot run. Its pipes do not keep the worker alive while idle.
 */
export class MountHelper {
  private child: ChildProcess | null = null;
  private pending: ((code: number | null) => void)[] = [];

  constructor(private readonly tools: MountHelperTools) {}

  /** Which implementation serves requests: by system call (perl) or by util-linux processes (sh). */
  get kind(): 'perl' | 'sh' {
    return this.tools.perl && SYSCALLS[process.arch] ? 'perl' : 'sh';
  }

  /** 0 on success, else an errno-like code; a failed unmount is retried lazily (detached). */
  async request(req: MountRequest): Promise<number> {
    const fields = encode(req);
    if (fields.some((f) => /[\t\n\0]/.test(f)))
      throw new Error('a mount path or option with a tab, newline or NUL');
    const line = fields.join('\t');
    const child = this.ensure();
    if (!child) return this.oneOff(line);
    const answered = new Promise<number | null>((resolve) => this.pending.push(resolve));
    this.setRef(true);
    child.stdin!.write(`${line}\n`);
    const code = await answered;
    if (!this.pending.length) this.setRef(false);
    // null: the helper died before answering; do it the slow way
    return code === null ? this.oneOff(line) : code;
  }

  /** The helper's process id while it runs (tests: one process serves every request). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Ends the helper (it also ends by itself when the worker exits: its stdin closes). */
  close(): void {
    this.child?.stdin?.end();
    this.child = null;
  }

  /** The request through a shell of its own (same script, same answers): the helper is not running. */
  private oneOff(line: string): Promise<number> {
    return new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', shellScript(this.tools)], {
          stdio: ['pipe', 'pipe', 'ignore'],
          env: HELPER_ENV,
        });
      } catch {
        return resolve(1);
      }
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.once('error', () => resolve(1));
      child.once('close', () => resolve(answer(out.trim())));
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(`${line}\n`);
    });
  }

  private setRef(on: boolean): void {
    const handles = [this.child, this.child?.stdin, this.child?.stdout] as (
      { ref?(): void; unref?(): void } | null | undefined
    )[];
    for (const h of handles) (on ? h?.ref : h?.unref)?.call(h);
  }

  private ensure(): ChildProcess | null {
    if (this.child) return this.child;
    const numbers = SYSCALLS[process.arch];
    const [file, args] =
      this.kind === 'perl' && numbers
        ? [this.tools.perl!, ['-e', PERL_SCRIPT, String(numbers.mount), String(numbers.umount2)]]
        : ['/bin/sh', ['-c', shellScript(this.tools)]];
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: ['pipe', 'pipe', 'ignore'], env: HELPER_ENV });
    } catch {
      return null;
    }
    // answers of this process only: a helper that ends after close() must not answer its successor's requests
    const pending: ((code: number | null) => void)[] = [];
    let buffer = '';
    const failAll = () => {
      if (this.child === child) this.child = null;
      for (const resolve of pending.splice(0)) resolve(null);
    };
    child.once('error', failAll);
    child.once('exit', failAll);
    (child.stdin as Writable).on('error', failAll);
    (child.stdout as Readable).on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        pending.shift()?.(answer(line));
      }
    });
    this.child = child;
    this.pending = pending;
    this.setRef(false);
    return child;
  }
}
