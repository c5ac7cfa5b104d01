import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  CreateDatasetDto,
  DatasetDetailView,
  DatasetListQueryDto,
  DatasetPageView,
  DatasetVersionView,
  DatasetView,
  VERSION_UPLOAD_SCHEMA,
} from '../dto/dataset.dto';
import { DatasetVersionsService } from '../services/dataset-versions.service';
import { DatasetsService } from '../services/datasets.service';

const NOT_FOUND = 'DATASET_NOT_FOUND (also for datasets the caller may not see)';
const VISIBILITY =
  'Metadata only, never contents. Everyone: open datasets, and conditional ones attached to a scenario the caller can see; members of the providing organization (data_steward, gov): all of theirs; operators and auditors: all.';

@ApiTags('datasets')
@ApiBearerAuth()
@Controller('datasets')
export class DatasetsController {
  constructor(
    private readonly datasets: DatasetsService,
    private readonly versions: DatasetVersionsService,
  ) {}

  @Policy('create', 'Dataset')
  @Post()
  @ApiCreatedResponse({
    type: DatasetView,
    description: 'Registers a dataset of the caller’s (government) organization.',
  })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiForbiddenResponse({ description: 'data_steward only' })
  @ApiBadRequestResponse({
    description:
      'VALIDATION_FAILED (errors[]: name charset, duplicate field names, params of another rule, direct identifier without masking)',
  })
  @ApiConflictResponse({ description: 'DATASET_NAME_TAKEN (names are unique per providing organization)' })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateDatasetDto): Promise<DatasetView> {
    return this.datasets.create(actor, dto);
  }

  @Public()
  @Get()
  @ApiOkResponse({ type: DatasetPageView, description: `Newest first. ${VISIBILITY}` })
  list(@CurrentActor() actor: Actor, @Query() query: DatasetListQueryDto): Promise<DatasetPageView> {
    return this.datasets.list(actor, query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: DatasetDetailView, description: `With every version (oldest first). ${VISIBILITY}` })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<DatasetDetailView> {
    return this.datasets.get(actor, id);
  }

  @Policy('update', 'Dataset')
  @Post(':id/versions')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: VERSION_UPLOAD_SCHEMA })
  @ApiCreatedResponse({
    type: DatasetVersionView,
    description:
      'Streamed into private storage with SHA-256, size and row count computed on the way. CSV: UTF-8, header naming every declared field once (any order), every record as wide as the header, the first 1000 records type-checked. Archives (.tar.gz, .zip): regular files and directories only, relative paths; rowCount = number of files.',
  })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED (no "file" part, malformed multipart)' })
  @ApiForbiddenResponse({ description: 'not a data steward of the providing organization' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE (UPLOAD_MAX_MB); nothing is stored' })
  @ApiUnprocessableEntityResponse({
    description:
      'DATASET_SCHEMA_MISMATCH (errors[] with line, column, message), DATASET_CSV_INVALID (line), DATASET_FILE_TYPE, DATASET_FILE_EMPTY, DATASET_ARCHIVE_INVALID',
  })
  upload(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
  ): Promise<DatasetVersionView> {
    return this.versions.upload(actor, id, req);
  }
}
