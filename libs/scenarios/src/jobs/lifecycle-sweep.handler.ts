import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type HandlesJob, JobHandler, WorkerHost } from '@aihub/queue';
import { LifecycleScheduler } from '../services/lifecycle-scheduler.service';
import { PublicitiesService } from '../services/publicities.service';
import { ScenarioTransitionsService } from '../services/scenario-transitions.service';
import { LifecycleSweepJob, type LifecycleSweepPayload } from './lifecycle-sweep.job';

/**
 * Every SWEEP_INTERVAL_MS: schedule the next sweep first (so a failing run does not break the chain),
 * then close every scenario and publicity that is due. One job per interval (its id is the interval
 * number), so several workers do not multiply it. A worker starts the chain when it boots.
 */
@JobHandler(LifecycleSweepJob)
export class LifecycleSweepHandler implements HandlesJob<LifecycleSweepPayload>, OnApplicationBootstrap {
  private readonly logger = new Logger(LifecycleSweepHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly scheduler: LifecycleScheduler,
    private readonly scenarios: ScenarioTransitionsService,
    private readonly publicities: PublicitiesService,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.inWorker()) return;
    await this.dataSource.transaction((m) => this.scheduler.currentSweep(m));
    this.logger.log('lifecycle timer sweep scheduled');
  }

  async handle(_payload: LifecycleSweepPayload): Promise<{ scenarios: number; publicities: number }> {
    await this.dataSource.transaction((m) => this.scheduler.nextSweep(m));
    const scenarios = await this.scenarios.closeDueScenarios();
    const publicities = await this.publicities.closeDuePublicities();
    if (scenarios.length || publicities.length)
      this.logger.log({ scenarios, publicities }, 'lifecycle sweep closed overdue items');
    return { scenarios: scenarios.length, publicities: publicities.length };
  }

  /** Only the worker app has a WorkerHost; the api must not start the chain. */
  private inWorker(): boolean {
    try {
      return !!this.moduleRef.get(WorkerHost, { strict: false });
    } catch {
      return false;
    }
  }
}
