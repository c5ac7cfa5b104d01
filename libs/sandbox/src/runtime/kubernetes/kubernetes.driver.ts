import { readdir, rmdir } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { extractBundle } from '../../bundle/safe-extract';
import type { SandboxLogger } from '../bwrap/bwrap.driver';
import { LogCapture } from '../log-capture';
import { validateRunSpec } from '../run-spec.validation';
import { RunHooks, RunResult, RunSpec, RunStatus, RuntimeDriver } from '../runtime-driver.port';
import { InvalidRunSpecError, SandboxRuntimeError } from '../runtime.errors';
import {
  buildRunJob,
  buildRunNetworkPolicy,
  COLLECT_CONTAINER,
  jobName,
  KubernetesRunConfig,
  RUN_CONTAINER,
} from './kubernetes-objects';

type K8s = typeof import('@kubernetes/client-node');

const POLL_MS = 1000;
/** How long a pod may stay unscheduled / pulling before the run is failed as a platform error. */
const START_TIMEOUT_MS = 5 * 60_000;

export interface KubernetesDriverOptions extends KubernetesRunConfig {
  logger?: SandboxLogger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs each command as a Kubernetes Job (gVisor, non-root, read-only root, no capabilities, no service
 * account token, deny-all NetworkPolicy) through the official client, `@kubernetes/client-node`, which is
 * loaded on first use. Not exercised against a cluster in this repository's tests (there is none); the
 * objects it submits are unit-tested in kubernetes-objects.spec.ts. See docs/sandbox-runtime.md.
 *
 * Differences from the bubblewrap driver: CPU seconds and peak memory are not measured (they need the
 * metrics API), and a timed-out or cancelled run returns no outputs (its pod is deleted).
 */
export class KubernetesDriver implements RuntimeDriver {
  readonly name = 'kubernetes';
  private readonly logger: SandboxLogger;
  private client?: Promise<{ k8s: K8s; kc: InstanceType<K8s['KubeConfig']> }>;

  constructor(private readonly options: KubernetesDriverOptions) {
    this.logger = options.logger ?? new Logger('KubernetesDriver');
  }

  private connect() {
    this.client ??= import('@kubernetes/client-node').then((k8s) => {
      const kc = new k8s.KubeConfig();
      kc.loadFromDefault(); // in-cluster service account, or KUBECONFIG / ~/.kube/config
      return { k8s, kc };
    });
    return this.client;
  }

  async run(spec: RunSpec, hooks: RunHooks = {}): Promise<RunResult> {
    const valid = validateRunSpec(spec);
    const job = buildRunJob(valid, this.options); // also checks the paths against the shared volume
    const policy = buildRunNetworkPolicy(valid, this.options);
    const existing = await readdir(valid.outputDir).catch(() => null);
    if (existing?.length) throw new InvalidRunSpecError([`outputDir ${valid.outputDir} is not empty`]);
    if (existing) await rmdir(valid.outputDir);

    const now = new Date();
    if (hooks.signal?.aborted)
      return this.result('cancelled', null, null, now, now, false, ['cancelled before it started']);

    const { k8s, kc } = await this.connect();
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const net = kc.makeApiClient(k8s.NetworkingV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const namespace = this.options.namespace;
    const name = jobName(valid.runId);
    const notes: string[] = [];
    const logs = new LogCapture(valid.limits.maxLogBytes, hooks.onLog);
    let logAbort: AbortController | null = null;

    // the policy first: the pod must never exist without it
    await net.createNamespacedNetworkPolicy({ namespace, body: policy });
    try {
      await batch.createNamespacedJob({ namespace, body: job });
      const startedWaiting = Date.now();
      let runStartedAt: number | null = null;
      let reason: 'timeout' | 'cancel' | null = null;
      let pod: V1Pod | undefined;
      let status: V1ContainerStatus | undefined;

      for (;;) {
        if (hooks.signal?.aborted) reason = 'cancel';
        else if (runStartedAt && Date.now() - runStartedAt > valid.limits.runTimeoutSeconds * 1000)
          reason = 'timeout';
        if (reason) break;
        const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
        pod = pods.items[0];
        status = pod?.status?.containerStatuses?.find((c) => c.name === RUN_CONTAINER);
        if (status?.state?.running || status?.state?.terminated) {
          runStartedAt ??= Date.now();
          if (!logAbort && pod?.metadata?.name) {
            const sink = new Writable({
              write(chunk: Buffer, _enc, done) {
                logs.push('stdout', chunk); // the API merges stdout and stderr
                done();
              },
            });
            logAbort = await new k8s.Log(kc).log(namespace, pod.metadata.name, RUN_CONTAINER, sink, {
              follow: true,
            });
          }
        }
        if (status?.state?.terminated) break;
        const waiting = status?.state?.waiting?.reason;
        if (!runStartedAt && Date.now() - startedWaiting > START_TIMEOUT_MS)
          throw new SandboxRuntimeError(
            `run ${valid.runId}: pod did not start (${waiting ?? pod?.status?.phase})`,
          );
        if (
          waiting &&
          /ErrImagePull|ImagePullBackOff|CreateContainerConfigError|InvalidImageName/.test(waiting)
        )
          throw new SandboxRuntimeError(`run ${valid.runId}: pod cannot start: ${waiting}`);
        await sleep(POLL_MS);
      }

      const terminated = status?.state?.terminated;
      const startedAt = terminated?.startedAt ? new Date(terminated.startedAt) : now;
      const finishedAt = terminated?.finishedAt ? new Date(terminated.finishedAt) : new Date();
      if (reason === 'timeout')
        return this.result('timed_out', null, 'SIGKILL', startedAt, finishedAt, logs.truncated, [
          `wall-clock limit of ${valid.limits.runTimeoutSeconds} s reached (outputs of timed-out runs are not collected)`,
        ]);
      if (reason === 'cancel')
        return this.result('cancelled', null, 'SIGKILL', startedAt, finishedAt, logs.truncated, []);

      const exitCode = terminated?.exitCode ?? null;
      const oom = terminated?.reason === 'OOMKilled';
      let runStatus: RunStatus = oom ? 'oom' : exitCode === 0 ? 'succeeded' : 'failed';
      if (oom) notes.push('memory limit reached (OOMKilled)');
      if (pod?.status?.reason === 'DeadlineExceeded') {
        runStatus = 'timed_out';
        notes.push('Job deadline exceeded');
      }

      // stream /output out of the idle collect container and extract it with the bundle safety rules
      if (pod?.metadata?.name) {
        const tarStream = new PassThrough();
        const extraction = extractBundle(tarStream, valid.outputDir, {
          maxBytes: valid.limits.diskMb * 1024 * 1024,
          maxFiles: 100_000,
          compression: 'none',
          unsupported: 'skip',
        });
        // observed below; this only keeps an early refusal from being reported as unhandled meanwhile
        extraction.catch(() => undefined);
        try {
          await new k8s.Exec(kc).exec(
            namespace,
            pod.metadata.name,
            COLLECT_CONTAINER,
            ['tar', '-C', '/output', '-cf', '-', '.'],
            tarStream,
            null,
            null,
            false,
            () => tarStream.end(),
          );
        } catch (err) {
          // end the extraction too (it removes its partial folder), then report the platform fault
          tarStream.destroy(err as Error);
          await extraction.catch(() => undefined);
          throw new SandboxRuntimeError(
            `run ${valid.runId}: collecting /output failed: ${(err as Error).message}`,
            {
              cause: err,
            },
          );
        }
        const out = await extraction;
        if (out.skipped.length) notes.push(`outputs not copied: ${out.skipped.join(', ')}`);
      }
      if (logs.truncated) notes.push(`log truncated at ${valid.limits.maxLogBytes} bytes`);
      notes.push('CPU seconds and peak memory are not measured by the Kubernetes driver');
      return this.result(
        runStatus,
        oom ? null : exitCode,
        oom ? 'SIGKILL' : null,
        startedAt,
        finishedAt,
        logs.truncated,
        notes,
      );
    } finally {
      (logAbort as AbortController | null)?.abort();
      await batch
        .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
        .catch((err: Error) => this.logger.warn(`run ${valid.runId}: deleting Job ${name}: ${err.message}`));
      await net
        .deleteNamespacedNetworkPolicy({ name, namespace })
        .catch((err: Error) =>
          this.logger.warn(`run ${valid.runId}: deleting NetworkPolicy ${name}: ${err.message}`),
        );
    }
  }

  private result(
    status: RunStatus,
    exitCode: number | null,
    signal: string | null,
    startedAt: Date,
    finishedAt: Date,
    logTruncated: boolean,
    notes: string[],
  ): RunResult {
    return {
      status,
      exitCode,
      signal,
      startedAt,
      finishedAt,
      usage: {
        cpuSeconds: 0,
        maxMemoryMb: 0,
        wallSeconds: Math.max(0, (finishedAt.getTime() - startedAt.getTime()) / 1000),
      },
      logTruncated,
      notes,
    };
  }
}
