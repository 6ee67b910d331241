import { plainToInstance, Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy, ValidateIf, validateSync } from 'class-validator';
import { parseTrustedProxies } from './trusted-proxies.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** The SMTP account the WGDashboard API's e-mail uses (upstream's `[Email]` section): all of them, or none. */
export const SMTP_VARIABLES = ['SMTP_HOST', 'SMTP_PORT', 'SMTP_USERNAME', 'SMTP_PASSWORD', 'SMTP_FROM', 'SMTP_ENCRYPTION'] as const;
export const SMTP_ENCRYPTIONS = ['STARTTLS', 'TLS', 'NONE'] as const;
export type SmtpEncryption = (typeof SMTP_ENCRYPTIONS)[number];

/**
 * Upstream sends only when every field is set (notes §2.49); a partial set is a mistake worth
 * stopping the start for, rather than an e-mail feature that silently says "not configured".
 */
const SmtpField = (): PropertyDecorator => (target, property) => {
  ValidateIf((config: AppConfig) => SMTP_VARIABLES.some((name) => config[name] !== undefined))(target, property);
  IsDefined({ message: `must be set as well: e-mail needs all of ${SMTP_VARIABLES.join(', ')}, or none` })(target, property);
};

/**
 * Every setting wgfleet reads from the environment, validated once at boot. Nothing else reads
 * `process.env`: code receives this object (or a piece of it) through Nest or as an argument.
 */
export class AppConfig {
  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 0 and 65535' })
  @Min(0, { message: 'must be an integer between 0 and 65535' })
  @Max(65535, { message: 'must be an integer between 0 and 65535' })
  PORT = 8080;

  /** Where embedded PostgreSQL and generated secrets live when no external services are given. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './.data';

  /** An external PostgreSQL; when set, nothing embedded starts. */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string;

  /**
   * Shared state for several replicas (rate limits, wake-ups). Without it wgfleet keeps that
   * state in memory, which is right for a single process.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /**
   * The load balancers in front of this replica (addresses or CIDRs, comma-separated): their
   * `X-Forwarded-For` is believed. Unset: the peer of the TCP connection is the client.
   */
  @IsOptional()
  @ValidateBy({
    name: 'trustedProxies',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTrustedProxies(value) !== null,
      defaultMessage: () => 'must be addresses or CIDRs separated by commas, e.g. 10.0.0.0/8,192.168.1.5',
    },
  })
  TRUST_PROXY?: string;

  /** 32 random bytes, base64: encrypts private keys at rest. Default: generated into DATA_DIR/master-key. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'must be 32 bytes in base64 (e.g. openssl rand -base64 32)' })
  MASTER_KEY?: string;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1024 and 65535' })
  @Min(1024, { message: 'must be an integer between 1024 and 65535' })
  @Max(65535, { message: 'must be an integer between 1024 and 65535' })
  EMBEDDED_POSTGRES_PORT = 54329;

  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1 and 100' })
  @Min(1, { message: 'must be an integer between 1 and 100' })
  @Max(100, { message: 'must be an integer between 1 and 100' })
  DATABASE_POOL_SIZE = 10;

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** Requests per 60-second window per API key, all routes together (the contract's 60/min). */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1 and 1000000' })
  @Min(1, { message: 'must be an integer between 1 and 1000000' })
  @Max(1_000_000, { message: 'must be an integer between 1 and 1000000' })
  RATE_LIMIT_PER_MINUTE = 60;

  /** Failed authentications per 60-second window per client IP before 429s. */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1 and 1000000' })
  @Min(1, { message: 'must be an integer between 1 and 1000000' })
  @Max(1_000_000, { message: 'must be an integer between 1 and 1000000' })
  AUTH_FAILURES_PER_MINUTE = 30;

  /**
   * Whether this process pushes desired state to the nodes. Off, it still tells other replicas
   * (LISTEN/NOTIFY) about its writes: for API-only replicas, and for tests.
   */
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  RECONCILER_ENABLED: 'true' | 'false' = 'true';

  /**
   * Where the WGDashboard-compatible API lives, like upstream's `app_prefix`: empty (the default)
   * serves `/api/handshake`; `/wgd` serves `/wgd/api/handshake`.
   */
  @Matches(/^(\/[A-Za-z0-9._~-]+)*$/, { message: 'must be empty or a path such as /wgd (starting with /, no trailing /)' })
  WGD_APP_PREFIX = '';

  /** The reconciler's periodic pass (drift repair, retries), in milliseconds. */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1000 and 3600000' })
  @Min(1000, { message: 'must be an integer between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be an integer between 1000 and 3600000' })
  RECONCILE_INTERVAL_MS = 30_000;

  /** The status poller: one `wg show IF dump` per server per this many milliseconds. */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1000 and 3600000' })
  @Min(1000, { message: 'must be an integer between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be an integer between 1000 and 3600000' })
  POLL_INTERVAL_MS = 10_000;

  /**
   * WGDashboard peer jobs: how often the scheduler evaluates them, in milliseconds (upstream: every
   * 180 s). It runs where the reconciler runs (RECONCILER_ENABLED).
   */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1000 and 3600000' })
  @Min(1000, { message: 'must be an integer between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be an integer between 1000 and 3600000' })
  WGD_JOB_INTERVAL_MS = 60_000;

  /**
   * Bearer token that GET /metrics requires; unset, /metrics is open (keep it on a private
   * network then). A secret: a refused value is not echoed in the start-up error.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._~+/=-]{16,256}$/, { message: 'must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (e.g. openssl rand -hex 32)' })
  METRICS_TOKEN?: string;

  /** Largest accepted request body; the contract's 413 threshold. */
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1024 and 10485760' })
  @Min(1024, { message: 'must be an integer between 1024 and 10485760' })
  @Max(10 * 1024 * 1024, { message: 'must be an integer between 1024 and 10485760' })
  BODY_LIMIT_BYTES = 64 * 1024;

  @SmtpField()
  @Matches(/^[A-Za-z0-9._:-]{1,253}$/, { message: 'must be a host name or an IP address' })
  SMTP_HOST?: string;

  @SmtpField()
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer between 1 and 65535' })
  @Min(1, { message: 'must be an integer between 1 and 65535' })
  @Max(65535, { message: 'must be an integer between 1 and 65535' })
  SMTP_PORT?: number;

  @SmtpField()
  @Matches(/^[^\r\n]+$/, { message: 'must be one line' })
  SMTP_USERNAME?: string;

  /** Never given a format rule: a refused value would be echoed in the start-up error. */
  @SmtpField()
  @IsString()
  SMTP_PASSWORD?: string;

  /** The envelope sender and From header (upstream's `send_from`, 4.2.2+): a bare address. */
  @SmtpField()
  @Matches(/^[^\s@<>",;]+@[^\s@<>",;]+$/, { message: 'must be an e-mail address such as wgfleet@example.com' })
  SMTP_FROM?: string;

  /** STARTTLS (required upgrade, usually port 587), TLS (implicit, usually 465) or NONE (plain, no upgrade). */
  @SmtpField()
  @IsIn(SMTP_ENCRYPTIONS, { message: `must be one of ${SMTP_ENCRYPTIONS.join(', ')}` })
  SMTP_ENCRYPTION?: SmtpEncryption;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets whose refused value must not be printed in the start-up error (logs keep it). */
const HIDDEN_VALUES = new Set(['METRICS_TOKEN']);

/** Reads only the variables AppConfig declares; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const declared = Object.keys(new AppConfig()).concat('DATABASE_URL', 'REDIS_URL', 'MASTER_KEY', 'METRICS_TOKEN', 'TRUST_PROXY', ...SMTP_VARIABLES);
  const given: Record<string, string> = {};
  for (const name of declared) {
    const value = env[name];
    if (value !== undefined && value !== '') given[name] = value;
  }
  const config = plainToInstance(AppConfig, given);
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.map((error) => {
        const reason = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
        const got = HIDDEN_VALUES.has(error.property) ? 'value not shown' : `got ${JSON.stringify(given[error.property])}`;
        return `${error.property} ${reason} (${got})`;
      }),
    );
  }
  return config;
}
