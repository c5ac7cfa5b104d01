import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Authenticated, AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { ExportDecisionDto, ExportListQueryDto, ExportPageView, ExportView } from '../exports/export.dto';
import { ExportDecisionsService } from '../exports/export-decisions.service';
import { ExportsService } from '../exports/exports.service';

/** RFC 6266 filename with a UTF-8 fallback. */
const disposition = (name: string) =>
  `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

@ApiTags('sandboxes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('exports')
export class ExportsController {
  constructor(
    private readonly exports: ExportsService,
    private readonly decisions: ExportDecisionsService,
  ) {}

  @Authenticated()
  @Get()
  @ApiOkResponse({
    type: ExportPageView,
    description: "The caller's organization's exports, and those awaiting its stewards' review.",
  })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: ExportListQueryDto,
  ): Promise<ExportPageView> {
    return this.exports.list(actor, query);
  }

  @Authenticated()
  @Get(':id')
  @ApiOkResponse({ type: ExportView })
  @ApiNotFoundResponse({ description: 'SANDBOX_EXPORT_NOT_FOUND' })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<ExportView> {
    return this.exports.get(actor, id);
  }

  @Policy('review', 'SandboxExportReview')
  @Post(':id/decision')
  @HttpCode(200)
  @ApiOkResponse({
    type: ExportView,
    description:
      'A data steward of a providing organization (never of the requesting one) approves or rejects; `released` once all needed approvals are in.',
  })
  @ApiForbiddenResponse({ description: 'not a reviewer of this export' })
  @ApiNotFoundResponse({ description: 'SANDBOX_EXPORT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'EXPORT_NOT_PENDING_REVIEW, ALREADY_DECIDED' })
  decide(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ExportDecisionDto,
  ): Promise<ExportView> {
    return this.decisions.decide(actor, id, dto);
  }

  @Policy('download', 'SandboxExport')
  @Get(':id/download')
  @ApiProduces('application/octet-stream', 'application/zip')
  @ApiOkResponse({
    description: 'The released file (one path) or a zip (several), streamed.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiForbiddenResponse({ description: 'the requesting organizations only (the awardee and its consortium)' })
  @ApiNotFoundResponse({ description: 'SANDBOX_EXPORT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'EXPORT_NOT_RELEASED' })
  async download(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.exports.download(actor, id);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', disposition(file.fileName));
    if (file.sizeBytes) res.setHeader('Content-Length', String(file.sizeBytes));
    return new StreamableFile(file.body);
  }
}
