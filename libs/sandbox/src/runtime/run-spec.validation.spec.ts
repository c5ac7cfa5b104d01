import { RunSpec } from './runtime-driver.port';
import { validateRunSpec } from './run-spec.validation';
import { InvalidRunSpecError } from './runtime.errors';

const good = (): RunSpec => ({
  runId: 'run-1',
  codeDir: '/srv/code',
  mounts: [
    { hostPath: '/srv/views/b', sandboxPath: '/data/zeta' },
    { hostPath: '/srv/views/a', sandboxPath: '/data/alpha' },
  ],
  outputDir: '/srv/out',
  command: ['python3', 'main.py', '--flag'],
  env: { REPORT: 'yes' },
  limits: { cpus: 1.5, memoryMb: 512, diskMb: 100, runTimeoutSeconds: 60, maxLogBytes: 1_000_000 },
});

function problemsOf(spec: unknown): string[] {
  try {
    validateRunSpec(spec as RunSpec);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRunSpecError);
    expect((err as InvalidRunSpecError).code).toBe('INVALID_RUN_SPEC');
    expect((err as InvalidRunSpecError).status).toBe(422);
    return (err as InvalidRunSpecError).problems;
  }
  return [];
}

describe('validateRunSpec', () => {
  it('accepts a good spec, fills the pids default and sorts mounts by sandbox path', () => {
    const v = validateRunSpec(good());
    expect(v.limits.pids).toBe(256);
    expect(v.mounts.map((m) => m.sandboxPath)).toEqual(['/data/alpha', '/data/zeta']);
    expect(v.env).toEqual({ REPORT: 'yes' });
    expect(validateRunSpec({ ...good(), env: undefined }).env).toEqual({});
  });

  it.each<[string, (s: RunSpec) => unknown, RegExp]>([
    ['an empty run id', (s) => ({ ...s, runId: '' }), /runId/],
    ['a run id with a slash', (s) => ({ ...s, runId: 'a/b' }), /runId/],
    ['a run id of 65 characters', (s) => ({ ...s, runId: 'a'.repeat(65) }), /runId/],
    ['a relative codeDir', (s) => ({ ...s, codeDir: 'code' }), /codeDir must be an absolute host path/],
    ['a NUL in outputDir', (s) => ({ ...s, outputDir: '/srv/o\0ut' }), /outputDir/],
    ['an empty command', (s) => ({ ...s, command: [] }), /non-empty argv/],
    ['a command that is a string', (s) => ({ ...s, command: 'python3 main.py' }), /non-empty argv/],
    ['a NUL in an argument', (s) => ({ ...s, command: ['sh', 'a\0b'] }), /NUL/],
    ['an empty program name', (s) => ({ ...s, command: ['', 'x'] }), /command\[0\]/],
    ['an argv over 128 KiB', (s) => ({ ...s, command: ['echo', 'x'.repeat(200_000)] }), /longer than/],
    [
      'a mount outside /data',
      (s) => ({ ...s, mounts: [{ hostPath: '/x', sandboxPath: '/etc' }] }),
      /sandboxPath must be \/data/,
    ],
    [
      'a mount at /data itself',
      (s) => ({ ...s, mounts: [{ hostPath: '/x', sandboxPath: '/data' }] }),
      /sandboxPath/,
    ],
    [
      'a mount path with ..',
      (s) => ({ ...s, mounts: [{ hostPath: '/x', sandboxPath: '/data/../etc' }] }),
      /sandboxPath/,
    ],
    [
      'a mount path with a trailing slash',
      (s) => ({ ...s, mounts: [{ hostPath: '/x', sandboxPath: '/data/a/' }] }),
      /sandboxPath/,
    ],
    [
      'overlapping mounts',
      (s) => ({
        ...s,
        mounts: [
          { hostPath: '/x', sandboxPath: '/data/a' },
          { hostPath: '/y', sandboxPath: '/data/a/b' },
        ],
      }),
      /overlaps another mount/,
    ],
    [
      'the same mount twice',
      (s) => ({
        ...s,
        mounts: [
          { hostPath: '/x', sandboxPath: '/data/a' },
          { hostPath: '/y', sandboxPath: '/data/a' },
        ],
      }),
      /overlaps/,
    ],
    [
      'a relative mount source',
      (s) => ({ ...s, mounts: [{ hostPath: 'views/a', sandboxPath: '/data/a' }] }),
      /hostPath must be an absolute/,
    ],
    [
      '65 mounts',
      (s) => ({
        ...s,
        mounts: Array.from({ length: 65 }, (_, i) => ({ hostPath: `/v/${i}`, sandboxPath: `/data/d${i}` })),
      }),
      /at most 64 mounts/,
    ],
    ['mounts that are not an array', (s) => ({ ...s, mounts: {} }), /mounts must be an array/],
    ['a bad env name', (s) => ({ ...s, env: { 'BAD-NAME': 'x' } }), /not a valid variable name/],
    ['an env value with NUL', (s) => ({ ...s, env: { A: 'x\0y' } }), /without NUL/],
    ['an env over 64 KiB', (s) => ({ ...s, env: { A: 'x'.repeat(70_000) } }), /env is larger than/],
    ['zero cpus', (s) => ({ ...s, limits: { ...s.limits, cpus: 0 } }), /limits.cpus/],
    ['NaN memory', (s) => ({ ...s, limits: { ...s.limits, memoryMb: NaN } }), /limits.memoryMb/],
    ['fractional memory', (s) => ({ ...s, limits: { ...s.limits, memoryMb: 10.5 } }), /limits.memoryMb/],
    ['zero pids', (s) => ({ ...s, limits: { ...s.limits, pids: 0 } }), /limits.pids/],
    ['zero disk', (s) => ({ ...s, limits: { ...s.limits, diskMb: 0 } }), /limits.diskMb/],
    [
      'a negative timeout',
      (s) => ({ ...s, limits: { ...s.limits, runTimeoutSeconds: -1 } }),
      /runTimeoutSeconds/,
    ],
    [
      'a timeout of 31 days',
      (s) => ({ ...s, limits: { ...s.limits, runTimeoutSeconds: 31 * 86400 } }),
      /runTimeoutSeconds/,
    ],
    ['a string log cap', (s) => ({ ...s, limits: { ...s.limits, maxLogBytes: '100' } }), /maxLogBytes/],
    ['no limits at all', (s) => ({ ...s, limits: undefined }), /limits.cpus/],
  ])('refuses %s', (_name, mutate, problem) => {
    const problems = problemsOf(mutate(good()));
    expect(problems.join(' | ')).toMatch(problem);
  });

  it('lists every problem at once, in the detail too', () => {
    let err: InvalidRunSpecError | undefined;
    try {
      validateRunSpec({ ...good(), runId: '', command: [], limits: { ...good().limits, cpus: -1 } });
    } catch (e) {
      err = e as InvalidRunSpecError;
    }
    expect(err!.problems).toHaveLength(3);
    expect(err!.message).toMatch(/^The run cannot be started: runId .*; command .*; limits.cpus .*\.$/);
  });

  it('accepts fractional CPUs and sub-second timeouts, and a zero log cap', () => {
    const v = validateRunSpec({
      ...good(),
      limits: { cpus: 0.25, memoryMb: 16, diskMb: 1, runTimeoutSeconds: 0.5, maxLogBytes: 0, pids: 1 },
    });
    expect(v.limits).toEqual({
      cpus: 0.25,
      memoryMb: 16,
      diskMb: 1,
      runTimeoutSeconds: 0.5,
      maxLogBytes: 0,
      pids: 1,
    });
  });
});
