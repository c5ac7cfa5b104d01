import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { AuthenticatedActor } from '@aihub/authz';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import type { ScoreView } from '../dto/assignment.dto';
import type { ScoreDto } from '../dto/panel.dto';
import { PanelScoreEntity } from '../entities/panel-score.entity';
import { CommentRequiredError, InvalidScoresError, PanelClosedError } from '../review.errors';
import { expertTotal, validateScores } from '../scoring/panel-math';
import { AssignmentsService } from './assignments.service';

/** An expert's scores for one subject: validated against the rubric, editable until the round closes. */
@Injectable()
export class ScoringService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly assignments: AssignmentsService,
  ) {}

  async score(
    actor: AuthenticatedActor,
    panelId: string,
    subjectId: string,
    dto: ScoreDto,
  ): Promise<ScoreView> {
    return this.dataSource.transaction(async (manager) => {
      // the panel row lock orders scoring against closing: no score lands in a closed round
      const { parts, subject, member } = await this.assignments.seatFor(
        manager,
        actor,
        panelId,
        subjectId,
        true,
      );
      const panel = parts.panel;
      if (panel.status !== 'open') throw new PanelClosedError(panel.round);
      const problems = validateScores(panel.rubric, dto.scores);
      if (problems.length) throw new InvalidScoresError(problems);
      const total = Math.round(expertTotal(panel.rubric, dto.scores) * 1e4) / 1e4;
      const comment = dto.comment?.trim() || null;
      const threshold = this.config.review.commentThreshold;
      if (total < threshold && !comment) throw new CommentRequiredError(total, threshold);
      const scores = Object.fromEntries(panel.rubric.map((c) => [c.criterion, dto.scores[c.criterion]]));
      await manager
        .createQueryBuilder()
        .insert()
        .into(PanelScoreEntity)
        .values({
          panelId,
          round: panel.round,
          subjectId: subject.id,
          expertId: member.expertId,
          scores,
          total,
          comment,
        })
        .orUpdate(
          ['scores', 'total', 'comment', 'updated_at'],
          ['panel_id', 'round', 'subject_id', 'expert_id'],
        )
        .execute();
      const saved = await manager.getRepository(PanelScoreEntity).findOneByOrFail({
        panelId,
        round: panel.round,
        subjectId: subject.id,
        expertId: member.expertId,
      });
      await this.audit.record(manager, {
        action: 'panel.score',
        objectType: 'Panel',
        objectId: panelId,
        details: { subjectId: subject.id, expertId: member.expertId, round: panel.round, scores, total },
      });
      return {
        subjectId: subject.id,
        code: subject.code,
        round: panel.round,
        scores: saved.scores,
        comment: saved.comment,
        total: saved.total,
        updatedAt: saved.updatedAt.toISOString(),
      };
    });
  }
}
