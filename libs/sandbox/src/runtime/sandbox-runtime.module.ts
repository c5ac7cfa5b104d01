import { DynamicModule, Inject, Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@aihub/core';
import { BwrapDriver } from './bwrap/bwrap.driver';
import { KubernetesDriver } from './kubernetes/kubernetes.driver';
import { RUNTIME_DRIVER, RuntimeDriver } from './runtime-driver.port';

/** The driver `SANDBOX_DRIVER` names, configured from the validated config. Nothing touches the host yet. */
export function createRuntimeDriver(config: AppConfig): RuntimeDriver {
  const s = config.sandbox;
  if (s.driver === 'kubernetes') {
    if (!s.kubernetes.sharedVolumeClaim)
      throw new Error('SANDBOX_K8S_SHARED_PVC is required by the kubernetes driver');
    return new KubernetesDriver({
      namespace: s.kubernetes.namespace,
      runtimeClassName: s.kubernetes.runtimeClassName,
      image: s.kubernetes.image,
      sharedVolumeClaim: s.kubernetes.sharedVolumeClaim,
      sharedRoot: s.kubernetes.sharedRoot,
      tmpMb: s.tmpMb,
    });
  }
  return new BwrapDriver({ user: s.user, workDir: s.workDir, tmpMb: s.tmpMb });
}

/** Ends the driver's background work (cleanups, the spare cgroup, helpers) when the app closes. */
@Injectable()
class RuntimeDriverCloser implements OnModuleDestroy {
  constructor(@Inject(RUNTIME_DRIVER) private readonly driver: RuntimeDriver) {}

  async onModuleDestroy(): Promise<void> {
    await this.driver.close?.();
  }
}

/**
 * Provides {@link RUNTIME_DRIVER} (the {@link RuntimeDriver} port) chosen by `SANDBOX_DRIVER`; needs the
 * global `APP_CONFIG`. The bwrap driver prepares the host (sandbox user, cgroups, self-test) on its first
 * run, or when the worker calls `init()` at start-up; importing the module is free.
 */
@Module({})
export class SandboxRuntimeModule {
  static forRoot(): DynamicModule {
    return {
      module: SandboxRuntimeModule,
      providers: [
        { provide: RUNTIME_DRIVER, inject: [APP_CONFIG], useFactory: createRuntimeDriver },
        RuntimeDriverCloser,
      ],
      exports: [RUNTIME_DRIVER],
    };
  }
}
