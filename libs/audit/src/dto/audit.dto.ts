import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { PageQueryDto } from '@aihub/core';

const OUTCOMES = ['success', 'denied', 'failure'] as const;

export class AuditEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() actorId?: string;
  @ApiPropertyOptional({ example: 'auth.login' }) @IsOptional() @IsString() @MaxLength(100) action?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) objectId?: string;
  @ApiPropertyOptional({ enum: OUTCOMES }) @IsOptional() @IsIn(OUTCOMES) outcome?: (typeof OUTCOMES)[number];
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

export class AuditEventView {
  @ApiProperty({ type: Number, nullable: true, description: 'Ledger index; null until sequenced.' }) index:
    number | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) actorId: string | null;
  @ApiProperty() action: string;
  @ApiProperty() objectType: string;
  @ApiProperty({ type: String, nullable: true }) objectId: string | null;
  @ApiProperty({ enum: OUTCOMES }) outcome: (typeof OUTCOMES)[number];
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true, description: 'Hex SHA-256 leaf hash; null until sequenced.' })
  leafHash: string | null;
}

export class AuditEventPageView {
  @ApiProperty({ type: AuditEventView, isArray: true }) items: AuditEventView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

const HEX_HASH = {
  type: String,
  pattern: '^[0-9a-f]{64}$',
  example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
};

export class CheckpointView {
  @ApiProperty({ minimum: 1, description: 'Number of ledger entries the checkpoint covers.' })
  treeSize: number;
  @ApiProperty({ ...HEX_HASH, description: 'RFC 9162 root hash of the first treeSize entries, hex.' })
  rootHash: string;
  @ApiProperty({ format: 'date-time', example: '2026-05-01T08:00:00.123Z' }) at: string;
  @ApiProperty({
    description:
      'Base64 Ed25519 signature over the UTF-8 bytes of "aihub-audit-checkpoint/v1\\n" + treeSize + "\\n" + rootHash + "\\n" + at + "\\n".',
  })
  signature: string;
  @ApiProperty({ description: 'Base64 raw 32-byte Ed25519 public key of the signer.' }) publicKey: string;
}

export class InclusionProofQueryDto {
  @ApiProperty({ minimum: 0, description: 'Ledger index of the entry.' })
  @Type(() => Number)
  @IsInt()
  @Min(0)
  index: number;

  @ApiProperty({ minimum: 1, description: 'Tree size to prove against, usually a checkpoint treeSize.' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  treeSize: number;
}

export class InclusionProofView {
  @ApiProperty() index: number;
  @ApiProperty() treeSize: number;
  @ApiProperty({ ...HEX_HASH }) leafHash: string;
  @ApiProperty({
    type: String,
    isArray: true,
    description: 'RFC 9162 §2.1.3 audit path, leaf side first, hex.',
  })
  proof: string[];
}

export class ConsistencyProofQueryDto {
  @ApiProperty({ minimum: 1, description: 'The earlier tree size.' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from: number;

  @ApiProperty({ minimum: 1, description: 'The later tree size (>= from).' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  to: number;
}

export class ConsistencyProofView {
  @ApiProperty() from: number;
  @ApiProperty() to: number;
  @ApiProperty({ type: String, isArray: true, description: 'RFC 9162 §2.1.4 consistency proof, hex.' })
  proof: string[];
}

const PROBLEM_KINDS = [
  'missing_entry',
  'missing_event',
  'leaf_mismatch',
  'entry_inserted',
  'entry_removed',
  'node_mismatch',
  'checkpoint_root_mismatch',
  'checkpoint_beyond_ledger',
  'checkpoint_bad_signature',
  'checkpoint_unknown_key',
  'event_not_in_ledger',
] as const;
export type LedgerProblemKind = (typeof PROBLEM_KINDS)[number];

export class LedgerProblemView {
  @ApiProperty({ enum: PROBLEM_KINDS }) kind: LedgerProblemKind;
  @ApiPropertyOptional({
    description:
      'First ledger index concerned (exact for entry/event/leaf problems, a lower bound otherwise).',
  })
  index?: number;
  @ApiPropertyOptional({ description: 'Tree size of the checkpoint concerned.' }) treeSize?: number;
  @ApiProperty() detail: string;
}

export class VerifyResultView {
  @ApiProperty({ description: 'true when every entry, tree node and signed checkpoint is consistent.' })
  ok: boolean;
  @ApiProperty({ description: 'Entries verified (the ledger size).' }) treeSize: number;
  @ApiProperty({ ...HEX_HASH, description: 'Root recomputed from the stored events.' }) rootHash: string;
  @ApiPropertyOptional({
    description:
      'First index whose stored event or entry differs from what was sequenced and signed. Exact when the ' +
      'events or entries were changed; when hashes were rewritten consistently as well, the start of the ' +
      'interval between the last matching and the first mismatching signed checkpoint.',
  })
  firstBadIndex?: number;
  @ApiProperty({ description: 'Signed checkpoints checked (signature, key and root).' })
  checkpointsChecked: number;
  @ApiProperty({
    description: 'Committed events older than the sequencer horizon that are not in the ledger.',
  })
  eventsNotInLedger: number;
  @ApiProperty({
    type: LedgerProblemView,
    isArray: true,
    description: 'The first problems found (at most 20).',
  })
  problems: LedgerProblemView[];
  @ApiProperty({ description: 'Milliseconds the verification took.' }) durationMs: number;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ minimum: 0, default: 0, description: 'First ledger index (inclusive).' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  fromIndex?: number;

  @ApiPropertyOptional({
    minimum: 1,
    description:
      'End of the range (exclusive); at most fromIndex + 10000 and at most the latest checkpoint treeSize ' +
      '(the default: as far as both allow).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  toIndex?: number;
}
