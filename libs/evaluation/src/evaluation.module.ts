import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from '@aihub/identity';
import { ApplicationEntity } from '@aihub/scenarios/entities/application.entity';
import { ScenarioEntity } from '@aihub/scenarios/entities/scenario.entity';
import { EvaluationController } from './controllers/evaluation.controller';
import { SubmissionsController } from './controllers/submissions.controller';
import { EvaluationPhaseEntity } from './entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from './entities/evaluation-spec.entity';
import { SubmissionEntity } from './entities/submission.entity';
import { ScoreSubmissionHandler } from './jobs/score-submission.handler';
import { EvaluationAccess } from './services/evaluation-access.service';
import { EvaluationSpecService } from './services/evaluation-spec.service';
import { LeaderboardService } from './services/leaderboard.service';
import { PhaseInputsService } from './services/phase-inputs.service';
import { ScoreCheckService } from './services/score-check.service';
import { ScoringService } from './services/scoring.service';
import { SubmissionStatsContributor } from './services/submission-stats.contributor';
import { SubmissionsService } from './services/submissions.service';

export const EVALUATION_ENTITIES = [EvaluationSpecEntity, EvaluationPhaseEntity, SubmissionEntity];

const SERVICES = [
  EvaluationAccess,
  EvaluationSpecService,
  SubmissionsService,
  ScoringService,
  LeaderboardService,
  ScoreCheckService,
  PhaseInputsService,
];

/**
 * Standardized evaluation: specs and phases, hidden ground truth, submissions, the scoring job, leaderboards.
 * Needs AuditModule, QueueModule, StorageModule, RedisModule (global). The worker imports it for the scoring
 * job (and `EvaluationCodeRunnerModule` for code submissions); its controllers are inert there.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([...EVALUATION_ENTITIES, ScenarioEntity, ApplicationEntity, OrganizationEntity]),
  ],
  controllers: [EvaluationController, SubmissionsController],
  providers: [...SERVICES, ScoreSubmissionHandler, SubmissionStatsContributor],
  exports: SERVICES,
})
export class EvaluationModule {}
