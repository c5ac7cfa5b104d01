import type {
  MetricAccumulator,
  MetricDefinition,
  MetricDirection,
  MetricKind,
  MetricName,
} from './metric-types';

interface MetricSpec<K extends MetricKind, P> {
  name: MetricName;
  kind: K;
  direction: MetricDirection;
  description: string;
  range: readonly [number, number];
  predictionRange?: readonly [number, number];
  parseParams(raw?: unknown): P;
  accumulator(params: P): MetricAccumulator<K>;
}

/** Builds a definition whose `createAccumulator` always validates its params first. */
export function defineMetric<K extends MetricKind, P>(spec: MetricSpec<K, P>): MetricDefinition<K, P> {
  const { accumulator, ...rest } = spec;
  return Object.freeze({
    ...rest,
    createAccumulator: (params?: unknown) => accumulator(spec.parseParams(params)),
  });
}
