import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OutboxMessageEntity } from './entities/outbox-message.entity';
import { ProcessedJobEntity } from './entities/processed-job.entity';
import { SystemProbeEntity } from './entities/system-probe.entity';
import { jobRegistry } from './jobs/define-job';
import { SystemProbeHandler } from './jobs/system-probe.handler';
import { JOB_REGISTRY, QUEUE_MODULE_OPTIONS, type QueueModuleOptions } from './queue.constants';
import { OutboxRelay } from './services/outbox-relay.service';
import { OutboxService } from './services/outbox.service';
import { QueueConnections } from './services/queue-connections.service';
import { QueueMetricsService } from './services/queue-metrics.service';
import { QueueRegistry } from './services/queue-registry.service';
import { SystemProbeService } from './services/system-probe.service';
import { WorkerIdentity } from './services/worker-identity';

/**
 * BullMQ wiring and the transactional outbox. Global, so every feature lib can inject OutboxService.
 * Needs ConfigModule, TimeModule and DatabaseModule. `relay: true` runs the outbox relay in this process.
 */
@Module({})
export class QueueModule {
  static forRoot(options: QueueModuleOptions = {}): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [TypeOrmModule.forFeature([OutboxMessageEntity, ProcessedJobEntity, SystemProbeEntity])],
      providers: [
        { provide: QUEUE_MODULE_OPTIONS, useValue: options },
        { provide: JOB_REGISTRY, useValue: jobRegistry },
        WorkerIdentity,
        QueueConnections,
        QueueRegistry,
        OutboxService,
        OutboxRelay,
        QueueMetricsService,
        SystemProbeService,
        SystemProbeHandler,
      ],
      exports: [
        JOB_REGISTRY,
        WorkerIdentity,
        QueueConnections,
        QueueRegistry,
        OutboxService,
        OutboxRelay,
        QueueMetricsService,
        SystemProbeService,
      ],
    };
  }
}
