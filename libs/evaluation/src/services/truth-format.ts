import { ValidationFailedError } from '@aihub/core';
import { METRICS, isMetricName } from '../metrics';
import type { MetricKind } from '../metrics/metric-types';
import { loadCocoTruth } from '../scoring/coco';
import { readSpanRecords } from '../scoring/json-lines';
import type { LineSource } from '../scoring/lines';
import { IssueCollector } from '../scoring/scoring.errors';
import { loadTabularTruth } from '../scoring/tabular';

/**
 * The file format of a ground truth: metrics of one format can share it (accuracy and roc_auc both take a
 * label column; rmse takes numbers). All phases of a scenario share one ground truth, hence one format.
 */
export type TruthFormat = 'labels' | 'numeric' | 'ranking' | 'text' | 'spans' | 'detection';

const FORMAT_OF_KIND: Record<MetricKind, TruthFormat> = {
  label: 'labels',
  probability: 'labels',
  numeric: 'numeric',
  ranking: 'ranking',
  text: 'text',
  spans: 'spans',
  detection: 'detection',
};

export const FORMAT_DESCRIPTION: Record<TruthFormat, string> = {
  labels: 'a CSV with a class label per id',
  numeric: 'a CSV with a number per id',
  ranking: "a CSV with the relevant candidates per id ('|'-separated)",
  text: 'a CSV with a reference text per id',
  spans: 'JSON lines {id, spans:[{start, end, type}]}',
  detection: 'COCO-style JSON',
};

export function truthFormat(metric: string): TruthFormat {
  if (!isMetricName(metric))
    throw new ValidationFailedError([{ field: 'metric', message: `unknown metric '${metric}'` }]);
  return FORMAT_OF_KIND[METRICS[metric].kind];
}

export const isTabular = (format: TruthFormat) => format !== 'spans' && format !== 'detection';

/**
 * Reads a whole ground truth once to validate it (GROUND_TRUTH_INVALID with line numbers) and count its rows.
 * `metric` is any metric of the format (its kind picks the parser); `classes` restrict the labels.
 */
export async function validateTruth(
  metric: string,
  lines: LineSource,
  columns: { idColumn: string; targetColumn: string | null },
  classes?: readonly string[],
): Promise<{ rows: number; labels: string[] | null }> {
  if (!isMetricName(metric))
    throw new ValidationFailedError([{ field: 'metric', message: `unknown metric '${metric}'` }]);
  const kind = METRICS[metric].kind;
  if (kind === 'detection')
    return { rows: (await loadCocoTruth(lines, { lines: true })).imageIds.length, labels: null };
  if (kind === 'spans') {
    const issues = new IssueCollector('truth');
    const seen = new Map<string, number>();
    for await (const r of readSpanRecords(lines, issues, columns.idColumn)) {
      const first = seen.get(r.id);
      if (first !== undefined) issues.add('DUPLICATE_IDS', { line: r.line, id: r.id, firstLine: first });
      else seen.set(r.id, r.line);
    }
    if (!seen.size && !issues.hasIssues) issues.fail('EMPTY_FILE', {});
    issues.throwIfAny();
    return { rows: seen.size, labels: null };
  }
  const table = await loadTabularTruth(
    kind,
    lines,
    { idColumn: columns.idColumn, targetColumn: columns.targetColumn ?? '' },
    { classes },
  );
  const labelKind = kind === 'label' || kind === 'probability';
  // a label list that long is not a classification task's; the scorer then joins in memory
  return {
    rows: table.ids.length,
    labels: labelKind && table.labels.size <= 10_000 ? [...table.labels.labels] : null,
  };
}
