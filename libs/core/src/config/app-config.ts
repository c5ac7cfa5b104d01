import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { configSchema, RawConfig } from './config.schema';

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

/** Typed, validated configuration. Built once per process by {@link loadConfig}. */
export interface AppConfig {
  env: RawConfig['NODE_ENV'];
  isProduction: boolean;
  http: { host: string; port: number; publicUrl?: string; trustProxy: boolean };
  log: { level: RawConfig['LOG_LEVEL']; pretty: boolean };
  database: { url: string; adminUrl: string; poolSize: number; ssl: boolean };
  redis: { url: string; prefix: string };
  storage: {
    endpoint?: string;
    accessKey: string;
    secretKey: string;
    region: string;
    bucketPrefix: string;
    emulator: boolean;
    emulatorPort: number;
    emulatorDir: string;
    partSizeBytes: number;
  };
  dataDir: string;
  demo: { enabled: boolean; password: string };
  auth: {
    jwtSecret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlDays: number;
    bootstrapOperator?: { email: string; password: string };
    loginMaxFailuresPerAccount: number;
    loginMaxAttemptsPerIp: number;
    loginWindowSeconds: number;
  };
  queue: {
    lockDurationMs: number;
    stalledIntervalMs: number;
    concurrency: number;
    outboxPollIntervalMs: number;
  };
  uploads: { maxBytes: number };
  timeZone: string;
  audit: { retentionDays: number; signingKey: string };
  lifecycle: { attachmentMaxBytes: number; applicationsPerBatch: number; publicityDays: number };
  stats: { cacheSeconds: number };
  catalog: { cacheSeconds: number };
  evaluation: { scoreChecksPerMinute: number };
  review: { commentThreshold: number; reportFontPath: string | undefined };
  sandbox: {
    driver: RawConfig['SANDBOX_DRIVER'];
    user: string;
    workDir: string;
    tmpMb: number;
    kubernetes: {
      namespace: string;
      runtimeClassName: string;
      image: string;
      sharedVolumeClaim?: string;
      /** where the workers mount the shared claim: DATA_DIR */
      sharedRoot: string;
    };
  };
  sandboxes: {
    defaultQuota: { cpus: number; memoryMb: number; diskMb: number; runTimeoutSeconds: number };
    bundleMaxBytes: number;
    logMaxBytes: number;
    exportMaxBytes: number;
    smallCellThreshold: number;
  };
  shutdownTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** Reads (or creates once) a dev-only secret kept under DATA_DIR so api and worker share it. */
function devSecret(dataDir: string, name: string, bytes = 48): string {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(bytes).toString('base64url');
  try {
    writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // another process created it first
    return readFileSync(file, 'utf8').trim();
  }
}

export function loadConfig(env: Env = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigValidationError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const c = parsed.data;
  const problems: string[] = [];
  const isProduction = c.NODE_ENV === 'production';
  const dataDir = isAbsolute(c.DATA_DIR) ? c.DATA_DIR : resolve(c.DATA_DIR);

  if (isProduction) {
    if (!c.JWT_SECRET) problems.push('JWT_SECRET: required in production (>= 32 characters)');
    if (!c.AUDIT_SIGNING_KEY)
      problems.push('AUDIT_SIGNING_KEY: required in production (Ed25519 key that signs audit checkpoints)');
    if (!c.S3_ENDPOINT)
      problems.push('S3_ENDPOINT: required in production (the embedded emulator is dev/test only)');
    if (c.DATABASE_URL.includes('aihub_dev_only'))
      problems.push('DATABASE_URL: the dev-only password is not allowed in production');
    if (c.DEMO) problems.push('DEMO: demo accounts with a published password are not allowed in production');
  }
  if (c.S3_ENDPOINT && (!c.S3_ACCESS_KEY || !c.S3_SECRET_KEY)) {
    problems.push('S3_ACCESS_KEY/S3_SECRET_KEY: required when S3_ENDPOINT is set');
  }
  if (c.SANDBOX_DRIVER === 'kubernetes' && !c.SANDBOX_K8S_SHARED_PVC) {
    problems.push('SANDBOX_K8S_SHARED_PVC: required when SANDBOX_DRIVER=kubernetes');
  }
  if (!!c.BOOTSTRAP_OPERATOR_EMAIL !== !!c.BOOTSTRAP_OPERATOR_PASSWORD) {
    problems.push('BOOTSTRAP_OPERATOR_EMAIL/BOOTSTRAP_OPERATOR_PASSWORD: set both or neither');
  }
  if (problems.length) throw new ConfigValidationError(problems);

  const bootstrapOperator = c.BOOTSTRAP_OPERATOR_EMAIL
    ? { email: c.BOOTSTRAP_OPERATOR_EMAIL.toLowerCase(), password: c.BOOTSTRAP_OPERATOR_PASSWORD! }
    : c.DEMO
      ? { email: 'operator@demo.aihub', password: c.DEMO_PASSWORD }
      : undefined;

  return {
    env: c.NODE_ENV,
    isProduction,
    http: { host: c.HOST, port: c.PORT, publicUrl: c.PUBLIC_URL, trustProxy: c.TRUST_PROXY },
    log: { level: c.LOG_LEVEL, pretty: c.LOG_PRETTY },
    database: {
      url: c.DATABASE_URL,
      adminUrl: c.DATABASE_ADMIN_URL,
      poolSize: c.DATABASE_POOL_SIZE,
      ssl: c.DATABASE_SSL,
    },
    redis: { url: c.REDIS_URL, prefix: c.REDIS_PREFIX },
    storage: {
      endpoint: c.S3_ENDPOINT,
      // the emulator does not check signatures; these keys only satisfy the client (dev only)
      accessKey: c.S3_ACCESS_KEY ?? 'S3RVER',
      secretKey: c.S3_SECRET_KEY ?? 'S3RVER',
      region: c.S3_REGION,
      bucketPrefix: c.S3_BUCKET_PREFIX,
      emulator: !c.S3_ENDPOINT,
      emulatorPort: c.S3_EMULATOR_PORT,
      emulatorDir: join(dataDir, 's3'),
      partSizeBytes: c.S3_PART_SIZE_MB * 1024 * 1024,
    },
    dataDir,
    demo: { enabled: c.DEMO, password: c.DEMO_PASSWORD },
    auth: {
      jwtSecret: c.JWT_SECRET ?? devSecret(dataDir, 'jwt-secret'),
      accessTokenTtlSeconds: c.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlDays: c.REFRESH_TOKEN_TTL_DAYS,
      bootstrapOperator,
      loginMaxFailuresPerAccount: c.LOGIN_MAX_FAILURES_PER_ACCOUNT,
      loginMaxAttemptsPerIp: c.LOGIN_MAX_ATTEMPTS_PER_IP,
      loginWindowSeconds: c.LOGIN_WINDOW_SECONDS,
    },
    queue: {
      lockDurationMs: c.QUEUE_LOCK_DURATION_MS,
      stalledIntervalMs: c.QUEUE_STALLED_INTERVAL_MS,
      concurrency: c.QUEUE_CONCURRENCY,
      outboxPollIntervalMs: c.OUTBOX_POLL_INTERVAL_MS,
    },
    uploads: { maxBytes: c.UPLOAD_MAX_MB * 1024 * 1024 },
    timeZone: c.TIME_ZONE,
    audit: {
      retentionDays: c.AUDIT_RETENTION_DAYS,
      // dev/test: a 32-byte Ed25519 seed generated once and kept, so checkpoints stay verifiable
      signingKey: c.AUDIT_SIGNING_KEY ?? devSecret(dataDir, 'audit-signing-key', 32),
    },
    lifecycle: {
      attachmentMaxBytes: c.ATTACHMENT_MAX_MB * 1024 * 1024,
      applicationsPerBatch: c.APPLICATIONS_PER_BATCH,
      publicityDays: c.PUBLICITY_DAYS,
    },
    stats: { cacheSeconds: c.STATS_CACHE_SECONDS },
    catalog: { cacheSeconds: c.CATALOG_CACHE_SECONDS },
    evaluation: { scoreChecksPerMinute: c.EVALUATION_SCORE_CHECKS_PER_MINUTE },
    review: { commentThreshold: c.REVIEW_COMMENT_THRESHOLD, reportFontPath: c.REPORT_FONT_PATH },
    sandbox: {
      driver: c.SANDBOX_DRIVER,
      user: c.SANDBOX_USER,
      workDir: c.SANDBOX_WORK_DIR ? resolve(c.SANDBOX_WORK_DIR) : join(dataDir, 'sandbox'),
      tmpMb: c.SANDBOX_TMP_MB,
      kubernetes: {
        namespace: c.SANDBOX_K8S_NAMESPACE,
        runtimeClassName: c.SANDBOX_K8S_RUNTIME_CLASS,
        image: c.SANDBOX_K8S_IMAGE,
        sharedVolumeClaim: c.SANDBOX_K8S_SHARED_PVC,
        sharedRoot: dataDir,
      },
    },
    sandboxes: {
      defaultQuota: {
        cpus: c.SANDBOX_CPUS,
        memoryMb: c.SANDBOX_MEMORY_MB,
        diskMb: c.SANDBOX_DISK_MB,
        runTimeoutSeconds: c.SANDBOX_RUN_TIMEOUT_SECONDS,
      },
      bundleMaxBytes: c.SANDBOX_BUNDLE_MAX_MB * 1024 * 1024,
      logMaxBytes: c.SANDBOX_LOG_MAX_KB * 1024,
      exportMaxBytes: c.EXPORT_MAX_MB * 1024 * 1024,
      smallCellThreshold: c.EXPORT_SMALL_CELL_THRESHOLD,
    },
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
  };
}
