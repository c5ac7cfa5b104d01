import { DynamicModule, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@aihub/audit';
import { AuthGuard, AuthzModule } from '@aihub/authz';
import {
  AppConfig,
  ConfigModule,
  DatabaseModule,
  LoggingModule,
  ProblemDetailsFilter,
  RedisModule,
  TimeModule,
} from '@aihub/core';
import { IdentityModule } from '@aihub/identity';
import { NotificationsModule } from '@aihub/notifications';
import { OpsModule } from '@aihub/ops';
import { QueueModule } from '@aihub/queue';
import { ScenariosModule } from '@aihub/scenarios';
import { DatasetsModule } from '@aihub/datasets';
import { DemoSeedModule } from '@aihub/scenarios/demo/demo-seed.module';
import { DatasetsDemoSeedModule } from '@aihub/datasets/demo/datasets-demo-seed.module';
import { EvaluationModule } from '@aihub/evaluation';
import { EvaluationDemoSeedModule } from '@aihub/evaluation/demo/evaluation-demo-seed.module';
import { ReviewModule } from '@aihub/review';
import { ReviewDemoSeedModule } from '@aihub/review/demo/review-demo-seed.module';
import { StatsModule } from '@aihub/stats';
import { SandboxModule } from '@aihub/sandbox';
import { StorageModule } from '@aihub/storage';

/** The HTTP API: composes the domain libs; owns no business logic. */
@Module({})
export class AppModule implements NestModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TimeModule,
        RedisModule,
        DatabaseModule,
        StorageModule.forRoot(),
        QueueModule.forRoot({ relay: true }),
        AuthzModule,
        AuditModule,
        IdentityModule,
        NotificationsModule,
        OpsModule,
        ScenariosModule,
        DatasetsModule,
        StatsModule,
        SandboxModule,
        EvaluationModule,
        ReviewModule,
        // demo content (DEMO=true only), after the modules whose services it uses
        DemoSeedModule,
        // demo datasets of the demo data steward (DEMO=true only), after DemoSeedModule
        DatasetsDemoSeedModule,
        // the demo evaluation of the awarded demo scenario (DEMO=true only), after DemoSeedModule
        EvaluationDemoSeedModule,
        // demo experts and panels on the awarded demo scenario (DEMO=true only), after DemoSeedModule
        ReviewDemoSeedModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }

  configure(_consumer: MiddlewareConsumer): void {
    // request context and metrics middleware are installed in configureApp, ahead of Nest's own
  }
}
