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
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { GrantListQueryDto, GrantPageView, GrantView, RequestGrantDto } from '../grants/grant.dto';
import { GrantsService } from '../grants/grants.service';

@ApiTags('sandboxes')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller()
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Policy('create', 'DatasetGrant')
  @Post('sandboxes/:id/grants')
  @ApiCreatedResponse({
    type: GrantView,
    description: 'Requested by the sandbox organization → `requested`.',
  })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  @ApiConflictResponse({ description: 'SANDBOX_NOT_ACTIVE, GRANT_EXISTS' })
  @ApiUnprocessableEntityResponse({ description: 'DATASET_VERSION_NOT_FOUND' })
  request(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: RequestGrantDto,
  ): Promise<GrantView> {
    return this.grants.request(actor, id, dto);
  }

  @Policy('read', 'Sandbox')
  @Get('sandboxes/:id/grants')
  @ApiOkResponse({
    type: GrantPageView,
    description: "The sandbox's grants, newest first (nextCursor always null).",
  })
  @ApiNotFoundResponse({ description: 'SANDBOX_NOT_FOUND' })
  async listForSandbox(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<GrantPageView> {
    return { ...(await this.grants.listForSandbox(actor, id)), nextCursor: null };
  }

  @Policy('read', 'DatasetGrant')
  @Get('grants')
  @ApiOkResponse({
    type: GrantPageView,
    description: "Grants the caller may read; data stewards: their datasets' (the approval queue).",
  })
  list(@CurrentUser() actor: AuthenticatedActor, @Query() query: GrantListQueryDto): Promise<GrantPageView> {
    return this.grants.list(actor, query);
  }

  @Policy('read', 'DatasetGrant')
  @Get('grants/:id')
  @ApiOkResponse({ type: GrantView })
  @ApiNotFoundResponse({ description: 'DATASET_GRANT_NOT_FOUND' })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<GrantView> {
    return this.grants.get(actor, id);
  }

  @Policy('review', 'DatasetGrant')
  @Post('grants/:id/approve')
  @HttpCode(200)
  @ApiOkResponse({ type: GrantView, description: 'A data steward of the providing organization → `active`.' })
  @ApiForbiddenResponse({ description: 'data stewards of the provider only' })
  @ApiNotFoundResponse({ description: 'DATASET_GRANT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION, SANDBOX_NOT_ACTIVE' })
  approve(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<GrantView> {
    return this.grants.approve(actor, id);
  }

  @Policy('review', 'DatasetGrant')
  @Post('grants/:id/revoke')
  @HttpCode(200)
  @ApiOkResponse({
    type: GrantView,
    description: 'A data steward of the provider ends a requested or active grant → `revoked`.',
  })
  @ApiForbiddenResponse({ description: 'data stewards of the provider only' })
  @ApiNotFoundResponse({ description: 'DATASET_GRANT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION' })
  revoke(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<GrantView> {
    return this.grants.revoke(actor, id);
  }
}
