import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EvaluationModule } from '@aihub/evaluation';
import { ScenariosModule } from '@aihub/scenarios';
import { ExpertsController } from './controllers/experts.controller';
import { PanelsController } from './controllers/panels.controller';
import { ResultsController } from './controllers/results.controller';
import { ExpertEntity } from './entities/expert.entity';
import { PanelMemberEntity } from './entities/panel-member.entity';
import { PanelRecusalEntity } from './entities/panel-recusal.entity';
import { PanelResultEntity } from './entities/panel-result.entity';
import { PanelScoreEntity } from './entities/panel-score.entity';
import { PanelSubjectEntity } from './entities/panel-subject.entity';
import { PanelEntity } from './entities/panel.entity';
import { ScenarioResultEntity } from './entities/scenario-result.entity';
import { ResultReportService } from './report/result-report.service';
import { AssignmentsService } from './services/assignments.service';
import { ExpertsService } from './services/experts.service';
import { PanelRoundsService } from './services/panel-rounds.service';
import { PanelsService } from './services/panels.service';
import { ResultMetricsReader } from './services/result-metrics.service';
import { ResultsPublicationService } from './services/results-publication.service';
import { ScoringService } from './services/scoring.service';

export const REVIEW_ENTITIES = [
  ExpertEntity,
  PanelEntity,
  PanelMemberEntity,
  PanelSubjectEntity,
  PanelRecusalEntity,
  PanelScoreEntity,
  PanelResultEntity,
  ScenarioResultEntity,
];

const SERVICES = [
  ExpertsService,
  ResultMetricsReader,
  PanelsService,
  PanelRoundsService,
  AssignmentsService,
  ScoringService,
  ResultsPublicationService,
  ResultReportService,
];

/**
 * Expert review (专家评审): the expert pool, panels with blind rubric scoring and recusal, rounds and
 * results, the combined final ranking with its publicity, and the result report. Registers the
 * completion of `results` publicities, so the worker imports it too (its publicity timers close them).
 */
@Module({
  imports: [TypeOrmModule.forFeature(REVIEW_ENTITIES), ScenariosModule, EvaluationModule],
  controllers: [ExpertsController, PanelsController, ResultsController],
  providers: SERVICES,
  exports: SERVICES,
})
export class ReviewModule {}
