/** Nest injection tokens and fixed settings of libs/queue. */
export const JOB_REGISTRY = Symbol('JOB_REGISTRY');
export const QUEUE_MODULE_OPTIONS = Symbol('QUEUE_MODULE_OPTIONS');

/** PostgreSQL NOTIFY channel the outbox trigger signals on (see the QueueOutbox migration). */
export const OUTBOX_NOTIFY_CHANNEL = 'aihub_outbox';

/** Dispatched outbox rows are kept this long for investigations, then pruned by the relay. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3600_000;

/** BullMQ keeps finished jobs this long (seconds) so operators can inspect them, and caps the count. */
export const KEEP_COMPLETED_JOBS = { age: 24 * 3600, count: 50_000 };
export const KEEP_FAILED_JOBS = { age: 14 * 24 * 3600 };

export interface QueueModuleOptions {
  /** run the outbox relay in this process (the worker does; the api may) */
  relay?: boolean;
}
