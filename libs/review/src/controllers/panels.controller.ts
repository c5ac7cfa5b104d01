import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { AuthenticatedActor, CurrentUser, Policy } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { AssignmentsView, RecusalView, ScoreView, SubjectDetailView } from '../dto/assignment.dto';
import {
  CreatePanelDto,
  DeclareConflictDto,
  PanelListQueryDto,
  PanelPageView,
  PanelResultsQueryDto,
  PanelResultsView,
  PanelView,
  ScoreDto,
} from '../dto/panel.dto';
import { AssignmentsService } from '../services/assignments.service';
import { PanelRoundsService } from '../services/panel-rounds.service';
import { PanelsService } from '../services/panels.service';
import { ScoringService } from '../services/scoring.service';

const PANEL_404 = 'PANEL_NOT_FOUND (also for panels the caller is not on)';
const SUBJECT_404 =
  'PANEL_ASSIGNMENT_NOT_FOUND / PANEL_SUBJECT_NOT_FOUND (not on the panel, unknown subject, or recused)';

@ApiTags('review')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('panels')
export class PanelsController {
  constructor(
    private readonly panels: PanelsService,
    private readonly rounds: PanelRoundsService,
    private readonly assignments: AssignmentsService,
    private readonly scoring: ScoringService,
  ) {}

  @Policy('create', 'Panel')
  @Post()
  @ApiCreatedResponse({
    type: PanelView,
    description:
      'Forms a panel (operator). Experts affiliated with a subject’s lead or consortium member are recused from it; ' +
      '`warnings` lists subjects left with fewer than 3 experts.',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiConflictResponse({ description: 'SCENARIO_NOT_READY_FOR_PANEL, NO_PANEL_SUBJECTS' })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_REFERENCES (scenario, experts not in the pool or inactive)',
  })
  create(@CurrentUser() actor: AuthenticatedActor, @Body() dto: CreatePanelDto): Promise<PanelView> {
    return this.panels.create(actor, dto);
  }

  @Policy('read', 'Panel')
  @Get()
  @ApiOkResponse({
    type: PanelPageView,
    description: 'Operators and auditors: all; the issuer (gov): its scenarios’.',
  })
  @ApiForbiddenResponse({ description: 'roles that see no panels (experts use /panels/:id/assignments)' })
  list(@CurrentUser() actor: AuthenticatedActor, @Query() query: PanelListQueryDto): Promise<PanelPageView> {
    return this.panels.list(actor, query);
  }

  @Policy('read', 'Panel')
  @Get(':id')
  @ApiOkResponse({ type: PanelView })
  @ApiForbiddenResponse({ description: 'roles that see no panels' })
  @ApiNotFoundResponse({ description: PANEL_404 })
  get(@CurrentUser() actor: AuthenticatedActor, @Param('id', UuidParamPipe) id: string): Promise<PanelView> {
    return this.panels.get(actor, id);
  }

  @Policy('close', 'Panel')
  @Post(':id/close')
  @HttpCode(200)
  @ApiOkResponse({
    type: PanelResultsView,
    description:
      'Freezes the round: aggregates, expert totals, outliers, ranks; application panels shortlist.',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: PANEL_404 })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION (already closed)' })
  close(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PanelResultsView> {
    return this.rounds.close(actor, id);
  }

  @Policy('update', 'Panel')
  @Post(':id/reopen')
  @HttpCode(200)
  @ApiOkResponse({
    type: PanelView,
    description: 'Opens the next round, starting from the closed round’s scores.',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: PANEL_404 })
  @ApiConflictResponse({ description: 'INVALID_STATE_TRANSITION (open), PANEL_RESULTS_IN_USE' })
  reopen(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PanelView> {
    return this.rounds.reopen(actor, id);
  }

  @Policy('read', 'Panel')
  @Get(':id/results')
  @ApiOkResponse({ type: PanelResultsView, description: 'The last closed round, best first.' })
  @ApiForbiddenResponse({ description: 'roles that see no panels' })
  @ApiNotFoundResponse({ description: PANEL_404 })
  @ApiConflictResponse({
    description: 'PANEL_NOT_CLOSED (no closed round, or the round asked for is not closed)',
  })
  results(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: PanelResultsQueryDto,
  ): Promise<PanelResultsView> {
    return this.rounds.results(actor, id, query.round);
  }

  @Policy('read', 'PanelAssignment')
  @Get(':id/assignments')
  @ApiOkResponse({
    type: AssignmentsView,
    description:
      'An expert’s own assignments (blind panels: codes, never companies); operators see every expert’s.',
  })
  @ApiForbiddenResponse({ description: 'roles without assignments' })
  @ApiNotFoundResponse({ description: PANEL_404 })
  assignmentsOf(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<AssignmentsView> {
    return this.assignments.assignments(actor, id);
  }

  @Policy('read', 'PanelAssignment')
  @Get(':id/subjects/:subjectId')
  @ApiOkResponse({
    type: SubjectDetailView,
    description:
      'The proposal and attachments’ metadata of an assigned subject (expert on the panel, not recused).',
  })
  @ApiForbiddenResponse({ description: 'roles without assignments' })
  @ApiNotFoundResponse({ description: SUBJECT_404 })
  subject(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Param('subjectId', UuidParamPipe) subjectId: string,
  ): Promise<SubjectDetailView> {
    return this.assignments.subject(actor, id, subjectId);
  }

  @Policy('read', 'PanelAssignment')
  @Get(':id/subjects/:subjectId/attachments/:attachmentId')
  @ApiProduces('application/octet-stream', 'application/problem+json')
  @ApiOkResponse({
    description: 'The attachment; blind panels name it by code (A-07-附件1.pdf).',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiForbiddenResponse({ description: 'roles without assignments' })
  @ApiNotFoundResponse({ description: SUBJECT_404 })
  attachment(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Param('subjectId', UuidParamPipe) subjectId: string,
    @Param('attachmentId', UuidParamPipe) attachmentId: string,
  ): Promise<StreamableFile> {
    return this.assignments.attachment(actor, id, subjectId, attachmentId);
  }

  @Policy('update', 'PanelAssignment')
  @Post(':id/conflicts')
  @ApiCreatedResponse({
    type: RecusalView,
    description: 'Declares a conflict of interest (回避): recused from the subject.',
  })
  @ApiForbiddenResponse({ description: 'not an expert' })
  @ApiNotFoundResponse({ description: SUBJECT_404 })
  @ApiConflictResponse({ description: 'ALREADY_RECUSED, PANEL_CLOSED' })
  declareConflict(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: DeclareConflictDto,
  ): Promise<RecusalView> {
    return this.assignments.declareConflict(actor, id, dto);
  }

  @Policy('update', 'PanelAssignment')
  @Put(':id/scores/:subjectId')
  @ApiOkResponse({
    type: ScoreView,
    description: 'Creates or replaces the expert’s scores for the subject in the open round.',
  })
  @ApiForbiddenResponse({ description: 'not an expert' })
  @ApiNotFoundResponse({ description: SUBJECT_404 })
  @ApiConflictResponse({ description: 'PANEL_CLOSED' })
  @ApiUnprocessableEntityResponse({
    description: 'INVALID_SCORES (missing, unknown or out of range), COMMENT_REQUIRED',
  })
  score(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Param('subjectId', UuidParamPipe) subjectId: string,
    @Body() dto: ScoreDto,
  ): Promise<ScoreView> {
    return this.scoring.score(actor, id, subjectId, dto);
  }
}
