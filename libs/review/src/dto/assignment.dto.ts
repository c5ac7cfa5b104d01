import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PANEL_STAGES, PANEL_STATUSES, type PanelStage, type PanelStatus } from '../entities/panel.entity';
import { RECUSAL_KINDS, type RecusalKind } from '../entities/panel-recusal.entity';
import { OrganizationRefView } from './expert.dto';
import { RubricCriterionView } from './panel.dto';

/**
 * What experts see. In blind panels nothing here names a company: subjects are panel codes, attachment
 * names are generated, and organization names / credit codes in proposal texts are replaced by the code.
 */
export class AssignmentView {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty({ example: 'A-07' }) code: string;
  @ApiProperty({ format: 'uuid' }) expertId: string;
  @ApiProperty() recused: boolean;
  @ApiProperty({ enum: RECUSAL_KINDS, nullable: true, type: String }) recusalKind: RecusalKind | null;
  @ApiProperty() scored: boolean;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, nullable: true })
  scores: Record<string, number> | null;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: Number, nullable: true }) total: number | null;
  @ApiProperty() eligibleExperts: number;
  @ApiProperty({ description: 'fewer than 3 experts are left for this subject after recusal' })
  fewEligibleExperts: boolean;
  @ApiPropertyOptional({ type: OrganizationRefView, description: 'open (non-blind) panels only' })
  organization?: OrganizationRefView;
}

export class AssignmentsView {
  @ApiProperty({ format: 'uuid' }) panelId: string;
  @ApiProperty({ enum: PANEL_STAGES }) stage: PanelStage;
  @ApiProperty() blind: boolean;
  @ApiProperty({ enum: PANEL_STATUSES }) status: PanelStatus;
  @ApiProperty() round: number;
  @ApiProperty({ type: [RubricCriterionView] }) rubric: RubricCriterionView[];
  @ApiProperty({ description: 'a total below this needs a comment' }) commentThreshold: number;
  @ApiProperty({ type: [AssignmentView] }) items: AssignmentView[];
}

export class SubjectAttachmentView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'generated in blind panels (code + number), the uploaded name otherwise' })
  name: string;
  @ApiProperty() kind: string;
  @ApiProperty() contentType: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty() sha256: string;
}

export class SubjectSubmissionView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) submissionId: string | null;
  @ApiProperty({ type: String, nullable: true }) metric: string | null;
  @ApiProperty({ type: Number, nullable: true }) publicScore: number | null;
}

export class SubjectDetailView {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() code: string;
  @ApiProperty({ enum: PANEL_STAGES }) stage: PanelStage;
  @ApiProperty({
    description: 'in blind panels, organization names and credit codes are replaced by the code',
  })
  proposal: string;
  @ApiProperty({ description: 'members besides the lead' }) consortiumSize: number;
  @ApiProperty({ type: [SubjectAttachmentView] }) attachments: SubjectAttachmentView[];
  @ApiPropertyOptional({ type: SubjectSubmissionView, description: 'stage `result`' })
  submission?: SubjectSubmissionView;
  @ApiPropertyOptional({ type: OrganizationRefView, description: 'open (non-blind) panels only' })
  organization?: OrganizationRefView;
  @ApiPropertyOptional({ type: [OrganizationRefView], description: 'open (non-blind) panels only' })
  consortium?: OrganizationRefView[];
}

export class RecusalView {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() code: string;
  @ApiProperty({ format: 'uuid' }) expertId: string;
  @ApiProperty({ enum: RECUSAL_KINDS }) kind: RecusalKind;
  @ApiProperty({ type: String, nullable: true }) reason: string | null;
  @ApiProperty() eligibleExperts: number;
  @ApiProperty() fewEligibleExperts: boolean;
}

export class ScoreView {
  @ApiProperty({ format: 'uuid' }) subjectId: string;
  @ApiProperty() code: string;
  @ApiProperty() round: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) scores: Record<string, number>;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ description: 'Σ weight × score / maxScore × 100' }) total: number;
  @ApiProperty() updatedAt: string;
}
