import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
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
