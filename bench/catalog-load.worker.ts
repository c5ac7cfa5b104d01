/**
 * Load generator of bench/catalog.bench.ts, in its own thread so that generating 1,000 req/s does not
 * steal the event loop of the servers under test (they run in the main thread of the same process).
 * Records every response time itself (autocannon's summary has no p95).
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

export interface LoadSpec {
  label: string;
  origin: string;
  paths: string[];
  rate: number;
  durationSeconds: number;
  connections: number;
}

export interface LoadResult {
  label: string;
  requests: number;
  seconds: number;
  achievedRps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** mean response size in bytes (headers included) */
  meanBytes: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface AutocannonResult {
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}
interface AutocannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void,
  ): void;
}
type Autocannon = (
  options: {
    url: string;
    connections: number;
    overallRate: number;
    duration: number;
    requests: { method: 'GET'; path: string }[];
  },
  done: (err: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships no types; load it untyped and describe the little we use above
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;

export function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const samples: number[] = [];
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.origin,
        connections: spec.connections,
        overallRate: spec.rate,
        duration: spec.durationSeconds,
        requests: spec.paths.map((path) => ({ method: 'GET', path })),
      },
      (err, result) => {
        if (err) return reject(err);
        const sorted = samples.sort((a, b) => a - b);
        resolve({
          label: spec.label,
          requests: sorted.length,
          seconds: result.duration,
          achievedRps: sorted.length / result.duration,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          meanBytes: sorted.length ? bytes / sorted.length : 0,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          p99: percentile(sorted, 99),
          max: sorted[sorted.length - 1] ?? NaN,
        });
      },
    );
    instance.on('response', (_client, _status, resBytes, responseTime) => {
      samples.push(responseTime);
      bytes += resBytes;
    });
  });
}

if (parentPort && workerData) {
  const port = parentPort;
  runLoad(workerData as LoadSpec).then(
    (result) => port.postMessage({ ok: true, result }),
    (err: unknown) => port.postMessage({ ok: false, error: String(err) }),
  );
}
