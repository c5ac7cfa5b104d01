import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule, AuditSequencerWorkerModule } from '@aihub/audit';
import {
  type AppConfig,
  ConfigModule,
  DatabaseModule,
  LoggingModule,
  RedisModule,
  TimeModule,
} from '@aihub/core';
import { NotificationsModule } from '@aihub/notifications';
import { QueueModule, WorkerHostModule } from '@aihub/queue';
import { ScenariosModule } from '@aihub/scenarios';
import { DatasetsModule } from '@aihub/datasets';
import { SandboxModule } from '@aihub/sandbox';
import { EvaluationCodeRunnerModule, EvaluationModule } from '@aihub/evaluation';
import { ReviewModule } from '@aihub/review';
import { StorageModule } from '@aihub/storage';

/** The worker process: the same libs as the api, no HTTP; runs BullMQ workers and the outbox relay. */
@Module({})
export class WorkerModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        TimeModule,
        RedisModule,
        DatabaseModule,
        AuditModule,
        // the audit ledger's sequencer and checkpoint signer (one leader at a time across workers)
        AuditSequencerWorkerModule,
        StorageModule.forRoot(),
        QueueModule.forRoot({ relay: true }),
        // domain libs whose job handlers this worker runs go here
        NotificationsModule,
        ScenariosModule,
        DatasetsModule,
        SandboxModule,
        EvaluationModule,
        // code submissions run through the sandbox runtime (worker only)
        EvaluationCodeRunnerModule,
        // closes `results` publicities' completion (scenario concluded) when the timer fires here
        ReviewModule,
        WorkerHostModule,
      ],
    };
  }
}
