import type { FieldError } from '@aihub/core/errors/domain-error';
import { MetricParamsError } from './metric.errors';

/** Reads one parameter; pushes a message to `errors` (field is `metricParams.<key>`) and returns undefined when invalid. */
export type ParamReader<T> = (value: unknown, field: string, errors: FieldError[]) => T | undefined;

/** A reader whose parameter must be present; `requiredHint` explains what to give. */
export type RequiredParamReader<T> = ParamReader<T> & { readonly requiredHint: string };

type ParamReaders = Record<string, ParamReader<unknown>>;
type ParamsOf<R extends ParamReaders> = {
  [K in keyof R]: R[K] extends RequiredParamReader<infer T>
    ? T
    : R[K] extends ParamReader<infer T>
      ? T | undefined
      : never;
};

/**
 * Validates `raw` (undefined, null or a plain object) against `readers`: unknown keys and every invalid value are
 * reported together in one `MetricParamsError`.
 */
export function readParams<R extends ParamReaders>(metric: string, raw: unknown, readers: R): ParamsOf<R> {
  const errors: FieldError[] = [];
  const out: Record<string, unknown> = {};
  const given: unknown = raw ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new MetricParamsError(metric, [
      { field: 'metricParams', message: 'metricParams must be a JSON object' },
    ]);
  }
  const values = given as Record<string, unknown>;
  const accepted = Object.keys(readers);
  for (const key of Object.keys(values)) {
    if (!(key in readers)) {
      errors.push({
        field: `metricParams.${key}`,
        message: accepted.length
          ? `unknown parameter '${key}' (accepted: ${accepted.join(', ')})`
          : `unknown parameter '${key}' (${metric} takes no parameters)`,
      });
    }
  }
  for (const key of accepted) {
    const value = values[key];
    const reader = readers[key] as ParamReader<unknown> & { requiredHint?: string };
    if (value === undefined || value === null) {
      if (reader.requiredHint !== undefined) {
        errors.push({
          field: `metricParams.${key}`,
          message: `metricParams.${key} is required (${reader.requiredHint})`,
        });
      }
      out[key] = undefined;
    } else {
      out[key] = reader(value, `metricParams.${key}`, errors);
    }
  }
  if (errors.length) throw new MetricParamsError(metric, errors);
  return out as ParamsOf<R>;
}

export function oneOf<T extends string>(...values: readonly T[]): ParamReader<T> {
  return (value, field, errors) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    errors.push({ field, message: `${field} must be one of ${values.join(', ')}` });
    return undefined;
  };
}

/** A class label: a string, or a number (JSON `1` is the label `1` of a CSV). */
export const labelParam: ParamReader<string> = (value, field, errors) => {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  errors.push({ field, message: `${field} must be a non-empty string (a class label)` });
  return undefined;
};

export const labelListParam: ParamReader<string[]> = (value, field, errors) => {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push({ field, message: `${field} must be a non-empty array of class labels` });
    return undefined;
  }
  const labels: string[] = [];
  for (const [i, item] of value.entries()) {
    const label = labelParam(item, `${field}[${i}]`, errors);
    if (label !== undefined) labels.push(label);
  }
  const duplicates = labels.filter((l, i) => labels.indexOf(l) !== i);
  if (duplicates.length) {
    errors.push({
      field,
      message: `${field} lists ${duplicates.map((d) => `'${d}'`).join(', ')} more than once`,
    });
  }
  return labels.length === value.length && !duplicates.length ? labels : undefined;
};

export function integerParam(min: number, max = Number.MAX_SAFE_INTEGER): ParamReader<number> {
  return (value, field, errors) => {
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    errors.push({
      field,
      message:
        max === Number.MAX_SAFE_INTEGER
          ? `${field} must be an integer >= ${min}`
          : `${field} must be an integer between ${min} and ${max}`,
    });
    return undefined;
  };
}

export const booleanParam: ParamReader<boolean> = (value, field, errors) => {
  if (typeof value === 'boolean') return value;
  errors.push({ field, message: `${field} must be true or false` });
  return undefined;
};

/** Marks a parameter as required. */
export function required<T>(reader: ParamReader<T>, hint: string): RequiredParamReader<T> {
  const wrapped: ParamReader<T> = (value, field, errors) => reader(value, field, errors);
  return Object.assign(wrapped, { requiredHint: hint });
}
