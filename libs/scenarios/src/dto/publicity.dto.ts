import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import {
  OBJECTION_STATUSES,
  type ObjectionStatus,
  PUBLICITY_KINDS,
  PUBLICITY_STATUSES,
  type PublicityKind,
  type PublicityStatus,
} from '../vocabularies';

export class PublicityListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  scenarioId?: string;

  @ApiPropertyOptional({ enum: PUBLICITY_KINDS })
  @IsOptional()
  @IsIn(PUBLICITY_KINDS)
  kind?: PublicityKind;

  @ApiPropertyOptional({ enum: PUBLICITY_STATUSES })
  @IsOptional()
  @IsIn(PUBLICITY_STATUSES)
  status?: PublicityStatus;
}

export class FileObjectionDto {
  @ApiProperty({ example: '拟入选单位的联合体成员与评审专家存在关联关系。' })
  @IsString()
  @MinLength(5)
  @MaxLength(5000)
  reason: string;
}

export class ResolveObjectionDto {
  @ApiProperty({ description: 'true: the objection stands and the publicity fails' })
  @IsBoolean()
  upheld: boolean;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  resolution: string;
}

export class PublicitySubjectView {
  @ApiProperty({ example: 'Application' }) objectType: string;
  @ApiProperty({ format: 'uuid' }) objectId: string;
  @ApiPropertyOptional({ format: 'uuid' }) organizationId?: string;
  @ApiPropertyOptional() organizationName?: string;
}

export class ObjectorView {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ type: String, nullable: true }) organizationName: string | null;
}

export class ObjectionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() reason: string;
  @ApiProperty({ enum: OBJECTION_STATUSES }) status: ObjectionStatus;
  @ApiProperty({ type: String, nullable: true }) resolution: string | null;
  @ApiPropertyOptional({ type: ObjectorView, description: 'present for operators only' })
  objector?: ObjectorView;
}

export class PublicityView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) scenarioId: string;
  @ApiProperty({ enum: PUBLICITY_KINDS }) kind: PublicityKind;
  @ApiProperty({ enum: PUBLICITY_STATUSES }) status: PublicityStatus;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time' }) endsAt: string;
  @ApiProperty({ type: PublicitySubjectView, isArray: true }) subjects: PublicitySubjectView[];
  @ApiProperty({ type: ObjectionView, isArray: true }) objections: ObjectionView[];
}

export class PublicityPageView {
  @ApiProperty({ type: PublicityView, isArray: true }) items: PublicityView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
