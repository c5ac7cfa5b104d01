import { Inject, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { IdentityBootstrapService, IdentityModule } from '@aihub/identity';
import { ScenariosModule } from '../scenarios.module';
import { DemoSeedService } from './demo-seed.service';

/**
 * Demo content of the lifecycle, seeded at start-up in demo mode only (`DEMO=true`). The api imports
 * it after ScenariosModule; the worker does not.
 *
 * Order is explicit rather than left to module order: the demo accounts must exist first, so this
 * hook runs identity's bootstrap itself (idempotent, under its own advisory lock) before seeding.
 */
@Module({
  imports: [IdentityModule, ScenariosModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class DemoSeedModule implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly identity: IdentityBootstrapService,
    private readonly seed: DemoSeedService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo.enabled) return;
    await this.identity.run();
    await this.seed.run();
  }
}
