/**
 * Every BullMQ queue of the platform, in one place. A queue groups jobs that share a worker pool and
 * its limits; jobs inside a queue are told apart by their job name.
 */
export enum QueueName {
  Audit = 'audit',
  Scoring = 'scoring',
  Sandbox = 'sandbox',
  Exports = 'exports',
  Timers = 'timers',
  Notifications = 'notifications',
  System = 'system',
}

export const ALL_QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);
