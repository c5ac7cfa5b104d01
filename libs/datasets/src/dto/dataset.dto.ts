import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '@aihub/core';
import {
  DATASET_GRADES,
  DATASET_NAME_PATTERN,
  DATASET_VERSION_KINDS,
  FIELD_NAME_PATTERN,
  FIELD_TYPES,
  IDENTIFIER_KINDS,
  MASKING_RULES,
  MAX_FIELDS,
  OPEN_ATTRIBUTES,
  type DatasetGrade,
  type DatasetVersionKind,
  type FieldIdentifier,
  type FieldType,
  type OpenAttribute,
} from '../schema/dataset-schema';

export class MaskingParamsDto {
  @ApiPropertyOptional({
    minimum: 1,
    description: 'generalize: numbers into bands of this width (5 → 35-39)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  bandWidth?: number;

  @ApiPropertyOptional({ enum: ['year', 'month'], description: 'generalize: dates to their year or month' })
  @IsOptional()
  @IsIn(['year', 'month'])
  datePrecision?: 'year' | 'month';

  @ApiPropertyOptional({ minimum: 0, maximum: 64, description: 'truncate: characters kept' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(64)
  keepChars?: number;
}

export class DatasetFieldDto {
  @ApiProperty({ example: 'caller_mobile', description: 'the CSV column name' })
  @IsString()
  @Matches(FIELD_NAME_PATTERN, { message: 'name: 1–128 characters, no control characters or outer blanks' })
  name: string;

  @ApiProperty({ enum: FIELD_TYPES, description: 'checked against a sample of rows at upload' })
  @IsIn(FIELD_TYPES)
  type: FieldType;

  @ApiProperty({ enum: IDENTIFIER_KINDS, description: 'GB/T 37964 identifier kind' })
  @IsIn(IDENTIFIER_KINDS)
  identifier: FieldIdentifier;

  @ApiProperty({ enum: MASKING_RULES, description: 'rule of the masked view' })
  @IsIn(MASKING_RULES)
  masking: (typeof MASKING_RULES)[number];

  @ApiPropertyOptional({ type: MaskingParamsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MaskingParamsDto)
  params?: MaskingParamsDto;
}

export class CreateDatasetDto {
  @ApiProperty({
    example: 'hotline-12345-tickets',
    description: 'becomes /data/<name>/ in sandboxes: lowercase letters, digits, - and _, 2–63 characters',
  })
  @IsString()
  @Matches(DATASET_NAME_PATTERN, {
    message: 'name: 2–63 characters of a-z, 0-9, - and _, starting with a letter or digit',
  })
  name: string;

  @ApiPropertyOptional({ example: '12345 政务服务便民热线工单（2024）', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  description?: string;

  @ApiProperty({ enum: DATASET_GRADES, description: 'GB/T 43697-2024 grade' })
  @IsIn(DATASET_GRADES)
  grade: DatasetGrade;

  @ApiProperty({ enum: OPEN_ATTRIBUTES })
  @IsIn(OPEN_ATTRIBUTES)
  openAttribute: OpenAttribute;

  @ApiProperty({ type: DatasetFieldDto, isArray: true, description: 'the CSV columns (names unique)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_FIELDS)
  @ValidateNested({ each: true })
  @Type(() => DatasetFieldDto)
  fields: DatasetFieldDto[];
}

export class DatasetListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'only datasets of this providing organization' })
  @IsOptional()
  @IsUUID()
  organizationId?: string;

  @ApiPropertyOptional({ enum: DATASET_GRADES })
  @IsOptional()
  @IsIn(DATASET_GRADES)
  grade?: DatasetGrade;

  @ApiPropertyOptional({ enum: OPEN_ATTRIBUTES })
  @IsOptional()
  @IsIn(OPEN_ATTRIBUTES)
  openAttribute?: OpenAttribute;
}

export class MaskingParamsView {
  @ApiPropertyOptional() bandWidth?: number;
  @ApiPropertyOptional({ enum: ['year', 'month'] }) datePrecision?: 'year' | 'month';
  @ApiPropertyOptional() keepChars?: number;
}

export class DatasetFieldView {
  @ApiProperty() name: string;
  @ApiProperty({ enum: FIELD_TYPES }) type: FieldType;
  @ApiProperty({ enum: IDENTIFIER_KINDS }) identifier: FieldIdentifier;
  @ApiProperty({ enum: MASKING_RULES }) masking: (typeof MASKING_RULES)[number];
  @ApiPropertyOptional({ type: MaskingParamsView }) params?: MaskingParamsView;
}

export class DatasetVersionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 1 }) version: number;
  @ApiProperty({ example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ description: 'CSV records without the header; for archives, the regular files' })
  rowCount: number;
  @ApiProperty({ enum: DATASET_VERSION_KINDS }) kind: DatasetVersionKind;
  @ApiProperty({ type: String, enum: ['tar.gz', 'zip'], nullable: true }) archiveFormat:
    'tar.gz' | 'zip' | null;
  @ApiProperty({ type: String, isArray: true, description: 'CSV header as uploaded (empty for archives)' })
  columns: string[];
  @ApiProperty() fileName: string;
  @ApiProperty({ enum: ['available'] }) status: 'available';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class DatasetOrganizationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
}

export class DatasetView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: DATASET_GRADES }) grade: DatasetGrade;
  @ApiProperty({ enum: OPEN_ATTRIBUTES }) openAttribute: OpenAttribute;
  @ApiProperty({ type: DatasetFieldView, isArray: true }) fields: DatasetFieldView[];
  @ApiProperty({ format: 'uuid' }) organizationId: string;
  @ApiProperty({ type: DatasetOrganizationView }) organization: DatasetOrganizationView;
  @ApiProperty({ description: 'number of the newest version, 0 before the first upload' })
  latestVersion: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class DatasetDetailView extends DatasetView {
  @ApiProperty({ type: DatasetVersionView, isArray: true, description: 'every version, oldest first' })
  versions: DatasetVersionView[];
}

export class DatasetPageView {
  @ApiProperty({ type: DatasetView, isArray: true }) items: DatasetView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

/** multipart body of POST /datasets/:id/versions, for the OpenAPI document */
export const VERSION_UPLOAD_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['file'],
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'a UTF-8 CSV with a header line, or a .tar.gz / .zip archive of files (images, audio …)',
    },
  },
};
