import { type INestApplicationContext, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule, NestFactory } from '@nestjs/core';
import { APP_CONFIG, loadConfig } from '@aihub/core';
import { defineJob, JobRegistry } from '../jobs/define-job';
import { type HandlesJob, JobHandler } from '../jobs/job-handler.decorator';
import { JOB_REGISTRY } from '../queue.constants';
import { JobHandlerMismatchError } from '../queue.errors';
import { QueueName } from '../queue-name';
import { QueueConnections } from '../services/queue-connections.service';
import { WorkerIdentity } from '../services/worker-identity';
import { WorkerHost } from './worker-host';

interface Payload {
  id: string;
}

const registry = new JobRegistry();
const HandledJob = defineJob<Payload>(
  { queue: QueueName.Timers, name: 'boot.handled', jobId: (p) => p.id },
  registry,
);
const OrphanJob = defineJob<Payload>(
  { queue: QueueName.Timers, name: 'boot.orphan', jobId: (p) => p.id },
  registry,
);

@JobHandler(HandledJob)
class HandledJobHandler implements HandlesJob<Payload> {
  async handle(): Promise<void> {}
}

@JobHandler(OrphanJob)
class OrphanJobHandler implements HandlesJob<Payload> {
  async handle(): Promise<void> {}
}

@JobHandler(OrphanJob)
class OtherOrphanJobHandler implements HandlesJob<Payload> {
  async handle(): Promise<void> {}
}

/** Boots the real WorkerHost (real Nest discovery, real Redis when it gets that far) with these handlers. */
async function bootWorker(handlers: Provider[]): Promise<INestApplicationContext> {
  @Module({
    imports: [DiscoveryModule],
    providers: [
      { provide: APP_CONFIG, useValue: loadConfig() },
      { provide: JOB_REGISTRY, useValue: registry },
      QueueConnections,
      WorkerIdentity,
      WorkerHost,
      ...handlers,
    ],
  })
  class BootTestModule {}
  return NestFactory.createApplicationContext(BootTestModule, { logger: false, abortOnError: false });
}

describe('WorkerHost boot', () => {
  it('refuses to start when a registered job has no handler, naming the job', async () => {
    const boot = bootWorker([HandledJobHandler]);
    await expect(boot).rejects.toThrow(JobHandlerMismatchError);
    await expect(boot).rejects.toThrow(/no handler for boot\.orphan/);
  });

  it('refuses to start when a job has two handlers, naming both', async () => {
    await expect(bootWorker([HandledJobHandler, OrphanJobHandler, OtherOrphanJobHandler])).rejects.toThrow(
      /2 handlers for boot\.orphan \(OrphanJobHandler, OtherOrphanJobHandler\)/,
    );
  });

  it('starts one BullMQ worker per queue that has handlers when every job has exactly one', async () => {
    const app = await bootWorker([HandledJobHandler, OrphanJobHandler]);
    try {
      expect(app.get(WorkerHost).queueNames).toEqual([QueueName.Timers]);
    } finally {
      await app.close();
    }
  });
});
