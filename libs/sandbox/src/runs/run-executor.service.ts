import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { AuditService } from '@aihub/audit';
import { APP_CONFIG, AppConfig, Clock, DomainError } from '@aihub/core';
import type { FingerprintSet } from '@aihub/datasets';
import { claimOnce } from '@aihub/queue';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import { redactLog } from '../airlock/log-redactor';
import { extractBundle } from '../bundle/safe-extract';
import { DatasetGateway } from '../grants/dataset-gateway';
import { DatasetGrantEntity } from '../grants/dataset-grant.entity';
import { RUNTIME_DRIVER, RunResult, RuntimeDriver } from '../runtime/runtime-driver.port';
import { SandboxEntity } from '../sandboxes/sandbox.entity';
import { MAX_BUNDLE_FILES, runKeys } from './runs.service';
import { RunMountRecord, RunOutputFile, SandboxRunEntity, SandboxRunStatus } from './sandbox-run.entity';

const CANCEL_POLL_MS = 1000;

interface Outcome {
  status: SandboxRunStatus;
  exitCode: number | null;
  reason: string | null;
  notes: string[];
  result?: RunResult;
  outputs: RunOutputFile[];
  log: Buffer;
  mounts: RunMountRecord[];
  sets: FingerprintSet[];
}

/**
 * The worker side of a run: extract the bundle safely, materialize each active grant's view (one
 * `dataset.mount` audit event per mount), run the driver with the sandbox quota while polling for a
 * cancel, store the log (raw and redacted) and the outputs (size + sha256), then record the outcome
 * exactly once.
 */
@Injectable()
export class RunExecutor {
  private readonly logger = new Logger(RunExecutor.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @Inject(RUNTIME_DRIVER) private readonly driver: RuntimeDriver,
    private readonly datasets: DatasetGateway,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async execute(runId: string, shutdown?: AbortSignal): Promise<SandboxRunStatus | null> {
    const started = await this.start(runId);
    if (!started) return null;
    const { run, sandbox } = started;
    const workDir = join(this.config.dataDir, 'sandbox-runs', runId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true, mode: 0o755 });
    const abort = new AbortController();
    const onShutdown = () => abort.abort();
    shutdown?.addEventListener('abort', onShutdown);
    const poll = setInterval(() => void this.pollCancel(runId, abort), CANCEL_POLL_MS);
    let outcome: Outcome;
    try {
      outcome = await this.runIn(run, sandbox, workDir, abort.signal);
    } catch (err) {
      this.logger.error({ err, runId }, 'sandbox run could not be executed');
      outcome = {
        status: 'failed',
        exitCode: null,
        reason: err instanceof DomainError ? err.message : 'the sandbox could not be set up (platform error)',
        notes: [],
        outputs: [],
        log: Buffer.alloc(0),
        mounts: [],
        sets: [],
      };
    } finally {
      clearInterval(poll);
      shutdown?.removeEventListener('abort', onShutdown);
    }
    // a shutdown is not a cancel: let another worker run it again
    if (shutdown?.aborted && outcome.status === 'cancelled') {
      await rm(workDir, { recursive: true, force: true });
      throw new Error('worker shutting down: the run will be retried');
    }
    try {
      return await this.finish(run, outcome);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /** queued → running (or a redelivered running run); null when there is nothing to do. */
  private async start(runId: string): Promise<{ run: SandboxRunEntity; sandbox: SandboxEntity } | null> {
    return this.dataSource.transaction(async (manager) => {
      const run = await manager
        .getRepository(SandboxRunEntity)
        .findOne({ where: { id: runId }, lock: { mode: 'pessimistic_write' } });
      if (!run || (run.status !== 'queued' && run.status !== 'running')) return null;
      const sandbox = await manager.getRepository(SandboxEntity).findOneByOrFail({ id: run.sandboxId });
      const now = this.clock.now();
      if (sandbox.status !== 'active' || sandbox.expiresAt.getTime() <= now.getTime()) {
        await manager.getRepository(SandboxRunEntity).update(
          { id: runId },
          {
            status: 'cancelled',
            finishedAt: now,
            reason: `the sandbox is ${sandbox.status === 'active' ? 'expired' : sandbox.status}; the run did not start`,
          },
        );
        await this.audit.record(manager, {
          action: 'run.finish',
          objectType: 'SandboxRun',
          objectId: runId,
          actorId: null,
          actorOrgId: null,
          details: { status: 'cancelled', reason: 'sandbox not active' },
        });
        return null;
      }
      if (run.status === 'queued') {
        run.status = 'running';
        run.startedAt = now;
        await manager
          .getRepository(SandboxRunEntity)
          .update({ id: runId }, { status: 'running', startedAt: now });
      }
      return { run, sandbox };
    });
  }

  private async pollCancel(runId: string, abort: AbortController): Promise<void> {
    if (abort.signal.aborted) return;
    try {
      const row = await this.dataSource
        .getRepository(SandboxRunEntity)
        .findOne({ where: { id: runId }, select: { id: true, cancelRequestedAt: true } });
      if (row?.cancelRequestedAt) abort.abort();
    } catch (err) {
      this.logger.warn({ err, runId }, 'cancel poll failed');
    }
  }

  private async runIn(
    run: SandboxRunEntity,
    sandbox: SandboxEntity,
    workDir: string,
    signal: AbortSignal,
  ): Promise<Outcome> {
    const codeDir = join(workDir, 'code');
    const outputDir = join(workDir, 'output');
    const empty = { outputs: [], log: Buffer.alloc(0), notes: [] as string[] };
    try {
      await extractBundle(await this.storage.get(Bucket.Runs, run.bundleKey), codeDir, {
        maxBytes: this.config.sandboxes.bundleMaxBytes,
        maxFiles: MAX_BUNDLE_FILES,
      });
    } catch (err) {
      if (err instanceof DomainError)
        return { ...empty, status: 'failed', exitCode: null, reason: err.message, mounts: [], sets: [] };
      throw err;
    }
    const { mounts, specMounts, sets } = await this.mount(run);
    const logChunks: Buffer[] = [];
    const result = await this.driver.run(
      {
        runId: run.id,
        codeDir,
        mounts: specMounts,
        outputDir,
        command: run.command,
        limits: {
          cpus: sandbox.cpus,
          memoryMb: sandbox.memoryMb,
          diskMb: sandbox.diskMb,
          runTimeoutSeconds: sandbox.runTimeoutSeconds,
          maxLogBytes: this.config.sandboxes.logMaxBytes,
        },
      },
      { onLog: (_stream, chunk) => logChunks.push(Buffer.from(chunk)), signal },
    );
    const outputs = await this.uploadOutputs(run.id, outputDir);
    const status: SandboxRunStatus = result.status === 'oom' ? 'failed' : result.status;
    const reason =
      result.status === 'oom'
        ? `out of memory: the run exceeded its ${sandbox.memoryMb} MiB memory quota`
        : result.status === 'timed_out'
          ? `killed after the ${sandbox.runTimeoutSeconds} s time limit`
          : result.status === 'cancelled'
            ? 'cancelled while running'
            : result.status === 'failed'
              ? result.signal
                ? `killed by ${result.signal}`
                : `exited with code ${result.exitCode}`
              : null;
    return {
      status,
      exitCode: result.exitCode,
      reason,
      notes: result.notes,
      result,
      outputs,
      log: Buffer.concat(logChunks),
      mounts,
      sets,
    };
  }

  /** Materializes every active grant's view; one `dataset.mount` audit event per grant and run. */
  private async mount(run: SandboxRunEntity) {
    const grants = await this.dataSource
      .getRepository(DatasetGrantEntity)
      .createQueryBuilder('g')
      .addSelect('g.salt')
      .where('g.sandbox_id = :sandboxId', { sandboxId: run.sandboxId })
      .andWhere(`g.status = 'active'`)
      .orderBy('g.created_at', 'ASC')
      .getMany();
    const mounts: RunMountRecord[] = [];
    const specMounts: { hostPath: string; sandboxPath: string }[] = [];
    const sets: FingerprintSet[] = [];
    const used = new Set<string>();
    for (const g of grants) {
      let name = g.datasetName;
      if (used.has(name)) name = `${g.datasetName}-${g.view}`;
      if (used.has(name)) name = `${g.datasetName}-${g.id.slice(0, 8)}`;
      used.add(name);
      const view = await this.datasets.materialize({
        versionId: g.datasetVersionId,
        view: g.view,
        grantSalt: g.salt ?? Buffer.alloc(32),
      });
      sets.push(await this.datasets.fingerprints(g.datasetVersionId));
      const record: RunMountRecord = {
        grantId: g.id,
        datasetId: g.datasetId,
        datasetVersionId: g.datasetVersionId,
        datasetName: g.datasetName,
        mountPath: `/data/${name}`,
        view: g.view,
        grade: g.grade,
        providerOrgId: g.providerOrgId,
        sha256: view.sha256,
        rowCount: view.rowCount,
      };
      mounts.push(record);
      specMounts.push({ hostPath: view.hostPath, sandboxPath: record.mountPath });
      await this.dataSource.transaction(async (manager) => {
        if (!(await claimOnce(manager, `dataset.mount:${run.id}:${g.id}`))) return;
        await this.audit.record(manager, {
          action: 'dataset.mount',
          objectType: 'DatasetGrant',
          objectId: g.id,
          actorId: null,
          actorOrgId: null,
          details: {
            runId: run.id,
            sandboxId: run.sandboxId,
            datasetVersionId: g.datasetVersionId,
            view: g.view,
            mountPath: record.mountPath,
            sha256: view.sha256,
          },
        });
      });
    }
    await this.dataSource.getRepository(SandboxRunEntity).update({ id: run.id }, { mounts });
    return { mounts, specMounts, sets };
  }

  private async uploadOutputs(runId: string, outputDir: string): Promise<RunOutputFile[]> {
    const files: RunOutputFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const full = join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) {
          const path = relative(outputDir, full);
          const size = (await stat(full)).size;
          const stored = await this.storage.put(
            Bucket.Outputs,
            runKeys.output(runId, path),
            createReadStream(full),
            {
              maxBytes: Math.max(size, 1),
              contentType: 'application/octet-stream',
            },
          );
          files.push({ path, sizeBytes: stored.sizeBytes, sha256: stored.sha256 });
        }
      }
    };
    await walk(outputDir);
    return files;
  }

  private async finish(run: SandboxRunEntity, o: Outcome): Promise<SandboxRunStatus> {
    const redacted = redactLog(o.log.toString('utf8'), o.sets);
    await this.storage.put(Bucket.Runs, runKeys.log(run.id), Readable.from([o.log]), {
      contentType: 'text/plain; charset=utf-8',
    });
    await this.storage.put(
      Bucket.Runs,
      runKeys.redactedLog(run.id),
      Readable.from([Buffer.from(redacted.text, 'utf8')]),
      {
        contentType: 'text/plain; charset=utf-8',
      },
    );
    return this.dataSource.transaction(async (manager) => {
      if (!(await claimOnce(manager, `sandbox.run:${run.id}`))) {
        const done = await manager.getRepository(SandboxRunEntity).findOneByOrFail({ id: run.id });
        return done.status;
      }
      const current = await manager
        .getRepository(SandboxRunEntity)
        .findOne({ where: { id: run.id }, lock: { mode: 'pessimistic_write' } });
      const cancelled = !!current?.cancelRequestedAt && o.status === 'cancelled';
      const usage = o.result?.usage;
      await manager.getRepository(SandboxRunEntity).update(
        { id: run.id },
        {
          status: o.status,
          exitCode: o.exitCode,
          reason: o.reason,
          notes: o.notes,
          finishedAt: o.result?.finishedAt ?? this.clock.now(),
          startedAt: o.result?.startedAt ?? run.startedAt,
          cpuSeconds: usage?.cpuSeconds ?? 0,
          maxMemoryMb: usage?.maxMemoryMb ?? 0,
          wallSeconds: usage?.wallSeconds ?? 0,
          outputs: o.outputs,
          mounts: o.mounts,
          logBytes: o.log.length,
          logTruncated: o.result?.logTruncated ?? false,
          redactedLines: redacted.redactedLines,
        },
      );
      await this.audit.record(manager, {
        action: 'run.finish',
        objectType: 'SandboxRun',
        objectId: run.id,
        actorId: null,
        actorOrgId: null,
        details: {
          status: o.status,
          exitCode: o.exitCode,
          reason: o.reason,
          cancelled,
          cpuSeconds: usage?.cpuSeconds ?? 0,
          maxMemoryMb: usage?.maxMemoryMb ?? 0,
          outputs: o.outputs.length,
          redactedLines: redacted.redactedLines,
        },
      });
      return o.status;
    });
  }
}
