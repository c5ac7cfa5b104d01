import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Authenticated, AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { CreateExportDto, ExportView } from '../exports/export.dto';
import { ExportsService } from '../exports/exports.service';
import { CreateRunForm, RunListQueryDto, RunLogQueryDto, RunPageView, RunView } from '../runs/run.dto';
import { RunsService } from '../runs/runs.service';

const IDEMPOTENCY = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A repeat with the same key returns the first result instead of creating another one.',
};

@ApiTags('sandboxes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller()
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly exports: ExportsService,
  ) {}

  @Policy('create', 'SandboxRun')
  @Post('sandboxes/:id/runs')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: CreateRunForm })
  @ApiHeader(IDEMPOTENCY)
  @ApiAcceptedResponse({
    type: RunView,
    description: '`queued`; executed by a worker in the sandbox runtime.',
  })
  @ApiForbiddenResponse({ description: "the sandbox's organizations only (the awardee and its consortium)" })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  @ApiConflictResponse({ description: 'SANDBOX_NOT_ACTIVE' })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE (SANDBOX_BUNDLE_MAX_MB)' })
  @ApiUnprocessableEntityResponse({
    description:
      'INVALID_RUN_REQUEST (bundle not gzip, bad command), BUNDLE_UNSAFE, BUNDLE_INVALID, BUNDLE_TOO_LARGE, INVALID_MULTIPART',
  })
  create(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
    @Headers('idempotency-key') key?: string,
  ): Promise<RunView> {
    return this.runs.create(actor, id, req, key);
  }

  @Policy('read', 'Sandbox')
  @Get('sandboxes/:id/runs')
  @ApiOkResponse({ type: RunPageView, description: 'Newest first.' })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: RunListQueryDto,
  ): Promise<RunPageView> {
    return this.runs.list(actor, id, query);
  }

  @Authenticated()
  @Get('runs/:id')
  @ApiOkResponse({ type: RunView })
  @ApiNotFoundResponse({ description: 'SANDBOX_RUN_NOT_FOUND' })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<RunView> {
    return this.runs.get(actor, id);
  }

  @Authenticated()
  @Get('runs/:id/logs')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description:
      'The log (stdout + stderr, size-capped). For the company, lines matching a granted dataset row or a direct identifier are replaced by a marker; `?raw=true` gives reviewers the unredacted log.',
    schema: { type: 'string' },
  })
  @ApiForbiddenResponse({ description: 'raw=true for non-reviewers' })
  @ApiNotFoundResponse({ description: 'SANDBOX_RUN_NOT_FOUND' })
  @ApiConflictResponse({ description: 'RUN_NOT_FINISHED' })
  async logs(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: RunLogQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const body = await this.runs.log(actor, id, query.raw === 'true');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    return new StreamableFile(body);
  }

  @Policy('update', 'SandboxRun')
  @Post('runs/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({
    type: RunView,
    description: 'queued → cancelled at once; running → killed within about a second.',
  })
  @ApiNotFoundResponse({ description: 'SANDBOX_RUN_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION (already finished)' })
  cancel(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<RunView> {
    return this.runs.cancel(actor, id);
  }

  @Policy('create', 'SandboxExport')
  @Post('runs/:id/exports')
  @ApiHeader(IDEMPOTENCY)
  @ApiCreatedResponse({
    type: ExportView,
    description: 'Automatic checks run first: `flagged` or `pending_review`, with `checks`.',
  })
  @ApiForbiddenResponse({ description: 'the organization that ran the code only' })
  @ApiNotFoundResponse({ description: 'SANDBOX_RUN_NOT_FOUND' })
  @ApiConflictResponse({ description: 'CORE_DATA_NOT_EXPORTABLE, RUN_NOT_SUCCEEDED, SANDBOX_NOT_ACTIVE' })
  @ApiUnprocessableEntityResponse({ description: 'OUTPUT_NOT_FOUND' })
  createExport(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: CreateExportDto,
    @Headers('idempotency-key') key?: string,
  ): Promise<ExportView> {
    return this.exports.create(actor, id, dto, key);
  }
}
