import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { extractBundle } from '@aihub/sandbox/bundle/safe-extract';
import { RUNTIME_DRIVER, type RuntimeDriver } from '@aihub/sandbox/runtime/runtime-driver.port';
import { SandboxRuntimeModule } from '@aihub/sandbox/runtime/sandbox-runtime.module';
import { Bucket, OBJECT_STORAGE, ObjectStorage } from '@aihub/storage';
import type { EvaluationPhaseEntity } from '../entities/evaluation-phase.entity';
import { EvaluationSpecEntity } from '../entities/evaluation-spec.entity';
import type { SubmissionEntity } from '../entities/submission.entity';
import { CODE_RUNNER, type CodeRunner } from './code-runner';
import { filesUnder, openFile, redactLines } from './log-redaction';
import { SubmitterFailure } from './scoring.service';

const MiB = 1024 * 1024;
const LOG_TAIL_LINES = 20;
const MAX_LOG_BYTES = 1 * MiB;
/** where the hidden test inputs appear inside the run (the runtime mounts datasets under /data/<name>) */
export const INPUTS_MOUNT = '/data/test';
export const DEFAULT_RUN_COMMAND = ['python3', 'main.py'];

/** Keeps the last lines of a run's output (stdout and stderr interleaved as they arrive). */
class LogTail {
  private lines: string[] = [];
  private partial = '';

  push(chunk: Buffer) {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > LOG_TAIL_LINES * 4) this.lines = this.lines.slice(-LOG_TAIL_LINES);
  }

  tail(): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-LOG_TAIL_LINES).map((l) => (l.length > 500 ? `${l.slice(0, 499)}…` : l));
  }
}

/**
 * Code submissions: the bundle (.tar.gz) is extracted safely, run by the sandbox runtime with the phase's hidden
 * test inputs read-only at /data/test, no network and the phase's limits; it must write /output/predictions.csv
 * (or .json). Failures are the submitter's (timeout, out of memory, crashed with exit code and the last log lines
 * — redacted of hidden data —, no predictions file); invalid predictions fail later in the scorer.
 */
@Injectable()
export class SandboxCodeRunner implements CodeRunner {
  constructor(
    @Inject(RUNTIME_DRIVER) private readonly driver: RuntimeDriver,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async run(submission: SubmissionEntity, phase: EvaluationPhaseEntity, signal?: AbortSignal) {
    const base = await mkdtemp(join(tmpdir(), 'aihub-eval-'));
    await chmod(base, 0o755);
    const cleanup = () => rm(base, { recursive: true, force: true });
    try {
      const codeDir = join(base, 'code');
      await extractBundle(await this.storage.get(Bucket.Submissions, submission.storageKey), codeDir, {
        maxBytes: Math.max(phase.maxFileMb, 1) * 4 * MiB,
        maxFiles: 10_000,
      });
      const mounts = [];
      let inputsDir: string | undefined;
      if (phase.inputsKey) {
        inputsDir = join(base, 'inputs');
        await extractBundle(await this.storage.get(Bucket.GroundTruth, phase.inputsKey), inputsDir, {
          maxBytes: 64 * 1024 * MiB,
          maxFiles: 1_000_000,
        });
        mounts.push({ hostPath: inputsDir, sandboxPath: INPUTS_MOUNT });
      }
      const outputDir = join(base, 'output');
      const limits = phase.codeLimits ?? { cpus: 1, memoryMb: 1024, runTimeoutSeconds: 600, diskMb: 256 };
      const logs = new LogTail();
      const result = await this.driver.run(
        {
          runId: `eval-${submission.id}-${submission.attempts}`.slice(0, 64),
          codeDir,
          mounts,
          outputDir,
          command: phase.command ?? DEFAULT_RUN_COMMAND,
          env: { AIHUB_INPUTS: INPUTS_MOUNT },
          limits: { ...limits, maxLogBytes: MAX_LOG_BYTES },
        },
        { onLog: (_s, chunk) => logs.push(chunk), signal },
      );
      if (result.status === 'cancelled') throw new Error('the code run was cancelled (worker shutting down)');
      const logTail = () => this.redacted(logs.tail(), inputsDir, phase.scenarioId);
      if (result.status === 'timed_out')
        throw new SubmitterFailure({
          code: 'CODE_TIMEOUT',
          detail: `The code did not finish within the phase's limit of ${limits.runTimeoutSeconds} s (${result.notes.join('; ')}).`,
          exitCode: result.exitCode,
          logTail: await logTail(),
        });
      if (result.status === 'oom')
        throw new SubmitterFailure({
          code: 'CODE_OUT_OF_MEMORY',
          detail: `The code ran out of memory (limit ${limits.memoryMb} MiB).`,
          exitCode: result.exitCode,
          logTail: await logTail(),
        });
      if (result.status !== 'succeeded')
        throw new SubmitterFailure({
          code: 'CODE_CRASHED',
          detail: `The code exited with ${result.exitCode !== null ? `code ${result.exitCode}` : `signal ${result.signal}`}${result.notes.length ? ` (${result.notes.join('; ')})` : ''}.`,
          exitCode: result.exitCode,
          logTail: await logTail(),
        });
      for (const name of ['predictions.csv', 'predictions.json']) {
        const file = join(outputDir, name);
        const found = await stat(file).catch(() => null);
        if (found?.isFile()) return { open: () => Promise.resolve(createReadStream(file)), cleanup };
      }
      throw new SubmitterFailure({
        code: 'CODE_NO_PREDICTIONS',
        detail: 'The code finished but wrote neither /output/predictions.csv nor /output/predictions.json.',
        exitCode: result.exitCode,
        logTail: await logTail(),
      });
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  private async redacted(
    lines: string[],
    inputsDir: string | undefined,
    scenarioId: string,
  ): Promise<string[]> {
    const sources: (() => Promise<Readable>)[] = inputsDir ? (await filesUnder(inputsDir)).map(openFile) : [];
    const spec = await this.dataSource.getRepository(EvaluationSpecEntity).findOne({ where: { scenarioId } });
    if (spec?.groundTruthKey) {
      const key = spec.groundTruthKey;
      sources.push(() => this.storage.get(Bucket.GroundTruth, key));
    }
    return redactLines(lines, sources);
  }
}

/** Worker only: code submissions through the sandbox runtime (`SANDBOX_DRIVER`). */
@Global()
@Module({
  imports: [SandboxRuntimeModule.forRoot()],
  providers: [SandboxCodeRunner, { provide: CODE_RUNNER, useExisting: SandboxCodeRunner }],
  exports: [CODE_RUNNER],
})
export class EvaluationCodeRunnerModule {}
