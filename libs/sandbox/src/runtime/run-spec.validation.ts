import { isAbsolute, posix } from 'node:path';
import { DEFAULT_PIDS_LIMIT, RunLimits, RunSpec } from './runtime-driver.port';
import { InvalidRunSpecError } from './runtime.errors';

/** A spec that passed {@link validateRunSpec}: limits complete, mounts sorted by sandbox path. */
export interface ValidRunSpec extends RunSpec {
  limits: Required<RunLimits>;
  env: Record<string, string>;
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const PATH_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const MAX_ARGV_BYTES = 128 * 1024;
const MAX_ENV_BYTES = 64 * 1024;
/** Granted views per run (the bwrap driver binds each at `data/<i>` of the run folder). */
export const MAX_MOUNTS = 64;

function checkLimit(
  problems: string[],
  name: keyof RunLimits,
  value: number | undefined,
  min: number,
  max: number,
  integer = true,
): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    problems.push(`limits.${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`);
  }
}

/**
 * Checks everything a driver relies on before touching the host; throws {@link InvalidRunSpecError}
 * listing every problem. Pure: does not look at the file system.
 */
export function validateRunSpec(spec: RunSpec): ValidRunSpec {
  const problems: string[] = [];
  if (typeof spec.runId !== 'string' || !RUN_ID.test(spec.runId))
    problems.push('runId must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  for (const [name, path] of [
    ['codeDir', spec.codeDir],
    ['outputDir', spec.outputDir],
  ] as const) {
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0'))
      problems.push(`${name} must be an absolute host path`);
  }

  if (!Array.isArray(spec.command) || spec.command.length === 0) {
    problems.push('command must be a non-empty argv array');
  } else if (spec.command.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    problems.push('command arguments must be strings without NUL characters');
  } else if (spec.command[0] === '') {
    problems.push('command[0] must name a program');
  } else if (spec.command.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0) > MAX_ARGV_BYTES) {
    problems.push(`command is longer than ${MAX_ARGV_BYTES} bytes`);
  }

  const mounts = Array.isArray(spec.mounts) ? spec.mounts : [];
  if (!Array.isArray(spec.mounts)) problems.push('mounts must be an array');
  if (mounts.length > MAX_MOUNTS) problems.push(`at most ${MAX_MOUNTS} mounts`);
  const seen: string[] = [];
  for (const [i, m] of mounts.entries()) {
    if (typeof m?.hostPath !== 'string' || !isAbsolute(m.hostPath) || m.hostPath.includes('\0'))
      problems.push(`mounts[${i}].hostPath must be an absolute host path`);
    const p = m?.sandboxPath;
    const segments = typeof p === 'string' ? p.split('/').slice(2) : [];
    if (
      typeof p !== 'string' ||
      posix.normalize(p) !== p ||
      !p.startsWith('/data/') ||
      segments.length === 0 ||
      !segments.every((s) => PATH_SEGMENT.test(s))
    ) {
      problems.push(
        `mounts[${i}].sandboxPath must be /data/<name>[/<name>…] (letters, digits, ".", "_", "-")`,
      );
      continue;
    }
    if (seen.some((s) => s === p || s.startsWith(`${p}/`) || p.startsWith(`${s}/`)))
      problems.push(`mounts[${i}].sandboxPath ${p} overlaps another mount`);
    seen.push(p);
  }

  const env = spec.env ?? {};
  if (typeof env !== 'object' || Array.isArray(env)) problems.push('env must be an object');
  let envBytes = 0;
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) problems.push(`env name ${JSON.stringify(k)} is not a valid variable name`);
    if (typeof v !== 'string' || v.includes('\0'))
      problems.push(`env ${k} must be a string without NUL characters`);
    else envBytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
  }
  if (envBytes > MAX_ENV_BYTES) problems.push(`env is larger than ${MAX_ENV_BYTES} bytes`);

  const l = spec.limits ?? ({} as RunLimits);
  checkLimit(problems, 'cpus', l.cpus, 0.01, 256, false);
  checkLimit(problems, 'memoryMb', l.memoryMb, 16, 1024 * 1024);
  checkLimit(problems, 'pids', l.pids ?? DEFAULT_PIDS_LIMIT, 1, 65536);
  checkLimit(problems, 'diskMb', l.diskMb, 1, 1024 * 1024);
  checkLimit(problems, 'runTimeoutSeconds', l.runTimeoutSeconds, 0.1, 30 * 24 * 3600, false);
  checkLimit(problems, 'maxLogBytes', l.maxLogBytes, 0, 1024 * 1024 * 1024);

  if (problems.length) throw new InvalidRunSpecError(problems);
  return {
    ...spec,
    mounts: [...mounts].sort((a, b) => a.sandboxPath.localeCompare(b.sandboxPath)),
    env: { ...env },
    limits: { ...l, pids: l.pids ?? DEFAULT_PIDS_LIMIT },
  };
}
