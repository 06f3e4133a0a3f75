/**
 * Environment -> typed, validated configuration. Every variable is read here and nowhere else, so
 * a bad value stops the process at start with one line naming the variable, instead of failing
 * later on the first message.
 */
import { hostname } from 'node:os';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** TCP port to listen on; 0 picks a free one (tests). */
  port: number;
  /** Interface to bind; undefined binds all (IPv6 and IPv4). */
  host: string | undefined;
  /** Redis connection URL, or null for the in-process broker (one instance only). */
  redisUrl: string | null;
  /** Prefix of every Redis channel and key of this chat (rooms are `<prefix>:{<room>}`). */
  channel: string;
  /** Messages kept per room for late joiners and reconnecting clients. */
  historySize: number;
  /** A room's history is dropped after this many seconds without a message; 0 keeps it. */
  historyTtlSeconds: number;
  maxRoomsPerConnection: number;
  /** A member whose replica stops refreshing it (crash) leaves presence after this long. */
  presenceTtlMs: number;
  /** Largest accepted client frame; bigger frames close the connection with 1009. */
  maxMessageBytes: number;
  /** Messages per second one connection may send; 0 turns the limit off. */
  rateLimit: number;
  /** Origins allowed to open a WebSocket besides the page's own host; ['*'] allows every origin. */
  allowedOrigins: string[];
  /** Wait after SIGTERM before closing sockets, so load balancers stop routing here first. */
  shutdownDelayMs: number;
  /** Hard bound on the whole shutdown; past it the process exits with code 1. */
  shutdownTimeoutMs: number;
  /** Interval between server pings; a client that misses one whole interval is dropped. */
  pingIntervalMs: number;
  /**
   * Least time between two writes to a room's sockets on this replica; frames that come sooner
   * wait and leave together. 0 writes each tick's frames at once.
   */
  writeIntervalMs: number;
  /** Send-buffer bound per connection; a client that lets it grow past this is disconnected. */
  maxBufferedBytes: number;
  logLevel: LogLevel;
  /** Name of this replica in logs, metrics and the X-Chat-Replica header. */
  replicaId: string;
}

/** A configuration value that cannot be used; `variable` names the environment variable. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the configuration; throws ConfigError on the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return Number(raw);
  };

  const shutdownDelayMs = int('SHUTDOWN_DELAY_MS', 0, 0, 600_000);
  const shutdownTimeoutMs = int('SHUTDOWN_TIMEOUT_MS', 10_000, 100, 3_600_000);
  if (shutdownDelayMs >= shutdownTimeoutMs) {
    throw new ConfigError(
      'SHUTDOWN_DELAY_MS',
      `(${shutdownDelayMs}) must be less than SHUTDOWN_TIMEOUT_MS (${shutdownTimeoutMs}), or sockets never get to close`,
    );
  }
  const port = int('PORT', 8080, 0, 65_535);
  return {
    port,
    host: read('HOST'),
    redisUrl: redisUrlFrom(read),
    channel: channelFrom(read('CHAT_CHANNEL')),
    historySize: int('HISTORY_SIZE', 1000, 0, 1_000_000),
    historyTtlSeconds: int('HISTORY_TTL', 86_400, 0, 10 * 365 * 86_400),
    maxRoomsPerConnection: int('MAX_ROOMS_PER_CONNECTION', 10, 1, 10_000),
    presenceTtlMs: int('PRESENCE_TTL_MS', 15_000, 300, 3_600_000),
    maxMessageBytes: int('MAX_MESSAGE_BYTES', 16_384, 128, 16 * 1024 * 1024),
    rateLimit: int('RATE_LIMIT', 20, 0, 1_000_000),
    allowedOrigins: originsFrom(read('ALLOWED_ORIGINS')),
    shutdownDelayMs,
    shutdownTimeoutMs,
    pingIntervalMs: int('PING_INTERVAL_MS', 25_000, 50, 3_600_000),
    writeIntervalMs: int('WRITE_INTERVAL_MS', 0, 0, 1000),
    maxBufferedBytes: int('MAX_BUFFERED_BYTES', 1024 * 1024, 1024, 1024 * 1024 * 1024),
    logLevel: logLevelFrom(read('LOG_LEVEL')),
    replicaId: read('REPLICA_ID') ?? hostname(),
  };
}

function redisUrlFrom(read: (name: string) => string | undefined): string | null {
  const url = read('REDIS_URL');
  const host = read('REDIS_HOST');
  const port = read('REDIS_PORT');
  if (url !== undefined) {
    if (host !== undefined || port !== undefined) {
      throw new ConfigError('REDIS_URL', 'and REDIS_HOST/REDIS_PORT are both set; set only one of them');
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ConfigError('REDIS_URL', 'is not a URL; expected redis://[:password@]host:port[/db] or rediss://...');
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new ConfigError('REDIS_URL', `must start with redis:// or rediss://, got ${parsed.protocol}//`);
    }
    if (parsed.hostname === '') throw new ConfigError('REDIS_URL', 'has no host');
    if (parsed.pathname !== '' && parsed.pathname !== '/' && !/^\/\d{1,2}$/.test(parsed.pathname)) {
      throw new ConfigError('REDIS_URL', `database must be a number (redis://host:port/0), got ${parsed.pathname}`);
    }
    return url;
  }
  if (host === undefined) {
    if (port !== undefined) throw new ConfigError('REDIS_PORT', 'is set but REDIS_HOST is not');
    return null;
  }
  if (!/^[\w.-]+$|^\[[\da-fA-F:]+\]$/.test(host)) {
    throw new ConfigError('REDIS_HOST', `must be a host name or address, got ${JSON.stringify(host)}`);
  }
  const portNumber = port === undefined ? 6379 : Number(port);
  if (!/^\d+$/.test(port ?? '6379') || portNumber < 1 || portNumber > 65_535) {
    throw new ConfigError('REDIS_PORT', `must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  }
  return `redis://${host}:${portNumber}`;
}

function channelFrom(raw: string | undefined): string {
  if (raw === undefined) return 'chat';
  if (raw.length > 200 || /[\s*?[\]{}]/.test(raw)) {
    throw new ConfigError('CHAT_CHANNEL', 'must be at most 200 characters with no spaces, braces or glob characters');
  }
  return raw;
}

function originsFrom(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const origins = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {}
    if (parsed === undefined || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(
        'ALLOWED_ORIGINS',
        `entries must be origins like https://chat.example.com (scheme, host, optional port) or *, got ${JSON.stringify(origin)}`,
      );
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

function logLevelFrom(raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return level as LogLevel;
}

/** Where the configuration sends logs: never the password in REDIS_URL. */
export function redactRedisUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
