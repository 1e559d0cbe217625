/**
 * Server configuration from environment variables, validated once at start. A bad value
 * throws `ConfigError` naming the variable and what was expected; `main.ts` prints it and
 * exits with status 1. docs/deployment.md has the table of every variable.
 */
import { fileURLToPath } from 'node:url';

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, expected: string, got?: string) {
    super(
      `Invalid configuration: ${variable} ${expected}` +
        (got === undefined ? '' : ` (got ${JSON.stringify(got)})`),
    );
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export interface Config {
  port: number;
  host: string;
  /** Where browsers reach this server, without a trailing slash. */
  publicUrl: string;
  /** `postgres://…` or `sqlite:<file>` (or `sqlite::memory:`). */
  databaseUrl: string;
  /** PostgreSQL connections per process (DATABASE_POOL_SIZE); unused on SQLite. */
  databasePoolSize: number;
  logLevel: LogLevel;
  sessionTtlHours: number;
  trustProxy: boolean;
  demo: boolean;
  redisUrl: string | null;
  stunUrls: string[];
  turnUrls: string[];
  turnSecret: string | null;
  turnTtlSeconds: number;
  /** Repo root: holds packages/sdk/dist, apps/console/dist and apps/demo-shop/dist. */
  staticRoot: string;
  /** Requests per minute per IP and channel on the public (SDK) API. */
  publicRateLimit: number;
  /** Sign-in attempts per minute per IP and email. */
  signInRateLimit: number;
  /** Webhooks may target private, loopback and link-local addresses (on-premise, tests). */
  webhookAllowPrivate: boolean;
}

/** The repo root, found relative to this file (src/ and dist/ sit at the same depth). */
export function defaultStaticRoot(): string {
  return fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(name, `must be an integer between ${min} and ${max}`, v);
  }
  return Number(v);
}

function bool(env: Env, name: string, def: boolean): boolean {
  const v = str(env, name);
  if (v === undefined) return def;
  const l = v.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(l)) return true;
  if (['0', 'false', 'no', 'off'].includes(l)) return false;
  throw new ConfigError(name, 'must be true or false', v);
}

function httpUrl(name: string, v: string): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(name, 'must be an absolute http(s) URL', v);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(name, 'must be an absolute http(s) URL', v);
  }
  return v.replace(/\/+$/, '');
}

function list(env: Env, name: string, schemes: readonly string[]): string[] {
  const v = str(env, name);
  if (v === undefined) return [];
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!schemes.some((s) => item.startsWith(s))) {
      throw new ConfigError(
        name,
        `must be a comma-separated list of URLs starting with ${schemes.join(' or ')}`,
        item,
      );
    }
  }
  return items;
}

function databaseUrl(env: Env): string {
  const v = str(env, 'DATABASE_URL') ?? 'sqlite:./data/flux.db';
  if (/^postgres(ql)?:\/\//.test(v)) {
    try {
      new URL(v);
    } catch {
      throw new ConfigError('DATABASE_URL', 'must be a valid postgres:// URL', v);
    }
    return v;
  }
  if (v.startsWith('sqlite:')) {
    if (v.replace(/^sqlite:(\/\/)?/, '') === '') {
      throw new ConfigError('DATABASE_URL', 'must name a file after sqlite:', v);
    }
    return v;
  }
  throw new ConfigError(
    'DATABASE_URL',
    'must start with postgres:// (PostgreSQL) or sqlite: (SQLite file)',
    v,
  );
}

/** Reads and validates the configuration. `argv` may carry `--demo`. */
export function loadConfig(env: Env = process.env, argv: readonly string[] = []): Config {
  const port = int(env, 'PORT', 8080, 0, 65535);
  const host = str(env, 'HOST') ?? '127.0.0.1';
  const publicUrl = httpUrl('PUBLIC_URL', str(env, 'PUBLIC_URL') ?? `http://localhost:${port}`);
  const logLevel = (str(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`, logLevel);
  }
  const redis = str(env, 'REDIS_URL');
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) {
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://', redis);
  }
  const turnUrls = list(env, 'TURN_URLS', ['turn:', 'turns:']);
  const turnSecret = str(env, 'TURN_SECRET') ?? null;
  if (turnUrls.length > 0 && turnSecret === null) {
    throw new ConfigError('TURN_SECRET', 'is required when TURN_URLS is set');
  }
  if (turnUrls.length === 0 && turnSecret !== null) {
    throw new ConfigError('TURN_SECRET', 'is only allowed together with TURN_URLS');
  }
  return {
    port,
    host,
    publicUrl,
    databaseUrl: databaseUrl(env),
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 20, 1, 1000),
    logLevel: logLevel as LogLevel,
    sessionTtlHours: int(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 365),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    demo: argv.includes('--demo') || bool(env, 'DEMO', false),
    redisUrl: redis ?? null,
    stunUrls: list(env, 'STUN_URLS', ['stun:', 'stuns:']),
    turnUrls,
    turnSecret,
    turnTtlSeconds: int(env, 'TURN_TTL_SECONDS', 3600, 60, 7 * 24 * 3600),
    staticRoot: str(env, 'STATIC_ROOT') ?? defaultStaticRoot(),
    publicRateLimit: int(env, 'PUBLIC_RATE_LIMIT', 300, 1, 1_000_000),
    signInRateLimit: int(env, 'SIGN_IN_RATE_LIMIT', 10, 1, 1_000_000),
    webhookAllowPrivate: bool(env, 'WEBHOOK_ALLOW_PRIVATE', false),
  };
}
