/**
 * The kinds the lifecycle emits (issue 4). `kind` is a free string so later domains add theirs without
 * touching this lib; these constants keep producers and the portal spelling them the same way.
 */
export const NOTIFICATION_KINDS = {
  applicationReturned: 'application.returned',
  applicationRejected: 'application.rejected',
  applicationSelected: 'application.selected',
  applicationNotSelected: 'application.not_selected',
  objectionFiled: 'objection.filed',
  objectionResolved: 'objection.resolved',
  publicityOpened: 'publicity.opened',
  publicityClosed: 'publicity.closed',
} as const;
export type KnownNotificationKind = (typeof NOTIFICATION_KINDS)[keyof typeof NOTIFICATION_KINDS];
