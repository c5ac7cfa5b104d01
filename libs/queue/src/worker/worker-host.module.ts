import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerHost } from './worker-host';

/** Only the worker app imports this: it turns job handlers into running BullMQ workers. Needs QueueModule. */
@Module({
  imports: [DiscoveryModule],
  providers: [WorkerHost],
  exports: [WorkerHost],
})
export class WorkerHostModule {}
