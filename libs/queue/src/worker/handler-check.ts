import type { JobDefinition } from '../jobs/define-job';
import type { HandlesJob } from '../jobs/job-handler.decorator';
import { HandlerMismatch, JobHandlerMismatchError } from '../queue.errors';

export interface DiscoveredJobHandler {
  definition: JobDefinition;
  /** class name, for error messages and logs */
  handlerName: string;
  instance: HandlesJob<object>;
}

/**
 * Pairs every registered job with its single handler. Throws {@link JobHandlerMismatchError} naming every
 * job with no handler or with several, so a worker never starts with jobs it would silently never run.
 */
export function pairJobsWithHandlers(
  definitions: readonly JobDefinition[],
  handlers: readonly DiscoveredJobHandler[],
): Map<string, DiscoveredJobHandler> {
  const byJobName = new Map<string, DiscoveredJobHandler[]>();
  for (const handler of handlers) {
    const list = byJobName.get(handler.definition.name) ?? [];
    list.push(handler);
    byJobName.set(handler.definition.name, list);
  }
  const registered = new Map(definitions.map((d) => [d.name, d]));
  const mismatch: HandlerMismatch = { missing: [], duplicated: [], unregistered: [] };

  for (const definition of definitions) {
    const found = byJobName.get(definition.name) ?? [];
    if (found.length === 0) mismatch.missing.push(definition.name);
    if (found.length > 1) {
      mismatch.duplicated.push({ jobName: definition.name, handlers: found.map((h) => h.handlerName) });
    }
  }
  for (const handler of handlers) {
    // same name but another definition object means a second, unregistered definition of the job
    if (registered.get(handler.definition.name) !== handler.definition) {
      mismatch.unregistered.push({ jobName: handler.definition.name, handler: handler.handlerName });
    }
  }
  if (mismatch.missing.length || mismatch.duplicated.length || mismatch.unregistered.length) {
    throw new JobHandlerMismatchError(mismatch);
  }
  return new Map([...byJobName].map(([name, [handler]]) => [name, handler]));
}
