import { Injectable } from '@nestjs/common';
import {
  DatasetCatalogService,
  FingerprintService,
  type FingerprintSet,
  MaterializationService,
} from '@aihub/datasets';
import type { GrantView } from './dataset-grant.entity';
import { DatasetGateway, GrantableVersion, MaterializedView } from './dataset-gateway';

/** {@link DatasetGateway} over the datasets lib's services (libs/datasets/README.md). */
@Injectable()
export class DatasetGatewayService extends DatasetGateway {
  constructor(
    private readonly catalog: DatasetCatalogService,
    private readonly materialization: MaterializationService,
    private readonly fingerprintService: FingerprintService,
  ) {
    super();
  }

  async describeVersion(_manager: unknown, versionId: string): Promise<GrantableVersion | null> {
    const found = await this.catalog.findVersion(versionId);
    if (!found) return null;
    return {
      datasetId: found.dataset.id,
      datasetVersionId: found.version.id,
      datasetName: found.dataset.name,
      grade: found.dataset.grade,
      providerOrgId: found.dataset.organizationId,
      directColumns: found.dataset.fields.filter((f) => f.identifier === 'direct').map((f) => f.name),
    };
  }

  async materialize(input: {
    versionId: string;
    view: GrantView;
    grantSalt: Buffer;
  }): Promise<MaterializedView> {
    const v = await this.materialization.materialize(input);
    return { hostPath: v.hostPath, sha256: v.sha256, rowCount: v.rowCount };
  }

  async fingerprints(versionId: string): Promise<FingerprintSet> {
    await this.fingerprintService.buildFingerprintSet(versionId);
    return (await this.fingerprintService.loadFingerprintSet(versionId)).set;
  }
}
