import { ApiProperty } from '@nestjs/swagger';
import { SUBMISSION_STATES, type SubmissionState } from '../entities/submission.entity';

export class SubmissionErrorView {
  @ApiProperty() code: string;
  @ApiProperty() detail: string;
  @ApiProperty({ type: 'array', items: { type: 'object' }, required: false }) issues?: unknown[];
  @ApiProperty({ type: Number, nullable: true, required: false }) exitCode?: number | null;
  @ApiProperty({ type: [String], required: false }) logTail?: string[];
}

export class SubmissionCreatedView {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SUBMISSION_STATES }) status: SubmissionState;
}

export class SubmissionView {
  @ApiProperty() id: string;
  @ApiProperty() phaseId: string;
  @ApiProperty() scenarioId: string;
  @ApiProperty() organizationId: string;
  @ApiProperty({ enum: SUBMISSION_STATES }) status: SubmissionState;
  @ApiProperty() fileName: string;
  @ApiProperty() sha256: string;
  @ApiProperty() sizeBytes: number;
  @ApiProperty({ type: Number, nullable: true }) publicScore: number | null;
  @ApiProperty({ type: Number, nullable: true, description: "null until the phase's results are published" })
  privateScore: number | null;
  @ApiProperty({ type: SubmissionErrorView, nullable: true }) error: SubmissionErrorView | null;
  @ApiProperty() selectedFinal: boolean;
  @ApiProperty() submittedAt: string;
  @ApiProperty({ type: String, nullable: true }) scoredAt: string | null;
}

export class SubmissionPageView {
  @ApiProperty({ type: SubmissionView, isArray: true }) items: SubmissionView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class LeaderboardOrganizationView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
}

export class LeaderboardEntryView {
  @ApiProperty() rank: number;
  @ApiProperty({ type: LeaderboardOrganizationView }) organization: LeaderboardOrganizationView;
  @ApiProperty({ description: 'best public score of the organization' }) score: number;
  @ApiProperty() submissionId: string;
  @ApiProperty() submittedAt: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    required: false,
    description: 'after publication: best private score among the final submissions',
  })
  privateScore?: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    required: false,
    description: 'after publication: rank by private score',
  })
  finalRank?: number | null;
  @ApiProperty({
    type: String,
    required: false,
    description: 'after publication: the final submission ranked',
  })
  finalSubmissionId?: string;
}

export class LeaderboardView {
  @ApiProperty() phaseId: string;
  @ApiProperty() metric: string;
  @ApiProperty({ enum: ['higher', 'lower'] }) direction: 'higher' | 'lower';
  @ApiProperty() published: boolean;
  @ApiProperty({ type: LeaderboardEntryView, isArray: true }) items: LeaderboardEntryView[];
}

export class PhaseClosedView {
  @ApiProperty() phaseId: string;
  @ApiProperty() closedAt: string;
}
