import type { ForcedSubject, MongoAbility, MongoQuery } from '@casl/ability';

export const ACTIONS = [
  'manage',
  'create',
  'read',
  'update',
  'delete',
  'verify',
  // lifecycle transitions owned by one role each (揭榜挂帅)
  'submit',
  'withdraw',
  'publish',
  'review',
  'close',
  'award',
  // sandboxes: fetch a released export (the requesting organization only)
  'download',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Every subject type the platform authorizes. Later domains add theirs here. */
export const SUBJECT_TYPES = [
  'Organization',
  'User',
  'AuditEvent',
  'AuditLedger',
  'SystemProbe',
  'Notification',
  'Batch',
  'Scenario',
  'Application',
  'Publicity',
  'Objection',
  // dataset registry (libs/datasets)
  'Dataset',
  // sandboxes, grants, runs and the export airlock (libs/sandbox)
  'Sandbox',
  'SandboxExtension',
  'DatasetGrant',
  'SandboxRun',
  'SandboxExport',
  'SandboxExportReview',
  // expert review (libs/review)
  'Expert',
  'Panel',
  'PanelAssignment',
  'ScenarioResult',
  // standardized evaluation (libs/evaluation): the spec and phases of a scenario, submissions
  'Evaluation',
  'Submission',
  'all',
] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export type SubjectObject = Record<string, unknown> & ForcedSubject<Exclude<SubjectType, 'all'>>;
export type AppAbility = MongoAbility<
  [Action, SubjectType | SubjectObject],
  MongoQuery<Record<string, unknown>>
>;
