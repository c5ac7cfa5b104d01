import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity, UserEntity } from '@aihub/identity';
import { ApplicationsController } from './controllers/applications.controller';
import { BatchesController } from './controllers/batches.controller';
import { ObjectionsController, PublicitiesController } from './controllers/publicities.controller';
import { ScenariosController } from './controllers/scenarios.controller';
import { ApplicationAttachmentEntity } from './entities/application-attachment.entity';
import { ApplicationEntity } from './entities/application.entity';
import { BatchEntity } from './entities/batch.entity';
import { ObjectionEntity } from './entities/objection.entity';
import { PublicityEntity } from './entities/publicity.entity';
import { SandboxProvisionRequestEntity } from './entities/sandbox-provision-request.entity';
import { ScenarioEntity } from './entities/scenario.entity';
import { LifecycleSweepHandler } from './jobs/lifecycle-sweep.handler';
import { PublicityCloseHandler } from './jobs/publicity-close.handler';
import { ScenarioCloseHandler } from './jobs/scenario-close.handler';
import { ApplicationsService } from './services/applications.service';
import { AttachmentsService } from './services/attachments.service';
import { AwardService } from './services/award.service';
import { BatchesService } from './services/batches.service';
import { FormalCheckService } from './services/formal-check.service';
import { LifecycleAccess } from './services/lifecycle-access.service';
import { LifecycleNotifier } from './services/lifecycle-notifier.service';
import { LifecycleScheduler } from './services/lifecycle-scheduler.service';
import { PublicitiesService } from './services/publicities.service';
import { ScenarioTransitionsService } from './services/scenario-transitions.service';
import { ScenariosService } from './services/scenarios.service';

export const SCENARIO_ENTITIES = [
  BatchEntity,
  ScenarioEntity,
  ApplicationEntity,
  ApplicationAttachmentEntity,
  PublicityEntity,
  ObjectionEntity,
  SandboxProvisionRequestEntity,
];

const SERVICES = [
  LifecycleAccess,
  LifecycleNotifier,
  LifecycleScheduler,
  BatchesService,
  ScenariosService,
  ScenarioTransitionsService,
  ApplicationsService,
  FormalCheckService,
  AttachmentsService,
  PublicitiesService,
  AwardService,
];

/**
 * The 揭榜挂帅 lifecycle: batches, scenarios, applications, formal check, award, publicities (公示) and
 * objections, with their timers. Needs AuditModule, NotificationsModule, QueueModule, StorageModule (all
 * global). The worker imports it for the timer jobs (its controllers are inert there).
 */
@Module({
  imports: [TypeOrmModule.forFeature([...SCENARIO_ENTITIES, OrganizationEntity, UserEntity])],
  controllers: [
    BatchesController,
    ScenariosController,
    ApplicationsController,
    PublicitiesController,
    ObjectionsController,
  ],
  providers: [...SERVICES, ScenarioCloseHandler, PublicityCloseHandler, LifecycleSweepHandler],
  exports: SERVICES,
})
export class ScenariosModule {}
