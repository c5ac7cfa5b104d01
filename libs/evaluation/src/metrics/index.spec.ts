import {
  createAccumulator,
  getMetric,
  isMetricName,
  METRIC_KINDS,
  METRIC_NAMES,
  METRICS,
  metricsOfKind,
} from './index';

describe('metric registry', () => {
  it('holds exactly the metrics of API.md, each under its own name', () => {
    expect(Object.keys(METRICS).sort()).toEqual([...METRIC_NAMES].sort());
    expect(METRIC_NAMES).toHaveLength(20);
    for (const name of METRIC_NAMES) {
      expect(METRICS[name].name).toBe(name);
      expect(getMetric(name)).toBe(METRICS[name]);
      expect(METRIC_KINDS).toContain(METRICS[name].kind);
      expect(METRICS[name].description.length).toBeGreaterThan(10);
    }
  });

  it('states the direction of every metric', () => {
    const lower = METRIC_NAMES.filter((n) => METRICS[n].direction === 'lower').sort();
    expect(lower).toEqual(['cer', 'log_loss', 'mae', 'mape', 'rmse', 'wer']);
    expect(METRIC_NAMES.every((n) => ['higher', 'lower'].includes(METRICS[n].direction))).toBe(true);
  });

  it('groups metrics by the kind of file they take', () => {
    expect(metricsOfKind('label')).toEqual([
      'accuracy',
      'macro_f1',
      'micro_f1',
      'weighted_f1',
      'precision',
      'recall',
    ]);
    expect(metricsOfKind('probability')).toEqual(['roc_auc', 'log_loss']);
    expect(metricsOfKind('numeric')).toEqual(['rmse', 'mae', 'mape', 'r2']);
    expect(metricsOfKind('ranking')).toEqual(['mrr', 'hits_at_k']);
    expect(metricsOfKind('detection')).toEqual(['map_iou']);
    expect(metricsOfKind('spans')).toEqual(['span_f1']);
    expect(metricsOfKind('text')).toEqual(['bleu', 'rouge_l', 'wer', 'cer']);
  });

  it('recognizes metric names', () => {
    expect(isMetricName('macro_f1')).toBe(true);
    expect(isMetricName('f1')).toBe(false);
    expect(isMetricName('toString')).toBe(false);
    expect(isMetricName(3)).toBe(false);
  });

  it('creates accumulators of the right kind', () => {
    const acc = createAccumulator('accuracy', 'label');
    acc.add('a', 'a');
    expect(acc.result()).toBe(1);
    expect(() => createAccumulator('rmse', 'label')).toThrow(/numeric rows/);
  });

  it('accepts missing or empty params for metrics without required ones', () => {
    for (const name of METRIC_NAMES.filter((n) => n !== 'hits_at_k')) {
      expect(() => METRICS[name].createAccumulator()).not.toThrow();
      expect(() => METRICS[name].createAccumulator({})).not.toThrow();
      expect(() => METRICS[name].createAccumulator(null)).not.toThrow();
    }
  });
});
