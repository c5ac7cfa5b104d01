import type { EntityManager } from 'typeorm';
import type { FingerprintSet } from '@aihub/datasets';
import type { DatasetGrade, GrantView } from './dataset-grant.entity';

/** What a grant needs to know about a dataset version (copied onto the grant). */
export interface GrantableVersion {
  datasetId: string;
  datasetVersionId: string;
  datasetName: string;
  grade: DatasetGrade;
  providerOrgId: string;
  /** column names declared as direct identifiers (for the airlock's details) */
  directColumns: string[];
}

export interface MaterializedView {
  /** host directory holding the view's files, read-only for the run */
  hostPath: string;
  sha256: string;
  rowCount: number;
}

/**
 * The sandbox lib's port to the datasets lib: metadata of versions, materialized views and row
 * fingerprint sets. Implemented by {@link DatasetGatewayService} over `libs/datasets`.
 */
export abstract class DatasetGateway {
  abstract describeVersion(
    manager: EntityManager | unknown,
    versionId: string,
  ): Promise<GrantableVersion | null>;
  abstract materialize(input: {
    versionId: string;
    view: GrantView;
    grantSalt: Buffer;
  }): Promise<MaterializedView>;
  /** Builds (once per version) and returns the version's row fingerprint set. */
  abstract fingerprints(versionId: string): Promise<FingerprintSet>;
}
