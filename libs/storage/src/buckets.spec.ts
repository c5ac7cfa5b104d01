import { ALL_BUCKETS, Bucket, BucketName, physicalBucketName } from './buckets';

describe('buckets', () => {
  it('lists the ten logical buckets of the platform', () => {
    expect([...ALL_BUCKETS].sort()).toEqual(
      [
        'attachments',
        'audit-exports',
        'datasets',
        'exports',
        'ground-truth',
        'outputs',
        'reports',
        'runs',
        'submissions',
        'views',
      ].sort(),
    );
  });

  it('prefixes physical names and keeps them valid S3 names', () => {
    expect(physicalBucketName('aihub', Bucket.GroundTruth)).toBe('aihub-ground-truth');
    expect(physicalBucketName('aihub', 'audit-exports')).toBe('aihub-audit-exports');
    const longestPrefix = 'a'.repeat(41); // the S3_BUCKET_PREFIX limit
    for (const bucket of ALL_BUCKETS) {
      expect(physicalBucketName(longestPrefix, bucket).length).toBeLessThanOrEqual(63);
    }
  });

  it('refuses unknown buckets and prefixes that break S3 naming', () => {
    expect(() => physicalBucketName('aihub', 'secrets' as BucketName)).toThrow(/Unknown bucket/);
    expect(() => physicalBucketName('AIHUB', Bucket.Runs)).toThrow(/Invalid S3 bucket name/);
  });
});
