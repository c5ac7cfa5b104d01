import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type HandlesJob, JobHandler, WorkerHost } from '@aihub/queue';
import { ExportDecisionsService } from '../exports/export-decisions.service';
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
 * Every minute: schedule the next sweep first, then provision pending requests, expire due
 * sandboxes (the safety net of the two jobs above) and release exports a crash left `approved`. A worker starts the chain when it boots.
 */
@JobHandler(SandboxSweepJob)
export class SandboxSweepHandler implements HandlesJob<SandboxSweepPayload>, OnApplicationBootstrap {
  private readonly logger = new Logger(SandboxSweepHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: SandboxScheduler,
    private readonly provisioning: SandboxProvisioningService,
    private readonly exportDecisions: ExportDecisionsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.inWorker()) return;
    await this.dataSource.transaction((m) => this.scheduler.currentSweep(m));
  }

  async handle(
    _payload: SandboxSweepPayload,
  ): Promise<{ provisioned: number; expired: number; released: number }> {
    await this.dataSource.transaction((m) => this.scheduler.nextSweep(m));
    const provisioned = await this.provisioning.provisionPending();
    const expired = await this.provisioning.expireDue();
    const released = await this.exportDecisions.releaseApproved();
    if (provisioned.length || expired.length || released.length)
      this.logger.log({ provisioned, expired, released }, 'sandbox sweep');
    return { provisioned: provisioned.length, expired: expired.length, released: released.length };
  }

  private inWorker(): boolean {
    try {
      return !!this.moduleRef.get(WorkerHost, { strict: false });
    } catch {
      return false;
    }
  }
}
