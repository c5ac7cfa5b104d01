import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type HandlesJob, JobHandler, WorkerHost } from '@aihub/queue';
import { SandboxProvisioningService } from '../sandboxes/sandbox-provisioning.service';
import { SandboxScheduler } from '../sandboxes/sandbox-scheduler.service';
import {
  SandboxExpireJob,
  type SandboxExpirePayload,
  SandboxProvisionJob,
  type SandboxProvisionPayload,
  SandboxSweepJob,
  type SandboxSweepPayload,
} from './sandbox-timers.job';

@JobHandler(SandboxExpireJob)
export class SandboxExpireHandler implements HandlesJob<SandboxExpirePayload> {
  constructor(private readonly provisioning: SandboxProvisioningService) {}

  handle(payload: SandboxExpirePayload): Promise<boolean> {
    return this.provisioning.expireIfDue(payload.sandboxId);
  }
}

@JobHandler(SandboxProvisionJob)
export class SandboxProvisionHandler implements HandlesJob<SandboxProvisionPayload> {
  constructor(private readonly provisioning: SandboxProvisioningService) {}

  handle(payload: SandboxProvisionPayload): Promise<string | null> {
    return this.provisioning.provisionRequest(payload.requestId);
  }
}

/**
 * Every minute: schedule the next sweep first, then provision pending requests and expire due
 * sandboxes (the safety net of the two jobs above). A worker starts the chain when it boots.
 */
@JobHandler(SandboxSweepJob)
export class SandboxSweepHandler implements HandlesJob<SandboxSweepPayload>, OnApplicationBootstrap {
  private readonly logger = new Logger(SandboxSweepHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: SandboxScheduler,
    private readonly provisioning: SandboxProvisioningService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.inWorker()) return;
    await this.dataSource.transaction((m) => this.scheduler.currentSweep(m));
  }

  async handle(_payload: SandboxSweepPayload): Promise<{ provisioned: number; expired: number }> {
    await this.dataSource.transaction((m) => this.scheduler.nextSweep(m));
    const provisioned = await this.provisioning.provisionPending();
    const expired = await this.provisioning.expireDue();
    if (provisioned.length || expired.length) this.logger.log({ provisioned, expired }, 'sandbox sweep');
    return { provisioned: provisioned.length, expired: expired.length };
  }

  private inWorker(): boolean {
    try {
      return !!this.moduleRef.get(WorkerHost, { strict: false });
    } catch {
      return false;
    }
  }
}
