/** The platform's logical buckets. Physical names are `${S3_BUCKET_PREFIX}-${logical}`. */
export enum Bucket {
  Attachments = 'attachments',
  Datasets = 'datasets',
  Views = 'views',
  Runs = 'runs',
  Outputs = 'outputs',
  Submissions = 'submissions',
  GroundTruth = 'ground-truth',
  Exports = 'exports',
  AuditExports = 'audit-exports',
  Reports = 'reports',
}

/** A logical bucket: an enum member or its string value. */
export type BucketName = `${Bucket}`;

export const ALL_BUCKETS: readonly BucketName[] = Object.values(Bucket);

const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isBucketName(value: unknown): value is BucketName {
  return typeof value === 'string' && (ALL_BUCKETS as readonly string[]).includes(value);
}

/** The S3 bucket that backs a logical bucket. Throws on unknown buckets or invalid resulting names. */
export function physicalBucketName(bucketPrefix: string, bucket: BucketName): string {
  if (!isBucketName(bucket)) throw new TypeError(`Unknown bucket: ${String(bucket)}`);
  const name = `${bucketPrefix}-${bucket}`;
  if (!S3_BUCKET_NAME.test(name) || name.includes('..')) {
    throw new TypeError(`Invalid S3 bucket name "${name}" (check S3_BUCKET_PREFIX)`);
  }
  return name;
}
