import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DENIAL_RECORDER, DenialRecorder } from '@aihub/authz';
import { AuditController } from './controllers/audit.controller';
import { AuditCheckpointEntity } from './entities/audit-checkpoint.entity';
import { AuditEventEntity } from './entities/audit-event.entity';
import { AuditLedgerEntryEntity } from './entities/audit-ledger-entry.entity';
import { AuditSequencerStateEntity } from './entities/audit-sequencer-state.entity';
import { AuditTreeNodeEntity } from './entities/audit-tree-node.entity';
import { AuditExportService } from './services/audit-export.service';
import { AuditProofService } from './services/audit-proof.service';
import { AuditQueryService } from './services/audit-query.service';
import { AuditSequencerRunner } from './services/audit-sequencer-runner.service';
import { AuditSequencer } from './services/audit-sequencer.service';
import { AuditVerifier } from './services/audit-verifier.service';
import { AuditService } from './services/audit.service';
import { CheckpointSigner } from './services/checkpoint-signer.service';
import { LedgerStore } from './services/ledger-store.service';

/**
 * `AuditService.record(manager, event)` for every domain; denied authorizations are recorded here too.
 * The tamper-evident ledger (sequencer, checkpoints, proofs, verification, export) is here as well;
 * its continuous sequencing runs where AuditSequencerWorkerModule is imported (the worker).
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuditEventEntity,
      AuditLedgerEntryEntity,
      AuditTreeNodeEntity,
      AuditCheckpointEntity,
      AuditSequencerStateEntity,
    ]),
  ],
  controllers: [AuditController],
  providers: [
    AuditService,
    AuditQueryService,
    LedgerStore,
    CheckpointSigner,
    AuditSequencer,
    AuditProofService,
    AuditVerifier,
    AuditExportService,
    {
      provide: DENIAL_RECORDER,
      inject: [AuditService],
      useFactory: (audit: AuditService): DenialRecorder => ({
        recordDenied: (input) => audit.recordDetached({ ...input, outcome: 'denied' }),
      }),
    },
  ],
  exports: [AuditService, DENIAL_RECORDER, AuditSequencer, AuditVerifier, LedgerStore, CheckpointSigner],
})
export class AuditModule {}

/** Continuous sequencing (LISTEN/NOTIFY + poll). Import next to AuditModule in the worker only. */
@Module({ providers: [AuditSequencerRunner], exports: [AuditSequencerRunner] })
export class AuditSequencerWorkerModule {}
