import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  CreateSandboxDto,
  DecideExtensionDto,
  ExtendSandboxDto,
  SandboxExtensionListView,
  SandboxExtensionView,
  SandboxListQueryDto,
  SandboxPageView,
  SandboxView,
  SuspendSandboxDto,
} from '../sandboxes/sandbox.dto';
import { SandboxProvisioningService } from '../sandboxes/sandbox-provisioning.service';
import { SandboxesService } from '../sandboxes/sandboxes.service';

@ApiTags('sandboxes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('sandboxes')
export class SandboxesController {
  constructor(
    private readonly sandboxes: SandboxesService,
    private readonly provisioning: SandboxProvisioningService,
  ) {}

  @Policy('read', 'Sandbox')
  @Get()
  @ApiOkResponse({
    type: SandboxPageView,
    description:
      "Newest first: the caller's organization's, as awardee or as a consortium member (operators, auditors: all).",
  })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: SandboxListQueryDto,
  ): Promise<SandboxPageView> {
    return this.sandboxes.list(actor, query);
  }

  @Policy('create', 'Sandbox')
  @Post()
  @ApiCreatedResponse({
    type: SandboxView,
    description: 'Operator: a sandbox for a selected application, default quota, scenario sandboxDays.',
  })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'APPLICATION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'APPLICATION_NOT_SELECTED, SANDBOX_EXISTS' })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateSandboxDto): Promise<SandboxView> {
    return this.provisioning.createByOperator(actor, dto);
  }

  @Policy('read', 'Sandbox')
  @Get(':id')
  @ApiOkResponse({ type: SandboxView })
  @ApiNotFoundResponse({ description: "SANDBOX_NOT_FOUND (also for other organizations' sandboxes)" })
  get(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SandboxView> {
    return this.sandboxes.get(actor, id);
  }

  @Policy('update', 'Sandbox')
  @Post(':id/extend')
  @ApiCreatedResponse({
    type: SandboxExtensionView,
    description: 'An extension request (pending) that an operator decides.',
  })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  @ApiConflictResponse({ description: 'SANDBOX_NOT_ACTIVE (expired or closed), EXTENSION_PENDING' })
  extend(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ExtendSandboxDto,
  ): Promise<SandboxExtensionView> {
    return this.sandboxes.requestExtension(actor, id, dto);
  }

  @Policy('read', 'Sandbox')
  @Get(':id/extensions')
  @ApiOkResponse({ type: SandboxExtensionListView, description: 'Extension requests, newest first.' })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  extensions(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SandboxExtensionListView> {
    return this.sandboxes.listExtensions(actor, id);
  }

  @Policy('review', 'Sandbox')
  @Post(':id/suspend')
  @HttpCode(200)
  @ApiOkResponse({ type: SandboxView, description: 'Operator: no runs start while suspended.' })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION' })
  suspend(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: SuspendSandboxDto,
  ): Promise<SandboxView> {
    return this.sandboxes.suspend(actor, id, dto);
  }

  @Policy('review', 'Sandbox')
  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: SandboxView })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION' })
  resume(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SandboxView> {
    return this.sandboxes.resume(actor, id);
  }
}

@ApiTags('sandboxes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('sandbox-extensions')
export class SandboxExtensionsController {
  constructor(private readonly sandboxes: SandboxesService) {}

  @Policy('review', 'SandboxExtension')
  @Post(':id/decision')
  @HttpCode(200)
  @ApiOkResponse({
    type: SandboxExtensionView,
    description: 'Operator: approve (expiresAt moves by `days`) or reject, once.',
  })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SANDBOX_EXTENSION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'EXTENSION_ALREADY_DECIDED, SANDBOX_NOT_ACTIVE' })
  decide(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: DecideExtensionDto,
  ): Promise<SandboxExtensionView> {
    return this.sandboxes.decideExtension(actor, id, dto);
  }
}
