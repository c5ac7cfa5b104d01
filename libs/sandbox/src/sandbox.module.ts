import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatasetsModule } from '@aihub/datasets';
import { ApplicationEntity, SandboxProvisionRequestEntity, ScenarioEntity } from '@aihub/scenarios';
import { SandboxAccess } from './common/sandbox-access.service';
import { ExportsController } from './controllers/exports.controller';
import { GrantsController } from './controllers/grants.controller';
import { RunsController } from './controllers/runs.controller';
import { SandboxesController, SandboxExtensionsController } from './controllers/sandboxes.controller';
import { ExportDecisionEntity } from './exports/export-decision.entity';
import { ExportDecisionsService } from './exports/export-decisions.service';
import { ExportReviewEntity } from './exports/export-review.entity';
import { ExportViews } from './exports/export-views.service';
import { ExportsService } from './exports/exports.service';
import { SandboxExportEntity } from './exports/sandbox-export.entity';
import { DatasetGateway } from './grants/dataset-gateway';
import { DatasetGatewayService } from './grants/dataset-gateway.service';
import { DatasetGrantEntity } from './grants/dataset-grant.entity';
import { GrantsService } from './grants/grants.service';
import { RunSandboxHandler } from './jobs/run-sandbox.handler';
import {
  SandboxExpireHandler,
  SandboxProvisionHandler,
  SandboxSweepHandler,
} from './jobs/sandbox-timers.handler';
import { RunExecutor } from './runs/run-executor.service';
import { RunsService } from './runs/runs.service';
import { SandboxRunEntity } from './runs/sandbox-run.entity';
import { SandboxStatsContributor } from './runs/sandbox-stats.contributor';
import { SandboxRuntimeModule } from './runtime/sandbox-runtime.module';
import { SandboxExtensionEntity } from './sandboxes/sandbox-extension.entity';
import { SandboxEntity } from './sandboxes/sandbox.entity';
import { SandboxProvisioningService } from './sandboxes/sandbox-provisioning.service';
import { SandboxScheduler } from './sandboxes/sandbox-scheduler.service';
import { SandboxesService } from './sandboxes/sandboxes.service';

export const SANDBOX_ENTITIES = [
  SandboxEntity,
  SandboxExtensionEntity,
  DatasetGrantEntity,
  SandboxRunEntity,
  SandboxExportEntity,
  ExportReviewEntity,
  ExportDecisionEntity,
];

const SERVICES = [
  SandboxAccess,
  SandboxScheduler,
  SandboxProvisioningService,
  SandboxesService,
  GrantsService,
  RunsService,
  RunExecutor,
  ExportViews,
  ExportsService,
  ExportDecisionsService,
];

/**
 * Sandboxes (沙箱), dataset grants, runs and the export airlock. Needs AuditModule, QueueModule,
 * StorageModule (global). The worker imports it for the run, provision and expiry jobs (its
 * controllers are inert there); the api for the HTTP routes and the stats contributor.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ...SANDBOX_ENTITIES,
      ApplicationEntity,
      ScenarioEntity,
      SandboxProvisionRequestEntity,
    ]),
    DatasetsModule,
    SandboxRuntimeModule.forRoot(),
  ],
  controllers: [
    SandboxesController,
    SandboxExtensionsController,
    GrantsController,
    RunsController,
    ExportsController,
  ],
  providers: [
    ...SERVICES,
    { provide: DatasetGateway, useClass: DatasetGatewayService },
    SandboxStatsContributor,
    RunSandboxHandler,
    SandboxExpireHandler,
    SandboxProvisionHandler,
    SandboxSweepHandler,
  ],
  exports: [...SERVICES, DatasetGateway],
})
export class SandboxModule {}
