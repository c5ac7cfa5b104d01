import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
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
import {
  CreateExpertDto,
  ExpertListQueryDto,
  ExpertPageView,
  ExpertView,
  UpdateExpertDto,
} from '../dto/expert.dto';
import { ExpertsService } from '../services/experts.service';

@ApiTags('review')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('experts')
export class ExpertsController {
  constructor(private readonly experts: ExpertsService) {}

  @Policy('create', 'Expert')
  @Post()
  @ApiCreatedResponse({
    type: ExpertView,
    description: 'Adds a user with the expert role to the pool (operator).',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiConflictResponse({ description: 'EXPERT_EXISTS' })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_REFERENCES (unknown user or organization, no expert role)',
  })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateExpertDto): Promise<ExpertView> {
    return this.experts.create(actor, dto);
  }

  @Policy('read', 'Expert')
  @Get()
  @ApiOkResponse({
    type: ExpertPageView,
    description: 'The pool (operators, auditors); an expert sees itself.',
  })
  @ApiForbiddenResponse({ description: 'roles that see no experts' })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Query() query: ExpertListQueryDto,
  ): Promise<ExpertPageView> {
    return this.experts.list(actor, query);
  }

  @Policy('read', 'Expert')
  @Get(':id')
  @ApiOkResponse({ type: ExpertView })
  @ApiForbiddenResponse({ description: 'roles that see no experts' })
  @ApiNotFoundResponse({ description: 'EXPERT_NOT_FOUND' })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<ExpertView> {
    return this.experts.get(actor, id);
  }

  @Policy('update', 'Expert')
  @Patch(':id')
  @ApiOkResponse({ type: ExpertView, description: 'Affiliation, expertise, active (operator).' })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'EXPERT_NOT_FOUND' })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_REFERENCES' })
  update(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateExpertDto,
  ): Promise<ExpertView> {
    return this.experts.update(actor, id, dto);
  }
}
