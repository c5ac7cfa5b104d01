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
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  FileObjectionDto,
  ObjectionView,
  PublicityListQueryDto,
  PublicityPageView,
  PublicityView,
  ResolveObjectionDto,
} from '../dto/publicity.dto';
import { PublicitiesService } from '../services/publicities.service';

@ApiTags('scenarios')
@ApiBearerAuth()
@Controller('publicities')
export class PublicitiesController {
  constructor(private readonly publicities: PublicitiesService) {}

  @Public()
  @Get()
  @ApiOkResponse({
    type: PublicityPageView,
    description: 'Newest first; objectors are named for operators only.',
  })
  list(@CurrentActor() actor: Actor, @Query() query: PublicityListQueryDto): Promise<PublicityPageView> {
    return this.publicities.list(actor, query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({
    type: PublicityView,
    description: '`objections[].objector` is present for operators only.',
  })
  @ApiNotFoundResponse({ description: 'PUBLICITY_NOT_FOUND' })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<PublicityView> {
    return this.publicities.get(actor, id);
  }

  @Policy('create', 'Objection')
  @Post(':id/objections')
  @ApiCreatedResponse({ type: ObjectionView, description: 'A real-name objection (any logged-in user).' })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiNotFoundResponse({ description: 'PUBLICITY_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PUBLICITY_CLOSED' })
  fileObjection(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: FileObjectionDto,
  ): Promise<ObjectionView> {
    return this.publicities.fileObjection(actor, id, dto);
  }
}

@ApiTags('scenarios')
@ApiBearerAuth()
@Controller('objections')
export class ObjectionsController {
  constructor(private readonly publicities: PublicitiesService) {}

  @Policy('review', 'Objection')
  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOkResponse({ type: ObjectionView, description: 'upheld or dismissed, with a resolution (operator).' })
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'OBJECTION_NOT_FOUND' })
  @ApiConflictResponse({ description: 'OBJECTION_ALREADY_RESOLVED' })
  resolve(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ResolveObjectionDto,
  ): Promise<ObjectionView> {
    return this.publicities.resolveObjection(actor, id, dto);
  }
}
