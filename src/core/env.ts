// The only reader of process.env. Entry points (ingest/cli.ts, the server's runtime, test helpers) call
// loadConfig() once and pass the result down; nothing else looks at the environment.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { FfBinariesChoice } from './media/ffmpeg-binaries.ts';

const booleanString = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((value) => value === '1' || value === 'true' || value === 'yes');

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || isUrlWithProtocol(value, protocols), {
      message: `expected a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
    });

function isUrlWithProtocol(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

const RATE = /^(\d+)\/(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `N/<window>` (e.g. 10/1m, 20/1h) or `off`: at most N requests per window. */
const rateLimit = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => v === 'off' || (RATE.test(v) && Number(RATE.exec(v)![1]) > 0 && Number(RATE.exec(v)![2]) > 0), {
      message: 'expected N/<window> such as 10/1m, 20/1h or 5/30s, or off',
    });

/** Where a crawl may kill itself under test (TEST_CRASH_AT): see ingest/pipeline/crash-points.ts. */
const CRASH_EVENTS = ['unit-handled', 'unit-committed', 'blob-writing', 'blob-written'] as const;
export type CrashEvent = (typeof CRASH_EVENTS)[number];

/** Test only: SIGKILL the process at the `count`-th `event` (of `stage`, when given) of this process. */
export interface CrashPoint {
  event: CrashEvent;
  /** Only units of this stage count (unit events only); null counts every stage. */
  stage: string | null;
  count: number;
}

/** `unit-committed:media:3`, `unit-handled:7`, `blob-writing:2`; null when malformed. */
export function parseCrashPoint(value: string): CrashPoint | null {
  const match = /^(unit-handled|unit-committed)(?::([a-z][a-z-]*))?:(\d+)$|^(blob-writing|blob-written):(\d+)$/.exec(value);
  if (!match) return null;
  const event = (match[1] ?? match[4]) as CrashEvent;
  const count = Number(match[3] ?? match[5]);
  return count >= 1 ? { event, stage: match[2] ?? null, count } : null;
}

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

function parseRateLimit(value: string): RateLimitRule | null {
  const match = RATE.exec(value);
  if (!match) return null;
  return { limit: Number(match[1]), windowMs: Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS] };
}

/** `2` or `2,a1111=1,comfyui=1`: the default per provider, then overrides by provider kind. */
function parseGenerationConcurrency(value: string): { perProvider: number; byKind: Record<string, number> } | null {
  const parts = value.split(',').map((p) => p.trim());
  const valid = (n: string) => /^\d+$/.test(n) && Number(n) >= 1 && Number(n) <= 64;
  if (!valid(parts[0] ?? '')) return null;
  const byKind: Record<string, number> = {};
  for (const part of parts.slice(1)) {
    const match = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
    if (!match || !valid(match[2]!)) return null;
    byKind[match[1]!] = Number(match[2]);
  }
  return { perProvider: Number(parts[0]), byKind };
}

/** Generation providers, in the order GENERATION_PROVIDERS may list them. */
const GENERATION_PROVIDER_KINDS = ['modelscope', 'a1111', 'comfyui'] as const;
export type GenerationProviderKindName = (typeof GENERATION_PROVIDER_KINDS)[number];

/** `modelscope,a1111,comfyui` (any order, no repeats) → the list; `off` → none. */
function parseProviderList(value: string): GenerationProviderKindName[] | null {
  if (value.trim() === 'off') return [];
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  if (names.length === 0 || new Set(names).size !== names.length) return null;
  return names.every((n) => (GENERATION_PROVIDER_KINDS as readonly string[]).includes(n)) ? (names as GenerationProviderKindName[]) : null;
}

const concurrency = (fallback: number) =>
  z.coerce.number({ error: 'expected a concurrency limit, 1–64' }).int('expected a concurrency limit, 1–64').min(1, 'expected a concurrency limit, 1–64').max(64, 'expected a concurrency limit, 1–64').default(fallback);

/**
 * Which hops in front of the server may tell it the client's address, protocol and host: `off` (none:
 * the socket peer is the client), a hop count (`1`: the peer is a proxy, the address it forwards is the
 * client) or a comma-separated list of proxy addresses and CIDRs (`10.0.0.0/8,::1`).
 */
export type TrustedProxies = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'cidrs'; cidrs: Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }> };

export function parseTrustedProxies(value: string): TrustedProxies | null {
  const text = value.trim();
  if (text === '' || text === 'off' || text === '0') return { kind: 'none' };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops <= 10 ? { kind: 'hops', hops } : null;
  }
  const cidrs: Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }> = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address = '', prefixText, ...rest] = entry.split('/');
    const version = net.isIP(address);
    if (version === 0 || rest.length > 0) return null;
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    if (!(prefix >= 0 && prefix <= max)) return null;
    cidrs.push({ address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' });
  }
  return cidrs.length > 0 ? { kind: 'cidrs', cidrs } : null;
}

const RENDER_PROCESSES_EXPECTED = 'expected auto (one per core, at most 8) or a number of render processes, 0–64 (0: render in the build process)';

/** Every configuration key, its default and what it expects. `.env.example` documents the same keys. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('data'),
  DATABASE_URL: z
    .string()
    .default('sqlite:data/huaku.db')
    .refine((value) => parseDatabaseUrl(value) !== null, {
      message: 'expected sqlite:<file> (e.g. sqlite:data/huaku.db) or mysql://user:password@host:3306/database',
    }),
  BLOB_DRIVER: z.enum(['local', 's3']).default('local'),
  BLOB_LOCAL_DIR: z.string().min(1).default('data/blobs'),
  MEDIA_BASE_URL: z.string().min(1).default('/media'),
  S3_ENDPOINT: optionalUrl(['http:', 'https:']),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: booleanString.default(true),
  REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ error: 'expected a port number 0–65535' }).int('expected a port number 0–65535').min(0, 'expected a port number 0–65535').max(65535, 'expected a port number 0–65535').default(4321),
  SITE_URL: z.url({ protocol: /^https?$/, error: 'expected the public http(s) URL of the site, e.g. https://huaku.example.com' }).default('http://localhost:4321'),
  TRUSTED_PROXIES: z
    .string()
    .default('off')
    .refine((v) => parseTrustedProxies(v) !== null, {
      message: 'expected off, a hop count 1–10, or comma-separated proxy addresses/CIDRs such as 10.0.0.0/8,::1',
    }),
  TRUSTED_PROXY_HEADERS: z.enum(['x-forwarded', 'forwarded'], { error: 'expected x-forwarded (X-Forwarded-For/-Proto/-Host) or forwarded (RFC 7239 Forwarded)' }).default('x-forwarded'),
  SNAPSHOT_DIR: z.string().min(1).default('data/snapshot'),
  SITEMAP_MAX_URLS: z.coerce.number({ error: 'expected URLs per sitemap file, 1–50000' }).int().min(1).max(50_000).default(50_000),
  SITE_BUILD_RENDER_PROCESSES: z
    .union([z.literal('auto'), z.coerce.number().int(RENDER_PROCESSES_EXPECTED).min(0, RENDER_PROCESSES_EXPECTED).max(64, RENDER_PROCESSES_EXPECTED)], {
      error: RENDER_PROCESSES_EXPECTED,
    })
    .default('auto'),
  LIBLIB_API_BASE: z.url({ protocol: /^https?$/, error: 'expected the http(s) base URL of the Liblib API' }).default('https://api2.liblib.art'),
  LIBLIB_BRIDGE_BASE: z.url({ protocol: /^https?$/, error: 'expected the http(s) base URL of the Liblib sd-api gateway' }).default('https://bridge.liblib.art'),
  // No upper bound here (unlike --rps): a deployment or a test against a local fake may raise it on purpose.
  INGEST_RPS: z.coerce.number({ error: 'expected requests per second per host, e.g. 4' }).min(0.01, 'expected requests per second per host of at least 0.01, e.g. 4').default(4),
  INGEST_LIST_CONCURRENCY: concurrency(5),
  INGEST_DETAIL_CONCURRENCY: concurrency(5),
  INGEST_MEDIA_CONCURRENCY: concurrency(8),
  INGEST_MAX_ATTEMPTS: z.coerce.number({ error: 'expected attempts per unit, 1–20' }).int().min(1).max(20).default(3),
  INGEST_THUMBNAIL_WIDTHS: z
    .string()
    .default('320,960')
    .refine((v) => v.split(',').every((w) => /^\d+$/.test(w.trim()) && Number(w) >= 16 && Number(w) <= 4096), {
      message: 'expected comma-separated widths in pixels, e.g. 320,960',
    }),
  INGEST_RETRY_BASE_MS: z.coerce.number({ error: 'expected milliseconds, 1–60000' }).int().min(1).max(60_000).default(500),
  REPORTS_DIR: z.string().min(1).default('data/reports'),
  INGEST_PROGRESS_SECONDS: z.coerce.number({ error: 'expected seconds between progress lines, 0–3600 (0: none)' }).int().min(0).max(3600).default(10),
  ALERT_WEBHOOK_URL: optionalUrl(['http:', 'https:']),
  ALERT_FAILURE_RATE: z.coerce.number({ error: 'expected a fraction between 0 and 1, e.g. 0.05' }).min(0).max(1).default(0.05),
  CIVITAI_API_BASE: z.url({ protocol: /^https?$/, error: 'expected the http(s) base URL of Civitai' }).default('https://civitai.com'),
  CIVITAI_API_KEY: z.string().optional(),
  MODELSCOPE_API_BASE: z.url({ protocol: /^https?$/, error: 'expected the http(s) base URL of ModelScope' }).default('https://www.modelscope.cn'),
  MODELSCOPE_API_TOKEN: z.string().optional(),
  GENERATION_PROVIDERS: z
    .string()
    .default('modelscope')
    .refine((v) => parseProviderList(v) !== null, { message: `expected a comma-separated list of ${GENERATION_PROVIDER_KINDS.join(', ')} (tried in that order, no repeats), or off` }),
  MODELSCOPE_INFERENCE_BASE: z.url({ protocol: /^https?$/, error: 'expected the http(s) base URL of ModelScope API-Inference' }).default('https://api-inference.modelscope.cn'),
  A1111_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of an A1111/Forge WebUI started with --api, e.g. http://127.0.0.1:7860' }).default('http://127.0.0.1:7860'),
  COMFYUI_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of a ComfyUI server, e.g. http://127.0.0.1:8188' }).default('http://127.0.0.1:8188'),
  GENERATION_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds per provider call, 1000–600000' }).int().min(1000).max(600_000).default(60_000),
  GENERATION_RUN_TIMEOUT_MS: z.coerce.number({ error: 'expected milliseconds per generation run, 10000–3600000' }).int().min(10_000).max(3_600_000).default(600_000),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]*$/, 'expected letters, digits and : . _ - only').default(''),
  GOOGLE_CLIENT_ID: z.string().optional(),
  GOOGLE_CLIENT_SECRET: z.string().optional(),
  GOOGLE_REDIRECT_URI: optionalUrl(['http:', 'https:']),
  GOOGLE_AUTH_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the OAuth authorization endpoint' }).default('https://accounts.google.com/o/oauth2/v2/auth'),
  GOOGLE_TOKEN_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the OAuth token endpoint' }).default('https://oauth2.googleapis.com/token'),
  GOOGLE_JWKS_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the JSON Web Key Set signing Google ID tokens' }).default('https://www.googleapis.com/oauth2/v3/certs'),
  SESSION_COOKIE_NAME: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected a cookie name: letters, digits, _ and -').default('huaku_session'),
  SESSION_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  RATE_LIMIT_LOGIN: rateLimit('10/1m'),
  RATE_LIMIT_UPLOAD: rateLimit('30/1h'),
  RATE_LIMIT_WRITE: rateLimit('120/1m'),
  RATE_LIMIT_IP: rateLimit('600/1m'),
  RATE_LIMIT_GENERATE: rateLimit('10/1m'),
  GENERATION_CONCURRENCY: z
    .string()
    .default('2')
    .refine((v) => parseGenerationConcurrency(v) !== null, {
      message: 'expected jobs at once per provider, 1–64, optionally per provider kind: 2 or 2,a1111=1,comfyui=1',
    }),
  GENERATION_MAX_ATTEMPTS: z.coerce.number({ error: 'expected attempts per generation job, 1–10' }).int().min(1).max(10).default(3),
  GENERATION_QUOTA_PER_DAY: z.coerce.number({ error: 'expected generation jobs per user per 24 hours (0 = no quota)' }).int().min(0).max(1_000_000).default(100),
  UPLOAD_MAX_MB: z.coerce.number({ error: 'expected megabytes, 1–100' }).positive().max(100).default(20),
  UPLOAD_MAX_MEGAPIXELS: z.coerce.number({ error: 'expected megapixels, 1–500' }).positive().max(500).default(100),
  UPLOAD_DELETE_GRACE_HOURS: z.coerce.number({ error: 'expected hours, 0–720' }).min(0).max(720).default(24),
  VIDEO_MAX_MB: z.coerce.number({ error: 'expected megabytes, 1–2048' }).positive().max(2048).default(100),
  VIDEO_MAX_SECONDS: z.coerce.number({ error: 'expected seconds, 1–3600' }).min(1).max(3600).default(120),
  VIDEO_MAX_DIMENSION: z.coerce.number({ error: 'expected pixels, 16–8192' }).int().min(16).max(8192).default(3840),
  VIDEO_MAX_FPS: z.coerce.number({ error: 'expected frames per second, 1–1000' }).min(1).max(1000).default(120),
  FFMPEG_BINARIES: z.enum(['auto', 'system', 'npm'], { error: 'expected auto, system or npm' }).default('auto'),
  HISTORY_DIR: z.string().min(1).default('data/history'),
  RUN_STALE_MINUTES: z.coerce.number({ error: 'expected minutes, 2–1440' }).int().min(2).max(1440).default(10),
  DAILY_BUILD_COMMAND: z.string().min(1).default('npm run build'),
  DEPLOY_BUCKET: z.string().optional(),
  DEPLOY_S3_ENDPOINT: optionalUrl(['http:', 'https:']),
  DEPLOY_KEEP_DAYS: z.coerce.number({ error: 'expected days, 0–365' }).min(0).max(365).default(7),
  DEPLOY_HTML_MAX_AGE: z.coerce.number({ error: 'expected seconds, 0–86400' }).int().min(0).max(86_400).default(300),
  GITHUB_STEP_SUMMARY: z.string().optional(),
  TEST_MYSQL_URL: optionalUrl(['mysql:']),
  TEST_REDIS_URL: optionalUrl(['redis:', 'rediss:']),
  REQUIRE_SERVICES: booleanString.default(false),
  TEST_CRASH_AT: z
    .string()
    .optional()
    .refine((value) => value === undefined || parseCrashPoint(value) !== null, {
      message: `expected <event>[:<stage>]:<n> with event ${CRASH_EVENTS.join(', ')} (a stage only for the unit events), e.g. unit-committed:media:3 or blob-writing:2`,
    }),
});

type RawEnv = z.infer<typeof envSchema>;

/** The schema's keys from `env`; empty strings count as unset (a blank line in .env means "use the default"). */
function knownKeys(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]));
}

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql'; url: string; host: string; port: number; database: string };

export type BlobConfig =
  | { driver: 'local'; dir: string; publicBaseUrl: string }
  | {
      driver: 's3';
      endpoint: string | undefined;
      bucket: string;
      region: string;
      accessKeyId: string | undefined;
      secretAccessKey: string | undefined;
      forcePathStyle: boolean;
      publicBaseUrl: string;
    };

export interface Config {
  nodeEnv: RawEnv['NODE_ENV'];
  logLevel: RawEnv['LOG_LEVEL'];
  dataDir: string;
  database: DatabaseConfig;
  blob: BlobConfig;
  redisUrl: string | undefined;
  server: {
    host: string;
    port: number;
    /** The public origin: the allowed Origin of writes and the base of every redirect target. */
    siteUrl: string;
    /** Hops allowed to report the client's address, protocol and host (src/server/http/client-address.ts). */
    trustedProxies: TrustedProxies;
    /** The forwarding headers those hops write; the other family is ignored (a client could forge it). */
    proxyHeaders: 'x-forwarded' | 'forwarded';
  };
  snapshotDir: string;
  /** URLs per sitemap file before the sitemap splits (the protocol's maximum is 50,000). */
  sitemapMaxUrls: number;
  /** Processes that render the site's pages beside the build process (src/integrations/prerender/); 0: none. */
  siteBuildRenderProcesses: number;
  ingest: IngestConfig;
  daily: DailyConfig;
  testing: {
    mysqlUrl: string | undefined;
    redisUrl: string | undefined;
    requireServices: boolean;
    /** TEST_CRASH_AT: the crash-resume test's fault injection; null in every real run. */
    crashAt: CrashPoint | null;
  };
  community: CommunityConfig;
  generation: GenerationConfig;
  /** What a video (downloaded or uploaded) may be (core/media/video-probe.ts's VideoLimits), and which ffmpeg/ffprobe
   * judge and convert it (core/media/ffmpeg-binaries.ts). */
  video: { maxBytes: number; maxSeconds: number; maxDimension: number; maxFps: number; binaries: FfBinariesChoice };
}

export interface GenerationConfig {
  /** The providers to try, in order (empty: generation is off). */
  providers: GenerationProviderKindName[];
  /** Per HTTP call to a provider (seed 001 §9.6: 60 s). */
  timeoutMs: number;
  /** Per run: a blocking A1111 call, a ModelScope task's polling, a ComfyUI prompt. */
  runTimeoutMs: number;
  modelscope: { baseUrl: string; apiToken: string | undefined };
  a1111: { baseUrl: string };
  comfyui: { baseUrl: string };
  /** The server's generation jobs (src/server/generation/). */
  jobs: GenerationJobsConfig;
}

interface GenerationJobsConfig {
  /** Jobs at once per provider in one process; `byKind` overrides it for a provider kind. */
  concurrency: { perProvider: number; byKind: Record<string, number> };
  /** Runs of one job when its failures are retryable (5xx, network, timeouts); a restart's cut counts as a run. */
  maxAttempts: number;
  /** Jobs per user in any 24 hours; null = no quota. */
  quotaPerDay: number | null;
}

export interface CommunityConfig {
  /** Prefix of every Redis key the server writes (empty: the seed's key names as they are). */
  redisKeyPrefix: string;
  /** Google login; null when GOOGLE_CLIENT_ID/SECRET are unset (local accounts only). */
  google: { clientId: string; clientSecret: string; redirectUri: string; authUrl: string; tokenUrl: string; jwksUrl: string } | null;
  session: { cookieName: string; secure: boolean };
  /** null = no limit. Login: per address, and with backoff per (account, address); upload, write and generate: per user; ip: every write per address. */
  rateLimits: Record<'login' | 'upload' | 'write' | 'ip' | 'generate', RateLimitRule | null>;
  /** deleteGraceMs: how long a deleted work's files stay in the blob store (cached pages and CDNs still point at them). */
  upload: { maxBytes: number; maxPixels: number; deleteGraceMs: number };
}

interface IngestConfig {
  liblibApiBase: string;
  /** The sd-api gateway (getPnginfo, `--pnginfo`; unverified contract). */
  liblibBridgeBase: string;
  /** Requests per second per upstream host, shared by every stage. */
  rps: number;
  concurrency: { list: number; detail: number; media: number };
  maxAttempts: number;
  /** Backoff base of a request's retries (the polite client) and of a unit's in-run retries (twice this). */
  retryBaseMs: number;
  thumbnailWidths: number[];
  reportsDir: string;
  /** Seconds between progress lines when output is not a terminal (0: none; a terminal gets live bars). */
  progressSeconds: number;
  alertWebhookUrl: string | undefined;
  /** Unresolved failures ÷ units processed above which a run alerts and exits non-zero. */
  alertFailureRate: number;
  civitai: { apiBase: string; apiKey: string | undefined };
  modelscope: { apiBase: string; apiToken: string | undefined };
}

export interface SiteBucketConfig {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
  keepDays: number;
  htmlMaxAge: number;
}

interface DailyConfig {
  /** One folder per published day: {date}/manifest.json, diff.json, analysis.json (docs/operations.md). */
  historyDir: string;
  /** A RUNNING fetch_runs row whose heartbeat is older than this was abandoned (its process died). */
  runStaleMs: number;
  /** What the daily run's build phase runs (a shell command, in the project directory). */
  buildCommand: string;
  /** The bucket the CDN serves the site from (credentials, region and path style: the S3_* keys); null: no deploy. */
  deploy: SiteBucketConfig | null;
  /** GitHub Actions' job summary file, when running there. */
  stepSummaryFile: string | undefined;
}

export interface ConfigIssue {
  key: string;
  message: string;
}

/** Bad configuration: the CLI prints `format()` and exits with code 2, without a stack trace. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.key}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
  format(): string {
    const lines = this.issues.map((issue) => `  - ${issue.key}: ${issue.message}`);
    return [
      'Invalid configuration (fix these environment variables or your .env file; see .env.example):',
      ...lines,
    ].join('\n');
  }
}

export function parseDatabaseUrl(value: string): DatabaseConfig | null {
  if (value.startsWith('sqlite:')) {
    const file = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return file.length > 0 ? { kind: 'sqlite', file } : null;
  }
  if (!value.startsWith('mysql://')) return null;
  try {
    const url = new URL(value);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname || !database || database.includes('/')) return null;
    return { kind: 'mysql', url: value, host: url.hostname, port: Number(url.port || 3306), database };
  } catch {
    return null;
  }
}

/**
 * Parse the environment once. `cwd` anchors relative paths so that the CLI, the server and tests agree
 * on where `data/` is whatever directory they were started from.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const known = knownKeys(env);
  const parsed = envSchema.safeParse(known);
  // Report every bad key at once: schema issues plus the keys that only make sense together.
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({ key: String(issue.path[0] ?? '(root)'), message: issue.message }));
  if (known.BLOB_DRIVER === 's3' && !known.S3_BUCKET) {
    issues.push({ key: 'S3_BUCKET', message: 'required when BLOB_DRIVER=s3 (the bucket name, e.g. img-station)' });
  }
  if ((known.S3_ACCESS_KEY_ID === undefined) !== (known.S3_SECRET_ACCESS_KEY === undefined)) {
    issues.push({
      key: known.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
    });
  }
  if ((known.GOOGLE_CLIENT_ID === undefined) !== (known.GOOGLE_CLIENT_SECRET === undefined)) {
    issues.push({
      key: known.GOOGLE_CLIENT_ID === undefined ? 'GOOGLE_CLIENT_ID' : 'GOOGLE_CLIENT_SECRET',
      message: 'GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set together (or both left empty for local accounts only)',
    });
  }
  if (known.TEST_CRASH_AT !== undefined && known.NODE_ENV === 'production') {
    issues.push({ key: 'TEST_CRASH_AT', message: 'a test-only crash point: never set it in production (NODE_ENV=production)' });
  }
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const raw = parsed.data;

  const resolve = (p: string) => path.resolve(cwd, p);
  const database = parseDatabaseUrl(raw.DATABASE_URL)!;
  return {
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    dataDir: resolve(raw.DATA_DIR),
    database: database.kind === 'sqlite' ? { kind: 'sqlite', file: resolve(database.file) } : database,
    blob:
      raw.BLOB_DRIVER === 'local'
        ? { driver: 'local', dir: resolve(raw.BLOB_LOCAL_DIR), publicBaseUrl: raw.MEDIA_BASE_URL }
        : {
            driver: 's3',
            endpoint: raw.S3_ENDPOINT,
            bucket: raw.S3_BUCKET!,
            region: raw.S3_REGION,
            accessKeyId: raw.S3_ACCESS_KEY_ID,
            secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
            forcePathStyle: raw.S3_FORCE_PATH_STYLE,
            publicBaseUrl: raw.MEDIA_BASE_URL,
          },
    redisUrl: raw.REDIS_URL,
    server: {
      host: raw.HOST,
      port: raw.PORT,
      siteUrl: raw.SITE_URL,
      trustedProxies: parseTrustedProxies(raw.TRUSTED_PROXIES)!,
      proxyHeaders: raw.TRUSTED_PROXY_HEADERS,
    },
    snapshotDir: resolve(raw.SNAPSHOT_DIR),
    sitemapMaxUrls: raw.SITEMAP_MAX_URLS,
    // auto: one per core, at most 8 (each holds the snapshot's works: ~0.9 GB at 100k works).
    siteBuildRenderProcesses: raw.SITE_BUILD_RENDER_PROCESSES === 'auto' ? Math.min(os.availableParallelism(), 8) : raw.SITE_BUILD_RENDER_PROCESSES,
    ingest: {
      liblibApiBase: raw.LIBLIB_API_BASE,
      liblibBridgeBase: raw.LIBLIB_BRIDGE_BASE,
      rps: raw.INGEST_RPS,
      concurrency: { list: raw.INGEST_LIST_CONCURRENCY, detail: raw.INGEST_DETAIL_CONCURRENCY, media: raw.INGEST_MEDIA_CONCURRENCY },
      maxAttempts: raw.INGEST_MAX_ATTEMPTS,
      retryBaseMs: raw.INGEST_RETRY_BASE_MS,
      thumbnailWidths: raw.INGEST_THUMBNAIL_WIDTHS.split(',').map((w) => Number(w.trim())),
      reportsDir: resolve(raw.REPORTS_DIR),
      progressSeconds: raw.INGEST_PROGRESS_SECONDS,
      alertWebhookUrl: raw.ALERT_WEBHOOK_URL,
      alertFailureRate: raw.ALERT_FAILURE_RATE,
      civitai: { apiBase: raw.CIVITAI_API_BASE, apiKey: raw.CIVITAI_API_KEY },
      modelscope: { apiBase: raw.MODELSCOPE_API_BASE, apiToken: raw.MODELSCOPE_API_TOKEN },
    },
    daily: {
      historyDir: resolve(raw.HISTORY_DIR),
      runStaleMs: raw.RUN_STALE_MINUTES * 60_000,
      buildCommand: raw.DAILY_BUILD_COMMAND,
      deploy: raw.DEPLOY_BUCKET
        ? {
            bucket: raw.DEPLOY_BUCKET, endpoint: raw.DEPLOY_S3_ENDPOINT ?? raw.S3_ENDPOINT, region: raw.S3_REGION,
            accessKeyId: raw.S3_ACCESS_KEY_ID, secretAccessKey: raw.S3_SECRET_ACCESS_KEY, forcePathStyle: raw.S3_FORCE_PATH_STYLE,
            keepDays: raw.DEPLOY_KEEP_DAYS, htmlMaxAge: raw.DEPLOY_HTML_MAX_AGE,
          }
        : null,
      stepSummaryFile: raw.GITHUB_STEP_SUMMARY,
    },
    testing: {
      mysqlUrl: raw.TEST_MYSQL_URL,
      redisUrl: raw.TEST_REDIS_URL,
      requireServices: raw.REQUIRE_SERVICES,
      crashAt: raw.TEST_CRASH_AT === undefined ? null : parseCrashPoint(raw.TEST_CRASH_AT),
    },
    community: {
      redisKeyPrefix: raw.REDIS_KEY_PREFIX,
      google:
        raw.GOOGLE_CLIENT_ID && raw.GOOGLE_CLIENT_SECRET
          ? {
              clientId: raw.GOOGLE_CLIENT_ID,
              clientSecret: raw.GOOGLE_CLIENT_SECRET,
              redirectUri: raw.GOOGLE_REDIRECT_URI ?? new URL('/api/auth/google/callback', raw.SITE_URL).href,
              authUrl: raw.GOOGLE_AUTH_URL,
              tokenUrl: raw.GOOGLE_TOKEN_URL,
              jwksUrl: raw.GOOGLE_JWKS_URL,
            }
          : null,
      session: {
        cookieName: raw.SESSION_COOKIE_NAME,
        secure: raw.SESSION_COOKIE_SECURE === 'auto' ? raw.NODE_ENV === 'production' : raw.SESSION_COOKIE_SECURE === 'true',
      },
      rateLimits: {
        login: parseRateLimit(raw.RATE_LIMIT_LOGIN),
        upload: parseRateLimit(raw.RATE_LIMIT_UPLOAD),
        write: parseRateLimit(raw.RATE_LIMIT_WRITE),
        ip: parseRateLimit(raw.RATE_LIMIT_IP),
        generate: parseRateLimit(raw.RATE_LIMIT_GENERATE),
      },
      upload: { maxBytes: Math.round(raw.UPLOAD_MAX_MB * 1024 * 1024), maxPixels: Math.round(raw.UPLOAD_MAX_MEGAPIXELS * 1_000_000), deleteGraceMs: Math.round(raw.UPLOAD_DELETE_GRACE_HOURS * 3_600_000) },
    },
    video: {
      maxBytes: Math.round(raw.VIDEO_MAX_MB * 1024 * 1024),
      maxSeconds: raw.VIDEO_MAX_SECONDS,
      maxDimension: raw.VIDEO_MAX_DIMENSION,
      maxFps: raw.VIDEO_MAX_FPS,
      binaries: raw.FFMPEG_BINARIES,
    },
    generation: {
      providers: parseProviderList(raw.GENERATION_PROVIDERS)!,
      timeoutMs: raw.GENERATION_TIMEOUT_MS,
      runTimeoutMs: raw.GENERATION_RUN_TIMEOUT_MS,
      modelscope: { baseUrl: raw.MODELSCOPE_INFERENCE_BASE, apiToken: raw.MODELSCOPE_API_TOKEN },
      a1111: { baseUrl: raw.A1111_BASE_URL },
      comfyui: { baseUrl: raw.COMFYUI_BASE_URL },
      jobs: {
        concurrency: parseGenerationConcurrency(raw.GENERATION_CONCURRENCY)!,
        maxAttempts: raw.GENERATION_MAX_ATTEMPTS,
        quotaPerDay: raw.GENERATION_QUOTA_PER_DAY === 0 ? null : raw.GENERATION_QUOTA_PER_DAY,
      },
    },
  };
}

const SECRET_KEY = /(SECRET|PASSWORD|TOKEN|_KEY$|_KEY_ID$)/;

/** The configuration in effect as key → value, secrets and URL passwords masked (for `doctor`). */
export function describeConfig(env: Record<string, string | undefined> = process.env): Array<[string, string]> {
  const known = knownKeys(env);
  const effective = envSchema.safeParse(known);
  return Object.keys(envSchema.shape).map((key) => {
    const value = known[key] ?? (effective.success ? (effective.data as Record<string, unknown>)[key] : undefined);
    const shown = value === undefined ? '(unset)' : SECRET_KEY.test(key) ? '****' : maskUrlPassword(String(value));
    return [key, known[key] === undefined && value !== undefined ? `${shown} (default)` : shown];
  });
}

export function maskUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = '****';
    return url.toString();
  } catch {
    return value;
  }
}
