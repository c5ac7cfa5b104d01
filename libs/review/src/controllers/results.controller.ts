import { Body, Controller, Get, HttpCode, Param, Post, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Actor, AuthenticatedActor, CurrentActor, CurrentUser, Policy, Public } from '@aihub/authz';
import { UuidParamPipe } from '@aihub/core';
import { PublicityView } from '@aihub/scenarios';
import { PublishResultsDto, ScenarioResultView } from '../dto/results.dto';
import { ResultReportService } from '../report/result-report.service';
import { ResultsPublicationService } from '../services/results-publication.service';

const NOT_PUBLISHED = 'SCENARIO_RESULT_NOT_FOUND (no results, or not published yet for this caller)';

@ApiTags('review')
@Controller('scenarios')
export class ResultsController {
  constructor(
    private readonly results: ResultsPublicationService,
    private readonly report: ResultReportService,
  ) {}

  @Policy('publish', 'ScenarioResult')
  @Post(':id/results/publish')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
  @ApiOkResponse({
    type: PublicityView,
    description:
      'Combines the normalized private metric score and the expert aggregate with the given weights and opens a ' +
      '`results` publicity (公示) whose subjects carry rank, finalScore and expertScore; the full ranking is at ' +
      'GET /scenarios/:id/results (operators at once, everyone once published). When the publicity passes, the ' +
      'scenario is concluded and the private leaderboard scores revealed.',
  })
  @ApiForbiddenResponse({ description: 'not an operator' })
  @ApiNotFoundResponse({ description: 'SCENARIO_NOT_FOUND' })
  @ApiConflictResponse({
    description:
      'INVALID_STATE_TRANSITION (scenario not evaluating), RESULT_PANEL_NOT_CLOSED, RESULTS_PUBLICITY_OPEN, RESULTS_ALREADY_PUBLISHED',
  })
  publish(
    @CurrentUser() actor: AuthenticatedActor,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: PublishResultsDto,
  ): Promise<PublicityView> {
    return this.results.publish(actor, id, dto);
  }

  @Public()
  @Get(':id/results')
  @ApiOkResponse({
    type: ScenarioResultView,
    description: 'Public once published, with the private scores revealed.',
  })
  @ApiNotFoundResponse({ description: NOT_PUBLISHED })
  get(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<ScenarioResultView> {
    return this.results.get(actor, id);
  }

  @Public()
  @Get(':id/results/report.pdf')
  @ApiProduces('application/pdf', 'application/problem+json')
  @ApiOkResponse({
    description: 'The result report (Chinese): ranking, expert aggregates, anonymized expert comments.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiNotFoundResponse({ description: NOT_PUBLISHED })
  @ApiServiceUnavailableResponse({ description: 'REPORT_FONT_MISSING (no CJK font installed on the server)' })
  reportPdf(@CurrentActor() actor: Actor, @Param('id', UuidParamPipe) id: string): Promise<StreamableFile> {
    return this.report.pdf(actor, id);
  }
}
