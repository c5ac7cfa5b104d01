import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { SerializedJson, UuidParamPipe } from '@aihub/core';
import { ApplicationView, CreateApplicationDto } from '../dto/application.dto';
import { PublicityView } from '../dto/publicity.dto';
import {
  AwardDto,
  CreateScenarioDto,
  OptionalReasonDto,
  PublishScenarioDto,
  ReasonDto,
  ScenarioListQueryDto,
  ScenarioPageView,
  ScenarioView,
  UpdateScenarioDto,
} from '../dto/scenario.dto';
import { ApplicationsService } from '../services/applications.service';
import { AwardService } from '../services/award.service';
import { ScenarioTransitionsService } from '../services/scenario-transitions.service';
import { ScenariosService } from '../services/scenarios.service';

const STATE_409 = 'INVALID_STATE_TRANSITION';

@ApiTags('scenarios')
@ApiBearerAuth()
@Controller('scenarios')
export class ScenariosController {
  constructor(
    private readonly scenarios: ScenariosService,
    private readonly transitions: ScenarioTransitionsService,
    private readonly applications: ApplicationsService,
    private readonly award: AwardService,
  ) {}

  @Policy('create', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post()
  @ApiCreatedResponse({ type: ScenarioView, description: 'A draft of the caller’s (gov) organization.' })
  @ApiForbiddenResponse({ description: 'gov only' })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreateScenarioDto): Promise<ScenarioView> {
    return this.scenarios.create(actor, dto);
  }

  @Public()
  @Get()
  @ApiOkResponse({
    type: ScenarioPageView,
    description:
      'Published and later for everyone; the issuer’s drafts for its gov users; all for operators.',
  })
  list(
    @CurrentActor() actor: Actor,
    @Query() query: ScenarioListQueryDto,
  ): Promise<ScenarioPageView | SerializedJson> {
    return this.scenarios.list(actor, query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: ScenarioView })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND (also for drafts the caller may not see)' })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<ScenarioView> {
    return this.scenarios.get(actor, id);
  }

  @Policy('update', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Patch(':id')
  @ApiOkResponse({ type: ScenarioView, description: 'Edits a draft (issuer).' })
  @ApiForbiddenResponse({ description: 'not the issuer' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: STATE_409 })
  update(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateScenarioDto,
  ): Promise<ScenarioView> {
    return this.scenarios.update(actor, id, dto);
  }

  @Policy('submit', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/submit')
  @HttpCode(200)
  @ApiOkResponse({ type: ScenarioView, description: 'draft → submitted (issuer).' })
  @ApiForbiddenResponse({ description: 'not the issuer' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: STATE_409 })
  submit(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<ScenarioView> {
    return this.transitions.submit(actor, id);
  }

  @Policy('withdraw', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOkResponse({
    type: ScenarioView,
    description: 'draft|submitted → withdrawn (issuer, before publication).',
  })
  @ApiForbiddenResponse({ description: 'not the issuer' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: STATE_409 })
  withdraw(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: OptionalReasonDto,
  ): Promise<ScenarioView> {
    return this.transitions.withdraw(actor, id, dto.reason);
  }

  @Policy('review', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/return')
  @HttpCode(200)
  @ApiOkResponse({ type: ScenarioView, description: 'submitted → draft with a reason (operator).' })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: STATE_409 })
  returnToDraft(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ScenarioView> {
    return this.transitions.returnToDraft(actor, id, dto.reason);
  }

  @Policy('publish', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/publish')
  @HttpCode(200)
  @ApiOkResponse({
    type: ScenarioView,
    description: 'submitted → published into a published batch (operator).',
  })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: `${STATE_409}, BATCH_NOT_PUBLISHED` })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_REFERENCES (no such batch), APPLICATION_WINDOW_PASSED',
  })
  publish(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: PublishScenarioDto,
  ): Promise<ScenarioView> {
    return this.transitions.publish(actor, id, dto.batchId);
  }

  @Policy('close', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/close')
  @HttpCode(200)
  @ApiOkResponse({
    type: ScenarioView,
    description: 'published → closed (operator; the timer does it at applicationClosesAt).',
  })
  @ApiForbiddenResponse({ description: 'operators only' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: STATE_409 })
  close(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<ScenarioView> {
    return this.transitions.close(actor, id);
  }

  @Policy('award', 'Scenario')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/award')
  @ApiCreatedResponse({
    type: PublicityView,
    description: 'Proposes awardees; scenario → awarding; the award publicity.',
  })
  @ApiForbiddenResponse({ description: 'issuer (gov) or operator only' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: `${STATE_409}, AWARD_PUBLICITY_OPEN` })
  @ApiUnprocessableEntityResponse({ description: 'AWARD_MODE_VIOLATION, INVALID_REFERENCES' })
  proposeAward(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: AwardDto,
  ): Promise<PublicityView> {
    return this.award.propose(actor, id, dto);
  }

  @Policy('create', 'Application')
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @Post(':id/applications')
  @ApiCreatedResponse({
    type: ApplicationView,
    description: 'A draft application of the caller’s enterprise (揭榜).',
  })
  @ApiForbiddenResponse({ description: 'enterprise only' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({
    description: 'SCENARIO_NOT_PUBLISHED, APPLICATION_WINDOW_CLOSED, ALREADY_APPLIED, BATCH_APPLICATION_CAP',
  })
  @ApiUnprocessableEntityResponse({ description: 'INVALID_CONSORTIUM (errors[] name the members)' })
  apply(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: CreateApplicationDto,
  ): Promise<ApplicationView> {
    return this.applications.create(actor, id, dto);
  }
}
