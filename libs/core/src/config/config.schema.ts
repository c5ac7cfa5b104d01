import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every environment variable the platform reads. `.env.example` documents each one;
 * the defaults marked "dev only" must be overridden in production (validation enforces it).
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  TRUST_PROXY: bool.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  // dev only: a local role with a well-known password
  DATABASE_URL: z.string().url().default('postgres://aihub:aihub_dev_only@127.0.0.1:5432/aihub'),
  // used only by setup and tests to create roles and databases; never by the running platform
  DATABASE_ADMIN_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  DATABASE_SSL: bool.default(false),

  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
  // key prefix, so several instances can share one Redis
  REDIS_PREFIX: z.string().min(1).default('aihub'),

  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_BUCKET_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lowercase letters, digits and dashes')
    .default('aihub'),
  // embedded emulator port when S3_ENDPOINT is unset; 0 picks a free port per process
  S3_EMULATOR_PORT: int(0, 65535).default(0),
  S3_PART_SIZE_MB: int(5, 512).default(8),

  DATA_DIR: z.string().default('.data'),
  DEMO: bool.default(false),
  DEMO_PASSWORD: z.string().min(8).default('Demo#2026'),

  // When unset outside production a random secret is generated once into DATA_DIR/secrets.
  JWT_SECRET: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(30, 24 * 3600).default(900),
  REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(30),

  BOOTSTRAP_OPERATOR_EMAIL: z.string().email().optional(),
  BOOTSTRAP_OPERATOR_PASSWORD: z.string().min(8).optional(),

  LOGIN_MAX_FAILURES_PER_ACCOUNT: int(1, 1000).default(5),
  LOGIN_MAX_ATTEMPTS_PER_IP: int(1, 100000).default(50),
  LOGIN_WINDOW_SECONDS: int(1, 86400).default(900),

  QUEUE_LOCK_DURATION_MS: int(1000, 3600_000).default(30_000),
  QUEUE_STALLED_INTERVAL_MS: int(500, 3600_000).default(30_000),
  QUEUE_CONCURRENCY: int(1, 256).default(4),
  OUTBOX_POLL_INTERVAL_MS: int(50, 60_000).default(500),

  UPLOAD_MAX_MB: int(1, 1024 * 1024).default(2048),
  TIME_ZONE: z.string().default('Asia/Shanghai'),
  AUDIT_RETENTION_DAYS: int(180, 36500).default(180),
  // Ed25519 key signing audit checkpoints: base64 of a 32-byte seed or of a PKCS#8 DER key, or PEM.
  // When unset outside production a key is generated once into DATA_DIR/secrets.
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  // 揭榜挂帅 lifecycle: proposal attachment limit, applications per organization per batch, 公示 period
  ATTACHMENT_MAX_MB: int(1, 1024).default(20),
  APPLICATIONS_PER_BATCH: int(1, 100).default(3),
  PUBLICITY_DAYS: int(1, 90).default(7),
  // GET /stats answers from a Redis cache this many seconds old at most; 0 computes every time
  STATS_CACHE_SECONDS: int(0, 3600).default(5),
  // anonymous catalog pages (GET /scenarios, GET /batches) answer from a Redis cache this many seconds old at most
  CATALOG_CACHE_SECONDS: int(0, 600).default(2),
  // POST /evaluation/score requests per user per minute
  EVALUATION_SCORE_CHECKS_PER_MINUTE: int(1, 10_000).default(30),
  // sandbox runtime (docs/sandbox-runtime.md)
  SANDBOX_DRIVER: z.enum(['bwrap', 'kubernetes']).default('bwrap'),
  SANDBOX_USER: z
    .string()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a system account name')
    .refine((v) => v !== 'root', 'must not be root')
    .default('sbx'),
  // unset = DATA_DIR/sandbox; may stay private (inputs are bound in a private mount namespace)
  SANDBOX_WORK_DIR: z.string().optional(),
  SANDBOX_TMP_MB: int(1, 65536).default(64),
  SANDBOX_K8S_NAMESPACE: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a Kubernetes namespace name')
    .default('aihub-sandbox'),
  SANDBOX_K8S_RUNTIME_CLASS: z.string().min(1).default('gvisor'),
  SANDBOX_K8S_IMAGE: z.string().min(1).default('python:3.12-slim'),
  // ReadWriteMany claim mounted by the workers at DATA_DIR and read-only by the run pods
  SANDBOX_K8S_SHARED_PVC: z.string().min(1).optional(),
  // expert review: a score whose total (0–100) is below this needs a comment; the PDF report's CJK font
  REVIEW_COMMENT_THRESHOLD: int(0, 100).default(60),
  REPORT_FONT_PATH: z.string().min(1).optional(),
  // sandboxes, runs and the export airlock (docs/sandboxes.md): default quota of a new sandbox and limits
  SANDBOX_CPUS: z.coerce.number().min(0.1).max(64).default(1),
  SANDBOX_MEMORY_MB: int(64, 262144).default(1024),
  SANDBOX_DISK_MB: int(1, 1048576).default(1024),
  SANDBOX_RUN_TIMEOUT_SECONDS: int(1, 86400).default(600),
  SANDBOX_BUNDLE_MAX_MB: int(1, 10240).default(100),
  SANDBOX_LOG_MAX_KB: int(1, 1048576).default(1024),
  EXPORT_MAX_MB: int(1, 10240).default(50),
  EXPORT_SMALL_CELL_THRESHOLD: int(1, 1000).default(10),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(15_000),
});

export type RawConfig = z.infer<typeof configSchema>;
