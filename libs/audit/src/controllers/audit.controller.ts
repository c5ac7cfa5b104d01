import { Controller, Get, HttpCode, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy, Public } from '@aihub/authz';
import {
  AuditEventPageView,
  AuditEventQueryDto,
  CheckpointView,
  ConsistencyProofQueryDto,
  ConsistencyProofView,
  ExportQueryDto,
  InclusionProofQueryDto,
  InclusionProofView,
  VerifyResultView,
} from '../dto/audit.dto';
import { AuditExportService } from '../services/audit-export.service';
import { AuditProofService } from '../services/audit-proof.service';
import { AuditQueryService } from '../services/audit-query.service';
import { AuditVerifier } from '../services/audit-verifier.service';

const PROBLEM = 'application/problem+json';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    private readonly query: AuditQueryService,
    private readonly proofs: AuditProofService,
    private readonly verifier: AuditVerifier,
    private readonly exports: AuditExportService,
  ) {}

  @Policy('read', 'AuditEvent')
  @Get('events')
  @ApiOperation({
    summary: 'Audit events, newest first, with their ledger index and leaf hash once sequenced.',
  })
  @ApiOkResponse({ type: AuditEventPageView, description: 'Newest first.' })
  events(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() q: AuditEventQueryDto,
  ): Promise<AuditEventPageView> {
    return this.query.list(actor, q);
  }

  @Public()
  @Get('checkpoints/latest')
  @ApiOperation({ summary: 'The latest signed checkpoint (tree head) of the audit ledger.' })
  @ApiOkResponse({ type: CheckpointView })
  @ApiNotFoundResponse({ description: 'No checkpoint signed yet (AUDIT_CHECKPOINT_NOT_FOUND).' })
  latestCheckpoint(): Promise<CheckpointView> {
    return this.proofs.latestCheckpoint();
  }

  @Public()
  @Get('proofs/inclusion')
  @ApiOperation({
    summary: 'RFC 9162 inclusion proof of ledger entry `index` in the tree of size `treeSize`.',
  })
  @ApiOkResponse({ type: InclusionProofView })
  @ApiBadRequestResponse({ description: 'index >= treeSize, or not integers (VALIDATION_FAILED).' })
  @ApiNotFoundResponse({ description: 'The ledger is smaller than treeSize (AUDIT_TREE_SIZE_NOT_FOUND).' })
  inclusionProof(@Query() q: InclusionProofQueryDto): Promise<InclusionProofView> {
    return this.proofs.inclusion(q.index, q.treeSize);
  }

  @Public()
  @Get('proofs/consistency')
  @ApiOperation({ summary: 'RFC 9162 consistency proof between tree sizes `from` and `to`.' })
  @ApiOkResponse({ type: ConsistencyProofView })
  @ApiBadRequestResponse({ description: 'from > to, from < 1, or not integers (VALIDATION_FAILED).' })
  @ApiNotFoundResponse({ description: 'The ledger is smaller than `to` (AUDIT_TREE_SIZE_NOT_FOUND).' })
  consistencyProof(@Query() q: ConsistencyProofQueryDto): Promise<ConsistencyProofView> {
    return this.proofs.consistency(q.from, q.to);
  }

  @Policy('verify', 'AuditLedger')
  @Post('verify')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Recompute every leaf and the tree from the stored events; compare with every signed checkpoint.',
  })
  @ApiOkResponse({ type: VerifyResultView })
  verify(): Promise<VerifyResultView> {
    return this.verifier.verify();
  }

  @Policy('read', 'AuditEvent')
  @Get('export')
  @ApiOperation({
    summary:
      'Export a range of the ledger as NDJSON for independent verification (scripts/audit-verify.mjs).',
    description:
      'One JSON object per line: `{"type":"header","format":"aihub-audit-export/v1","fromIndex","toIndex","treeSize"}`, ' +
      'then one `{"type":"event","event":{...}}` per entry (the GET /audit/events item), then ' +
      '`{"type":"checkpoint","checkpoint":{...}}` (the latest signed checkpoint), then one ' +
      '`{"type":"inclusion","index","treeSize","leafHash","proof":[hex...]}` per entry against it, and ' +
      '`{"type":"end","events":n}`. At most 10000 entries per request; page with fromIndex.',
  })
  @ApiProduces('application/x-ndjson', PROBLEM)
  @ApiOkResponse({ description: 'NDJSON stream.', schema: { type: 'string' } })
  @ApiBadRequestResponse({ description: 'Empty or too large range (VALIDATION_FAILED).' })
  @ApiNotFoundResponse({ description: 'No checkpoint signed yet (AUDIT_CHECKPOINT_NOT_FOUND).' })
  @ApiConflictResponse({ description: 'Range beyond the latest checkpoint (AUDIT_RANGE_NOT_CHECKPOINTED).' })
  export(@Query() q: ExportQueryDto): Promise<StreamableFile> {
    return this.exports.ndjson(q);
  }
}
