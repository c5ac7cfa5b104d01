import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
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
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { PageQueryDto, UuidParamPipe } from '@aihub/core';
import { FILE_UPLOAD_SCHEMA, PhaseInputsView } from '../dto/evaluation.dto';
import {
  LeaderboardView,
  PhaseClosedView,
  SubmissionCreatedView,
  SubmissionPageView,
  SubmissionView,
} from '../dto/submission.dto';
import { LeaderboardService } from '../services/leaderboard.service';
import { PhaseInputsService } from '../services/phase-inputs.service';
import { SubmissionsService } from '../services/submissions.service';

const NOT_FOUND = 'SUBMISSION_NOT_FOUND (also for other organizations’ submissions)';

@ApiTags('evaluation')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller()
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    private readonly leaderboards: LeaderboardService,
    private readonly inputs: PhaseInputsService,
  ) {}

  @Policy('create', 'Submission')
  @Post('phases/:id/submissions')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: FILE_UPLOAD_SCHEMA })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a repeat returns the first submission',
  })
  @ApiAcceptedResponse({ type: SubmissionCreatedView, description: 'Queued for scoring.' })
  @ApiForbiddenResponse({ description: 'NOT_AN_AWARDEE (phase not open to all), not an enterprise' })
  @ApiNotFoundResponse({ description: 'PHASE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PHASE_NOT_OPEN, GROUND_TRUTH_MISSING' })
  @ApiPayloadTooLargeResponse({ description: "PAYLOAD_TOO_LARGE (the phase's maxFileMb)" })
  @ApiUnprocessableEntityResponse({ description: 'EMPTY_FILE, INVALID_MULTIPART' })
  @ApiTooManyRequestsResponse({
    description:
      'QUOTA_EXCEEDED with resetsAt (next local midnight of TIME_ZONE) and Retry-After; queued and scored submissions hold a slot, failed ones do not',
  })
  create(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
  ): Promise<SubmissionCreatedView> {
    return this.submissions.create(actor, id, req);
  }

  @Policy('read', 'Submission')
  @Get('phases/:id/submissions')
  @ApiOkResponse({
    type: SubmissionPageView,
    description: "The caller's organization's submissions, oldest first.",
  })
  @ApiNotFoundResponse({ description: 'PHASE_NOT_FOUND' })
  list(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<SubmissionPageView> {
    return this.submissions.list(actor, id, query);
  }

  @Policy('read', 'Submission')
  @Get('submissions/:id')
  @ApiOkResponse({
    type: SubmissionView,
    description: "privateScore is null until the phase's results are published",
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SubmissionView> {
    return this.submissions.get(actor, id);
  }

  @Policy('update', 'Submission')
  @Post('submissions/:id/select-final')
  @HttpCode(200)
  @ApiOkResponse({ type: SubmissionView })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description:
      'FINAL_SELECTION_LIMIT (at most 2 per organization and phase), SUBMISSION_NOT_SCORED, RESULTS_ALREADY_PUBLISHED',
  })
  selectFinal(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SubmissionView> {
    return this.submissions.selectFinal(actor, id, true);
  }

  @Policy('update', 'Submission')
  @Delete('submissions/:id/select-final')
  @ApiOkResponse({ type: SubmissionView, description: 'Withdraws a final selection.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({ description: 'RESULTS_ALREADY_PUBLISHED' })
  unselectFinal(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<SubmissionView> {
    return this.submissions.selectFinal(actor, id, false);
  }

  @Public()
  @Get('phases/:id/leaderboard')
  @ApiOkResponse({
    type: LeaderboardView,
    description:
      'Best public score per organization; after publication also privateScore and finalRank (sorted by it).',
  })
  @ApiNotFoundResponse({ description: 'PHASE_NOT_FOUND (or its scenario is not visible)' })
  leaderboard(
    @CurrentActor() actor: Actor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<LeaderboardView> {
    return this.leaderboards.leaderboard(actor, id);
  }

  @Policy('close', 'Evaluation')
  @Post('phases/:id/close')
  @HttpCode(200)
  @ApiOkResponse({
    type: PhaseClosedView,
    description: 'No more submissions or final selections (idempotent).',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'PHASE_NOT_FOUND' })
  close(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PhaseClosedView> {
    return this.leaderboards.close(actor, id);
  }

  @Policy('update', 'Evaluation')
  @Post('phases/:id/inputs')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: FILE_UPLOAD_SCHEMA })
  @ApiCreatedResponse({
    type: PhaseInputsView,
    description:
      'Code phases: the hidden test inputs (.tar.gz), mounted read-only at /data/test in every run; never served.',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'PHASE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PHASE_NOT_CODE' })
  @ApiUnprocessableEntityResponse({ description: 'INPUTS_NOT_GZIP, EMPTY_FILE' })
  uploadInputs(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
  ): Promise<PhaseInputsView> {
    return this.inputs.upload(actor, id, req);
  }
}
