import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { EvaluationModule } from '../evaluation.module';
import { EvaluationDemoSeedService } from './evaluation-demo-seed.service';

/**
 * Demo evaluation (`DEMO=true` only). Import it in the api after `DemoSeedModule`: Nest runs bootstrap hooks
 * of modules at the same depth in import order, so the demo scenarios are awarded by then.
 */
@Module({
  imports: [EvaluationModule],
  providers: [EvaluationDemoSeedService],
})
export class EvaluationDemoSeedModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly seed: EvaluationDemoSeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.demo.enabled) await this.seed.run();
  }
}
