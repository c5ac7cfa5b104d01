import type { Job } from 'bullmq';
import { type HandlesJob, JobHandler } from '@aihub/queue';
import { RunExecutor } from '../runs/run-executor.service';
import { RunSandboxJob, type RunSandboxPayload } from './run-sandbox.job';

@JobHandler(RunSandboxJob)
export class RunSandboxHandler implements HandlesJob<RunSandboxPayload> {
  constructor(private readonly executor: RunExecutor) {}

  async handle(
    payload: RunSandboxPayload,
    _job?: Job<RunSandboxPayload>,
    signal?: AbortSignal,
  ): Promise<string | null> {
    return this.executor.execute(payload.runId, signal);
  }
}
