import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobDefinition } from './define-job';

const JOB_HANDLER_METADATA = 'aihub:queue:job-handler';

/** What a job handler class implements. Handlers must be safe to run twice (see `claimOnce`). */
export interface HandlesJob<P extends object> {
  /**
   * Does the job's work. Throwing makes BullMQ retry the job (per the definition's retry policy).
   * `signal` aborts when the worker is shutting down and cannot wait for the job any longer.
   */
  handle(payload: P, job: Job<P>, signal?: AbortSignal): Promise<unknown>;
}

/**
 * Marks a provider class as THE handler of one job type. The worker discovers it through Nest's
 * DiscoveryService and refuses to start unless every registered job has exactly one handler.
 * The class still has to be listed in a module's `providers`.
 */
export function JobHandler<P extends object>(definition: JobDefinition<P>) {
  return <T extends new (...args: never[]) => HandlesJob<P>>(target: T): void => {
    Reflect.defineMetadata(JOB_HANDLER_METADATA, definition, target);
    Injectable()(target);
  };
}

/** The job a class handles, if it is a job handler. */
export function handledJobOf(target: unknown): JobDefinition | undefined {
  if (typeof target !== 'function') return undefined;
  return Reflect.getMetadata(JOB_HANDLER_METADATA, target) as JobDefinition | undefined;
}
