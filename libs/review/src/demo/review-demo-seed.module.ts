import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { DemoSeedModule } from '@aihub/scenarios/demo/demo-seed.module';
import { ReviewModule } from '../review.module';
import { ReviewDemoSeedService } from './review-demo-seed.service';

/**
 * Demo content of expert review (DEMO=true only). It imports the lifecycle's DemoSeedModule so that
 * Nest runs that module's bootstrap hook (accounts, scenarios, the award) before this one.
 */
@Module({
  imports: [DemoSeedModule, ReviewModule],
  providers: [ReviewDemoSeedService],
  exports: [ReviewDemoSeedService],
})
export class ReviewDemoSeedModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seed: ReviewDemoSeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo.enabled) return;
    await this.seed.run();
  }
}
