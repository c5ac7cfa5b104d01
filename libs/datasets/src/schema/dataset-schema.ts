/** Vocabularies of the dataset registry (DESIGN.md "Data governance rules"). */
export const DATASET_GRADES = ['general', 'important', 'core'] as const;
export type DatasetGrade = (typeof DATASET_GRADES)[number];

export const OPEN_ATTRIBUTES = ['open', 'conditional', 'closed'] as const;
export type OpenAttribute = (typeof OPEN_ATTRIBUTES)[number];

export const IDENTIFIER_KINDS = ['direct', 'quasi', 'none'] as const;
export type FieldIdentifier = (typeof IDENTIFIER_KINDS)[number];

export const MASKING_RULES = ['none', 'drop', 'hash', 'generalize', 'truncate'] as const;

/** Column types the schema check understands (an empty cell is accepted for every type). */
export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const DATASET_VERSION_KINDS = ['csv', 'archive'] as const;
export type DatasetVersionKind = (typeof DATASET_VERSION_KINDS)[number];
export type ArchiveFormat = 'tar.gz' | 'zip';
export type DatasetVersionStatus = 'available';

export const VIEW_KINDS = ['raw', 'masked', 'synthetic'] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

/** Optional parameters of a masking rule. */
export interface MaskingParams {
  /** generalize numbers into bands of this width (default: one order of magnitude) */
  bandWidth?: number;
  /** generalize dates to `year` or `month` (default month) */
  datePrecision?: 'year' | 'month';
  /** truncate: characters kept (default a third, 1..6) */
  keepChars?: number;
}

export interface DatasetField {
  name: string;
  type: FieldType;
  identifier: FieldIdentifier;
  masking: (typeof MASKING_RULES)[number];
  params?: MaskingParams;
}

/** `/data/<name>/` in sandboxes: lowercase slug, starts with a letter or digit, 2–63 characters. */
export const DATASET_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{1,62}$/;
/** CSV column names: no control characters, no leading/trailing blanks, at most 128 characters. */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
export const FIELD_NAME_PATTERN = /^(?!\s)[^\u0000-\u001f\u007f]{1,128}(?<!\s)$/;
export const MAX_FIELDS = 500;
