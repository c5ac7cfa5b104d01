import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DENIAL_RECORDER, DenialRecorder } from '@aihub/authz';
import { AuditController } from './controllers/audit.controller';
import { AuditEventEntity } from './entities/audit-event.entity';
import { AuditQueryService } from './services/audit-query.service';
import { AuditService } from './services/audit.service';

/** `AuditService.record(manager, event)` for every domain; denied authorizations are recorded here too. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditQueryService,
    {
      provide: DENIAL_RECORDER,
      inject: [AuditService],
      useFactory: (audit: AuditService): DenialRecorder => ({
        recordDenied: (input) => audit.recordDetached({ ...input, outcome: 'denied' }),
      }),
    },
  ],
  exports: [AuditService, DENIAL_RECORDER],
})
export class AuditModule {}
