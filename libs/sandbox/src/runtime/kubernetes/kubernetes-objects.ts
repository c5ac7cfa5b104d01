import { isAbsolute, relative, sep } from 'node:path';
import type {
  V1Container,
  V1Job,
  V1NetworkPolicy,
  V1SecurityContext,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { BASE_ENV } from '../bwrap/bwrap-command';
import { ValidRunSpec } from '../run-spec.validation';
import { InvalidRunSpecError } from '../runtime.errors';

/**
 * Pure builders of the Kubernetes objects of one run (unit-tested on the generated objects): a Job whose
 * pod runs the command under gVisor with every hardening Kubernetes offers, and a NetworkPolicy that
 * denies all ingress and egress of that pod. See docs/sandbox-runtime.md.
 *
 * Inputs reach the pod through one shared ReadWriteMany volume (`sharedVolumeClaim`) that the worker
 * mounts at `sharedRoot` (its DATA_DIR): `codeDir` and every mount's `hostPath` must lie below it and are
 * mounted read-only by subPath. `/tmp` and `/output` are size-limited emptyDirs. A second, idle container
 * (`collect`) sees `/output` read-only so the driver can stream it out (tar over exec) once `run` ended.
 */

export interface KubernetesRunConfig {
  namespace: string;
  runtimeClassName: string;
  image: string;
  sharedVolumeClaim: string;
  sharedRoot: string;
  tmpMb: number;
  /** uid/gid of both containers (default 65534, nobody). */
  runAsUser?: number;
  /** Seconds the finished Job stays for inspection before Kubernetes deletes it (default 600). */
  ttlSecondsAfterFinished?: number;
  /** Extra seconds past the run timeout the Job may live, for collecting /output (default 300). */
  collectGraceSeconds?: number;
}

export const LABEL_RUN_ID = 'aihub.io/run-id';
export const LABEL_ROLE = 'aihub.io/role';
export const RUN_CONTAINER = 'run';
export const COLLECT_CONTAINER = 'collect';

/** A DNS-1123 label from a run id: `aihub-run-<id>`, lower case, at most 63 characters. */
export function jobName(runId: string): string {
  const clean = runId
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `aihub-run-${clean}`.slice(0, 63).replace(/-$/, '');
}

/** Label values allow [A-Za-z0-9._-], at most 63, alphanumeric at both ends. */
export function labelValue(runId: string): string {
  return runId
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** The path of `hostPath` inside the shared volume, or an error when it lies outside. */
export function sharedSubPath(sharedRoot: string, hostPath: string, what: string): string {
  const rel = relative(sharedRoot, hostPath);
  if (!rel || rel.startsWith('..') || isAbsolute(rel))
    throw new InvalidRunSpecError([`${what} ${hostPath} is not inside the shared volume root ${sharedRoot}`]);
  return rel.split(sep).join('/');
}

const quantityCpu = (cpus: number) => `${Math.max(1, Math.round(cpus * 1000))}m`;
const mebibytes = (mb: number) => `${Math.ceil(mb)}Mi`;

function hardenedContext(uid: number): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
    procMount: 'Default',
  };
}

export function buildRunJob(spec: ValidRunSpec, cfg: KubernetesRunConfig): V1Job {
  const name = jobName(spec.runId);
  const uid = cfg.runAsUser ?? 65534;
  const labels = {
    'app.kubernetes.io/managed-by': 'aihub',
    [LABEL_ROLE]: 'sandbox-run',
    [LABEL_RUN_ID]: labelValue(spec.runId),
  };
  const dataMounts: V1VolumeMount[] = spec.mounts.map((m) => ({
    name: 'shared',
    mountPath: m.sandboxPath,
    subPath: sharedSubPath(cfg.sharedRoot, m.hostPath, `mount ${m.sandboxPath}`),
    readOnly: true,
  }));
  const runContainer: V1Container = {
    name: RUN_CONTAINER,
    image: cfg.image,
    imagePullPolicy: 'IfNotPresent',
    command: spec.command,
    workingDir: '/code',
    env: Object.entries({ ...BASE_ENV, ...spec.env }).map(([name, value]) => ({ name, value })),
    resources: {
      requests: {
        cpu: quantityCpu(spec.limits.cpus),
        memory: mebibytes(spec.limits.memoryMb),
        'ephemeral-storage': mebibytes(spec.limits.diskMb + cfg.tmpMb),
      },
      limits: {
        cpu: quantityCpu(spec.limits.cpus),
        memory: mebibytes(spec.limits.memoryMb),
        'ephemeral-storage': mebibytes(spec.limits.diskMb + cfg.tmpMb),
      },
    },
    securityContext: hardenedContext(uid),
    volumeMounts: [
      {
        name: 'shared',
        mountPath: '/code',
        subPath: sharedSubPath(cfg.sharedRoot, spec.codeDir, 'codeDir'),
        readOnly: true,
      },
      ...dataMounts,
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'output', mountPath: '/output' },
    ],
    stdin: false,
    tty: false,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const deadline = Math.ceil(spec.limits.runTimeoutSeconds) + (cfg.collectGraceSeconds ?? 300);
  const collectContainer: V1Container = {
    name: COLLECT_CONTAINER,
    image: cfg.image,
    imagePullPolicy: 'IfNotPresent',
    // idles until the driver has streamed /output out (tar over exec) and deletes the Job
    command: ['sleep', String(deadline)],
    resources: {
      requests: { cpu: '10m', memory: '16Mi' },
      limits: { cpu: '200m', memory: '64Mi' },
    },
    securityContext: hardenedContext(uid),
    volumeMounts: [{ name: 'output', mountPath: '/output', readOnly: true }],
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: cfg.namespace, labels },
    spec: {
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: cfg.ttlSecondsAfterFinished ?? 600,
      template: {
        metadata: { labels },
        spec: {
          runtimeClassName: cfg.runtimeClassName,
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          hostNetwork: false,
          hostPID: false,
          hostIPC: false,
          shareProcessNamespace: false,
          // no cluster DNS configuration reaches the pod (egress is denied anyway)
          dnsPolicy: 'None',
          dnsConfig: { nameservers: ['127.0.0.1'] },
          terminationGracePeriodSeconds: 1,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: uid,
            runAsGroup: uid,
            fsGroup: uid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [runContainer, collectContainer],
          volumes: [
            {
              name: 'shared',
              persistentVolumeClaim: { claimName: cfg.sharedVolumeClaim, readOnly: true },
            },
            { name: 'tmp', emptyDir: { sizeLimit: mebibytes(cfg.tmpMb) } },
            { name: 'output', emptyDir: { sizeLimit: mebibytes(spec.limits.diskMb) } },
          ],
        },
      },
    },
  };
}

/** Denies every ingress and egress of the run's pod (an empty rule list for both directions). */
export function buildRunNetworkPolicy(spec: ValidRunSpec, cfg: KubernetesRunConfig): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: jobName(spec.runId),
      namespace: cfg.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'aihub', [LABEL_RUN_ID]: labelValue(spec.runId) },
    },
    spec: {
      podSelector: { matchLabels: { [LABEL_RUN_ID]: labelValue(spec.runId) } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    },
  };
}
