import { Body, Controller, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
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
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import {
  Actor,
  Authenticated,
  AuthenticatedActor,
  CurrentActor,
  CurrentUser,
  Policy,
  Public,
} from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import {
  EvaluationView,
  FILE_UPLOAD_SCHEMA,
  GroundTruthView,
  PutEvaluationDto,
  SCORE_UPLOAD_SCHEMA,
  ScoreResultView,
} from '../dto/evaluation.dto';
import { EvaluationSpecService } from '../services/evaluation-spec.service';
import { ScoreCheckService } from '../services/score-check.service';

@ApiTags('evaluation')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller()
export class EvaluationController {
  constructor(
    private readonly specs: EvaluationSpecService,
    private readonly checks: ScoreCheckService,
  ) {}

  @Public()
  @Get('scenarios/:id/evaluation')
  @ApiOkResponse({ type: EvaluationView, description: 'The spec with phase ids; never the ground truth.' })
  @ApiNotFoundResponse({
    description: 'SCENARIO_NOT_FOUND (not visible to the caller) or EVALUATION_NOT_FOUND',
  })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<EvaluationView> {
    return this.specs.get(actor, id);
  }

  @Policy('update', 'Evaluation')
  @Put('scenarios/:id/evaluation')
  @ApiOkResponse({
    type: EvaluationView,
    description:
      'Creates or replaces the evaluation (operator). Keep a phase by sending its id; phases with submissions can change their window and quotas only. Changing the metric format or the columns clears an uploaded ground truth (upload it again).',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: 'PHASES_OVERLAP, METRIC_TARGET_MISMATCH, PHASE_LOCKED' })
  put(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: PutEvaluationDto,
  ): Promise<EvaluationView> {
    return this.specs.put(actor, id, dto);
  }

  @Policy('update', 'Evaluation')
  @Post('scenarios/:id/evaluation/ground-truth')
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: FILE_UPLOAD_SCHEMA })
  @ApiCreatedResponse({ type: GroundTruthView, description: 'Stored privately, validated; never served.' })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({ description: 'EVALUATION_NOT_CONFIGURED' })
  @ApiUnprocessableEntityResponse({
    description: 'GROUND_TRUTH_INVALID (issues with line numbers), EMPTY_FILE, INVALID_MULTIPART',
  })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE' })
  groundTruth(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: Request,
  ): Promise<GroundTruthView> {
    return this.specs.uploadGroundTruth(actor, id, req);
  }

  @Authenticated()
  @Post('evaluation/score')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: SCORE_UPLOAD_SCHEMA })
  @ApiOkResponse({
    type: ScoreResultView,
    description: 'The platform scorer on your own files (each <= 20 MB).',
  })
  @ApiUnprocessableEntityResponse({
    description: 'PREDICTIONS_INVALID / GROUND_TRUTH_INVALID with issues, METRIC_UNDEFINED',
  })
  @ApiPayloadTooLargeResponse({ description: 'PAYLOAD_TOO_LARGE' })
  @ApiTooManyRequestsResponse({ description: 'TOO_MANY_SCORE_REQUESTS (EVALUATION_SCORE_CHECKS_PER_MINUTE)' })
  score(@CurrentUser() actor: AuthenticatedActor, @Req() req: Request): Promise<ScoreResultView> {
    return this.checks.score(actor, req);
  }
}
