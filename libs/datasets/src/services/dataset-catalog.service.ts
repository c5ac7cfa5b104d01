import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Actor } from '@aihub/authz';
import { NotFoundError } from '@aihub/core';
import { DatasetVersionEntity } from '../entities/dataset-version.entity';
import { DatasetEntity } from '../entities/dataset.entity';
import { DatasetAccess } from './dataset-access.service';

export interface VersionWithDataset {
  dataset: DatasetEntity;
  version: DatasetVersionEntity;
}

/** Lookups for other libs (the sandbox lib's grants): versions with their dataset. */
@Injectable()
export class DatasetCatalogService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: DatasetAccess,
  ) {}

  /** No authorization: the caller decides. */
  async findVersion(versionId: string): Promise<VersionWithDataset | null> {
    const version = await this.dataSource
      .getRepository(DatasetVersionEntity)
      .findOne({ where: { id: versionId } });
    if (!version) return null;
    const dataset = await this.dataSource
      .getRepository(DatasetEntity)
      .findOneByOrFail({ id: version.datasetId });
    return { dataset, version };
  }

  /** 404 DATASET_VERSION_NOT_FOUND unless the version exists and the actor may read its dataset. */
  async readableVersion(actor: Actor, versionId: string): Promise<VersionWithDataset> {
    const found = await this.findVersion(versionId);
    if (!found) throw new NotFoundError('DatasetVersion', versionId);
    try {
      await this.access.authorize(actor, 'read', found.dataset, found.dataset.id);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError('DatasetVersion', versionId);
      throw err;
    }
    return found;
  }
}
