import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import { APPLICATION_STATES, type ApplicationState } from '../lifecycle/state-machine';
import { CONSORTIUM_MAX_MEMBERS, FORMAL_CHECK_DECISIONS, type FormalCheckDecision } from '../vocabularies';

export class ConsortiumMemberDto {
  @ApiProperty({ format: 'uuid', description: 'an existing enterprise organization, not the lead' })
  @IsUUID()
  organizationId: string;
}

export class CreateApplicationDto {
  @ApiProperty({ description: 'the proposal (技术方案) as text; files go to /attachments' })
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  proposal: string;

  @ApiPropertyOptional({
    type: ConsortiumMemberDto,
    isArray: true,
    description: `member organizations besides the lead (the applicant), at most ${CONSORTIUM_MAX_MEMBERS}`,
  })
  @IsOptional()
  @IsArray()
  // more than 4 is a 422 with field errors; this only bounds the request
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ConsortiumMemberDto)
  consortium?: ConsortiumMemberDto[];
}

export class UpdateApplicationDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100_000)
  proposal?: string;

  @ApiPropertyOptional({ type: ConsortiumMemberDto, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ConsortiumMemberDto)
  consortium?: ConsortiumMemberDto[];
}

export class FormalCheckDto {
  @ApiProperty({ enum: FORMAL_CHECK_DECISIONS })
  @IsIn(FORMAL_CHECK_DECISIONS)
  decision: FormalCheckDecision;

  @ApiPropertyOptional({ description: 'required to return or reject' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class ApplicationListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  scenarioId?: string;

  @ApiPropertyOptional({ enum: APPLICATION_STATES })
  @IsOptional()
  @IsIn(APPLICATION_STATES)
  status?: ApplicationState;
}

export class ConsortiumMemberView {
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ type: String, nullable: true }) organizationName: string | null;
}

export class FormalCheckView {
  @ApiProperty({ enum: FORMAL_CHECK_DECISIONS }) decision: FormalCheckDecision;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty({ format: 'date-time' }) checkedAt: string;
}

export class ApplicationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) scenarioId: string;
  @ApiProperty({ format: 'uuid', description: 'the lead (applicant) organization' }) organizationId: string;
  @ApiProperty({ type: String, nullable: true }) organizationName: string | null;
  @ApiProperty() proposal: string;
  @ApiProperty({ type: ConsortiumMemberView, isArray: true }) consortium: ConsortiumMemberView[];
  @ApiProperty({ enum: APPLICATION_STATES }) status: ApplicationState;
  @ApiProperty({ type: FormalCheckView, nullable: true }) formalCheck: FormalCheckView | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) submittedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ApplicationPageView {
  @ApiProperty({ type: ApplicationView, isArray: true }) items: ApplicationView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class AttachmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) applicationId: string;
  @ApiProperty({ description: 'display name only (sanitized); never a path' }) fileName: string;
  @ApiProperty({ enum: ['pdf', 'docx', 'zip'], description: 'decided from the bytes' }) kind: string;
  @ApiProperty() contentType: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class AttachmentListView {
  @ApiProperty({ type: AttachmentView, isArray: true }) items: AttachmentView[];
}

/** OpenAPI description of the multipart body (the handler streams it with busboy). */
export const ATTACHMENT_UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'string', format: 'binary', description: 'PDF, DOCX or ZIP' },
  },
};
