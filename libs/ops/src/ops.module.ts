import { Global, Module, OnModuleInit } from '@nestjs/common';
import { QueueMetricsService } from '@aihub/queue';
import { HealthService } from './health.service';
import { MetricsService } from './metrics.service';
import { HealthController, MetricsController } from './ops.controller';
import { QueueProbesController } from './queue-probes.controller';

@Global()
@Module({
  controllers: [HealthController, MetricsController, QueueProbesController],
  providers: [HealthService, MetricsService],
  exports: [MetricsService, HealthService],
})
export class OpsModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly queueMetrics: QueueMetricsService,
  ) {}

  onModuleInit(): void {
    this.metrics.setQueueDepthSource(() => this.queueMetrics.jobCounts());
  }
}
