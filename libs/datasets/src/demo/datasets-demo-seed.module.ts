import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { DatasetsModule } from '../datasets.module';
import { DatasetsDemoSeedService } from './datasets-demo-seed.service';

/**
 * Demo datasets (`DEMO=true` only). Import it in the api after `DemoSeedModule` (bootstrap hooks of
 * modules at the same depth run in import order: the demo accounts and scenarios exist by then).
 */
@Module({
  imports: [DatasetsModule],
  providers: [DatasetsDemoSeedService],
  exports: [DatasetsDemoSeedService],
})
export class DatasetsDemoSeedModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seed: DatasetsDemoSeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.demo.enabled) await this.seed.run();
  }
}
