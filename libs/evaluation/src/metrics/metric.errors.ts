import { UnprocessableError, ValidationFailedError, type FieldError } from '@aihub/core/errors/domain-error';

/** `metricParams` that do not fit the metric. 400 `VALIDATION_FAILED`, one error per problem (`metricParams.k` …). */
export class MetricParamsError extends ValidationFailedError {
  constructor(
    readonly metric: string,
    errors: FieldError[],
  ) {
    super(errors, `Invalid parameters for metric ${metric}: ${errors.map((e) => e.message).join('; ')}`);
  }
}

/**
 * The metric has no value on these rows (no rows at all, one class only for roc_auc, an average that does not
 * fit the labels …). 422 `METRIC_UNDEFINED`; the detail says why and what would fix it.
 */
export class MetricUndefinedError extends UnprocessableError {
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super('METRIC_UNDEFINED', `${metric} is not defined here: ${reason}`, { metric });
  }
}

/**
 * A row that the accumulator cannot take (NaN, a probability vector of the wrong length …). The file readers
 * reject such rows first with line numbers; this guards direct callers. 422 `METRIC_INPUT_INVALID`.
 */
export class MetricInputError extends UnprocessableError {
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super('METRIC_INPUT_INVALID', `Invalid input for metric ${metric}: ${reason}`, { metric });
  }
}
