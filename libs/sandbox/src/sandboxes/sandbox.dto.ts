import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';

export const SANDBOX_STATUSES = ['active', 'expired', 'suspended', 'closed'] as const;

export class SandboxListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SANDBOX_STATUSES })
  @IsOptional()
  @IsIn(SANDBOX_STATUSES)
  status?: (typeof SANDBOX_STATUSES)[number];

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  scenarioId?: string;
}

export class CreateSandboxDto {
  @ApiProperty({
    format: 'uuid',
    description: 'a `selected` (awarded) application; the sandbox goes to its lead organization',
  })
  @IsUUID()
  applicationId: string;
}

export class ExtendSandboxDto {
  @ApiProperty({ minimum: 1, maximum: 365 })
  @IsInt()
  @Min(1)
  @Max(365)
  days: number;

  @ApiProperty({ example: '模型训练需要更多时间完成第二轮实验。' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
}

export class DecideExtensionDto {
  @ApiProperty()
  @IsBoolean()
  approve: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class SuspendSandboxDto {
  @ApiProperty({ example: '违反沙箱使用规定，暂停使用待核查。' })
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
}

export class SandboxQuotaView {
  @ApiProperty({ example: 1 }) cpus: number;
  @ApiProperty({ example: 1024 }) memoryMb: number;
  @ApiProperty({ example: 1024 }) diskMb: number;
  @ApiProperty({ example: 600 }) runTimeoutSeconds: number;
}

export class SandboxView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) scenarioId: string;
  @ApiProperty({ format: 'uuid', description: 'the awardee (the consortium lead)' }) organizationId: string;
  @ApiProperty({
    type: String,
    format: 'uuid',
    isArray: true,
    description:
      'the consortium member organizations besides the lead (empty for a single awardee); their users ' +
      'use the sandbox with the same rights as the lead’s',
  })
  memberOrganizationIds: string[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) applicationId: string | null;
  @ApiProperty({ enum: SANDBOX_STATUSES }) status: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
  @ApiProperty({ type: SandboxQuotaView }) quota: SandboxQuotaView;
  @ApiProperty({ nullable: true, type: String }) suspendedReason: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SandboxPageView {
  @ApiProperty({ type: [SandboxView] }) items: SandboxView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class SandboxExtensionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sandboxId: string;
  @ApiProperty() days: number;
  @ApiProperty() reason: string;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) decisionReason: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) decidedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class SandboxExtensionListView {
  @ApiProperty({ type: [SandboxExtensionView] }) items: SandboxExtensionView[];
}
