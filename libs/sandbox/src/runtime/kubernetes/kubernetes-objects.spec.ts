import { validateRunSpec } from '../run-spec.validation';
import { InvalidRunSpecError } from '../runtime.errors';
import {
  buildRunJob,
  buildRunNetworkPolicy,
  COLLECT_CONTAINER,
  jobName,
  KubernetesRunConfig,
  LABEL_RUN_ID,
  labelValue,
  RUN_CONTAINER,
  sharedSubPath,
} from './kubernetes-objects';

const cfg: KubernetesRunConfig = {
  namespace: 'aihub-sandbox',
  runtimeClassName: 'gvisor',
  image: 'registry.example/aihub-runner:1',
  sharedVolumeClaim: 'aihub-data',
  sharedRoot: '/var/lib/aihub',
  tmpMb: 64,
};

const spec = validateRunSpec({
  runId: 'Run_42.a',
  codeDir: '/var/lib/aihub/runs/42/code',
  mounts: [{ hostPath: '/var/lib/aihub/views/abc', sandboxPath: '/data/traffic' }],
  outputDir: '/var/lib/aihub/runs/42/out',
  command: ['python3', 'main.py'],
  env: { MODE: 'eval' },
  limits: { cpus: 1.5, memoryMb: 2048, diskMb: 500, runTimeoutSeconds: 600, maxLogBytes: 1_000_000 },
});

describe('kubernetes objects of a run', () => {
  const job = buildRunJob(spec, cfg);
  const pod = job.spec!.template.spec!;
  const run = pod.containers.find((c) => c.name === RUN_CONTAINER)!;
  const collect = pod.containers.find((c) => c.name === COLLECT_CONTAINER)!;

  it('is a batch/v1 Job in the sandbox namespace, never retried, with a deadline and a TTL', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    expect(job.metadata).toMatchObject({ name: 'aihub-run-run-42-a', namespace: 'aihub-sandbox' });
    expect(job.spec).toMatchObject({
      backoffLimit: 0,
      completions: 1,
      parallelism: 1,
      activeDeadlineSeconds: 600 + 300,
      ttlSecondsAfterFinished: 600,
    });
    expect(buildRunJob(spec, { ...cfg, collectGraceSeconds: 60 }).spec!.activeDeadlineSeconds).toBe(660);
    expect(pod.restartPolicy).toBe('Never');
  });

  it('runs under gVisor with no service-account token, host namespaces or service links', () => {
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod).toMatchObject({
      hostNetwork: false,
      hostPID: false,
      hostIPC: false,
      shareProcessNamespace: false,
    });
    expect(pod.dnsPolicy).toBe('None');
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('hardens both containers: non-root, read-only root, all capabilities dropped, no escalation, RuntimeDefault seccomp', () => {
    for (const c of [run, collect]) {
      expect(c.securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
        procMount: 'Default',
      });
      expect(c.resources?.limits).toBeDefined();
      expect(c.resources?.requests).toBeDefined();
    }
    expect(
      buildRunJob(spec, { ...cfg, runAsUser: 1234 }).spec!.template.spec!.containers[0].securityContext!
        .runAsUser,
    ).toBe(1234);
  });

  it('sets requests = limits from the quota (CPU in millicores, memory and ephemeral storage in MiB)', () => {
    const expected = { cpu: '1500m', memory: '2048Mi', 'ephemeral-storage': '564Mi' };
    expect(run.resources).toEqual({ requests: expected, limits: expected });
  });

  it('runs the argv in /code with the sandbox environment only', () => {
    expect(run.command).toEqual(['python3', 'main.py']);
    expect(run.args).toBeUndefined();
    expect(run.workingDir).toBe('/code');
    expect(run.env).toEqual([
      { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' },
      { name: 'HOME', value: '/tmp' },
      { name: 'LANG', value: 'C.UTF-8' },
      { name: 'MODE', value: 'eval' },
    ]);
    expect(run.envFrom).toBeUndefined();
    expect(run.stdin).toBe(false);
    expect(run.tty).toBe(false);
  });

  it('mounts code and data read-only from the shared claim, /tmp and /output as size-limited emptyDirs', () => {
    expect(run.volumeMounts).toEqual([
      { name: 'shared', mountPath: '/code', subPath: 'runs/42/code', readOnly: true },
      { name: 'shared', mountPath: '/data/traffic', subPath: 'views/abc', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'output', mountPath: '/output' },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'shared', persistentVolumeClaim: { claimName: 'aihub-data', readOnly: true } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      { name: 'output', emptyDir: { sizeLimit: '500Mi' } },
    ]);
    // the collector only sees /output, read-only
    expect(collect.volumeMounts).toEqual([{ name: 'output', mountPath: '/output', readOnly: true }]);
    expect(collect.command).toEqual(['sleep', '900']);
  });

  it('labels the pod so that exactly its NetworkPolicy selects it', () => {
    const policy = buildRunNetworkPolicy(spec, cfg);
    expect(job.spec!.template.metadata!.labels![LABEL_RUN_ID]).toBe('Run_42.a');
    expect(policy.spec!.podSelector!.matchLabels).toEqual({ [LABEL_RUN_ID]: 'Run_42.a' });
  });

  it('denies all ingress and egress of the pod in its NetworkPolicy', () => {
    const policy = buildRunNetworkPolicy(spec, cfg);
    expect(policy).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'aihub-run-run-42-a', namespace: 'aihub-sandbox' },
    });
    expect(policy.spec!.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec!.ingress).toEqual([]);
    expect(policy.spec!.egress).toEqual([]);
  });

  it('refuses inputs outside the shared volume', () => {
    expect(() =>
      buildRunJob({ ...spec, mounts: [{ hostPath: '/etc', sandboxPath: '/data/etc' }] }, cfg),
    ).toThrow(InvalidRunSpecError);
    expect(() => buildRunJob({ ...spec, codeDir: '/var/lib/aihub-other/code' }, cfg)).toThrow(
      /not inside the shared volume/,
    );
    expect(() => sharedSubPath('/var/lib/aihub', '/var/lib/aihub', 'x')).toThrow(InvalidRunSpecError);
    expect(sharedSubPath('/var/lib/aihub', '/var/lib/aihub/a/b', 'x')).toBe('a/b');
  });

  it('derives DNS-1123 job names and valid label values from any run id', () => {
    expect(jobName('ABC_def.1')).toBe('aihub-run-abc-def-1');
    expect(jobName('x'.repeat(64))).toHaveLength(63);
    expect(jobName(`${'a'.repeat(52)}-b`)).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(labelValue('.abc.')).toBe('abc');
    expect(labelValue('a'.repeat(80))).toHaveLength(63);
  });
});
