import type { RunView } from './run.dto';
import type { SandboxRunEntity } from './sandbox-run.entity';

export const toRunView = (r: SandboxRunEntity): RunView => ({
  id: r.id,
  sandboxId: r.sandboxId,
  status: r.status,
  command: r.command,
  exitCode: r.exitCode,
  reason: r.reason,
  notes: r.notes,
  startedAt: r.startedAt?.toISOString() ?? null,
  finishedAt: r.finishedAt?.toISOString() ?? null,
  usage: r.cpuSeconds === null ? null : { cpuSeconds: r.cpuSeconds, maxMemoryMb: r.maxMemoryMb ?? 0 },
  outputs: r.outputs,
  mounts: r.mounts.map((m) => ({
    grantId: m.grantId,
    mountPath: m.mountPath,
    view: m.view,
    rowCount: m.rowCount,
  })),
  redactedLines: r.redactedLines,
  logTruncated: r.logTruncated,
  createdAt: r.createdAt.toISOString(),
});
