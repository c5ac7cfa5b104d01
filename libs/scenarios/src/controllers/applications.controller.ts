import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Req } from '@nestjs/common';
import {
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
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  ApplicationListQueryDto,
  ApplicationPageView,
  ApplicationView,
  ATTACHMENT_UPLOAD_SCHEMA,
  AttachmentListView,
  AttachmentView,
  FormalCheckDto,
  UpdateApplicationDto,
} from '../dto/application.dto';
import { ApplicationsService } from '../services/applications.service';
import { AttachmentsService } from '../services/attachments.service';
import { FormalCheckService } from '../services/formal-check.service';

const STATE_409 = 'INVALID_STATE_TRANSITION';
const NOT_FOUND = 'APPLICATION_NOT_FOUND (also for other organizations’ applications)';

@ApiTags('scenarios')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('applications')
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly attachments: AttachmentsService,
    private readonly formalCheck: FormalCheckService,
  ) {}

  @Policy('read', 'Application')
  @Get()
  @ApiOkResponse({
    type: ApplicationPageView,
    description: 'Own organization’s; the issuer’s (gov) once submitted; all for operators.',
  })
  @ApiForbiddenResponse({ description: 'roles that see no applications' })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: ApplicationListQueryDto,
  ): Promise<ApplicationPageView> {
    return this.applications.list(actor, query);
  }

  @Policy('read', 'Application')
  @Get(':id')
  @ApiOkResponse({ type: ApplicationView })
  @ApiForbiddenResponse({ description: 'roles that see no applications' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<ApplicationView> {
    return this.applications.get(actor, id);
  }

  @Policy('update', 'Application')
  @Patch(':id')
  @ApiOkResponse({ type: ApplicationView, description: 'Edits a draft or returned application (applicant).' })
  @ApiForbiddenResponse({ description: 'not the applicant' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: STATE_409 })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_CONSORTIUM' })
  update(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateApplicationDto,
  ): Promise<ApplicationView> {
    return this.applications.update(actor, id, dto);
  }

  @Policy('update', 'Application')
  @Post(':id/attachments')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: ATTACHMENT_UPLOAD_SCHEMA })
  @ApiCreatedResponse({ type: AttachmentView, description: 'Streamed to storage; typed by its bytes.' })
  @ApiForbiddenResponse({ description: 'not the applicant' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: STATE_409 })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE (ATTACHMENT_MAX_MB)' })
  @ApiUnprocessableEntityResponse({
    description:
      'ATTACHMENT_TYPE_NOT_ALLOWED (not PDF/DOCX/ZIP by magic bytes), ATTACHMENT_TYPE_MISMATCH, ATTACHMENT_EMPTY',
  })
  upload(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
  ): Promise<AttachmentView> {
    return this.attachments.upload(actor, id, req);
  }

  @Policy('read', 'Application')
  @Get(':id/attachments')
  @ApiOkResponse({ type: AttachmentListView })
  @ApiForbiddenResponse({ description: 'roles that see no applications' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  listAttachments(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<AttachmentListView> {
    return this.attachments.list(actor, id);
  }

  @Policy('submit', 'Application')
  @Post(':id/submit')
  @HttpCode(200)
  @ApiOkResponse({ type: ApplicationView, description: 'draft|returned → submitted, inside the window.' })
  @ApiForbiddenResponse({ description: 'not the applicant' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description: `${STATE_409}, SCENARIO_NOT_PUBLISHED, APPLICATION_WINDOW_NOT_OPEN, APPLICATION_WINDOW_CLOSED`,
  })
  submit(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<ApplicationView> {
    return this.applications.submit(actor, id);
  }

  @Policy('withdraw', 'Application')
  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOkResponse({ type: ApplicationView, description: '→ withdrawn (applicant), until proposed.' })
  @ApiForbiddenResponse({ description: 'not the applicant' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: STATE_409 })
  withdraw(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<ApplicationView> {
    return this.applications.withdraw(actor, id);
  }

  @Policy('review', 'Application')
  @Post(':id/formal-check')
  @HttpCode(200)
  @ApiOkResponse({
    type: ApplicationView,
    description: 'submitted → formal_passed | returned | rejected (operator).',
  })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: STATE_409 })
  check(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: FormalCheckDto,
  ): Promise<ApplicationView> {
    return this.formalCheck.check(actor, id, dto);
  }
}
