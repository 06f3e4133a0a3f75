import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactRedisUrl } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults: port 8080, in-process broker, channel "chat"', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      redisUrl: null,
      channel: 'chat',
      maxMessageBytes: 16384,
      shutdownDelayMs: 0,
      pingIntervalMs: 25000,
      writeIntervalMs: 0,
      logLevel: 'info',
      allowedOrigins: [],
    });
    expect(config.replicaId).not.toBe('');
  });

  it("builds the Redis URL from the article's REDIS_HOST and REDIS_PORT", () => {
    expect(loadConfig({ REDIS_HOST: 'redis', REDIS_PORT: '6380' }).redisUrl).toBe('redis://redis:6380');
    expect(loadConfig({ REDIS_HOST: 'redis' }).redisUrl).toBe('redis://redis:6379');
  });

  it('takes REDIS_URL with password, database and TLS', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://:s3cret@cache.example.com:6380/2' }).redisUrl).toBe(
      'rediss://:s3cret@cache.example.com:6380/2',
    );
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      CHAT_CHANNEL: 'lobby',
      MAX_MESSAGE_BYTES: '1024',
      RATE_LIMIT: '0',
      ALLOWED_ORIGINS: 'https://a.example.com, http://b.example.com:8080/',
      SHUTDOWN_DELAY_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '20000',
      PING_INTERVAL_MS: '1000',
      WRITE_INTERVAL_MS: '5',
      MAX_BUFFERED_BYTES: '65536',
      LOG_LEVEL: 'DEBUG',
      REPLICA_ID: 'chat-0',
    });
    expect(config).toMatchObject({
      port: 9000,
      channel: 'lobby',
      maxMessageBytes: 1024,
      rateLimit: 0,
      allowedOrigins: ['https://a.example.com', 'http://b.example.com:8080'],
      shutdownDelayMs: 5000,
      shutdownTimeoutMs: 20000,
      pingIntervalMs: 1000,
      writeIntervalMs: 5,
      maxBufferedBytes: 65536,
      logLevel: 'debug',
      replicaId: 'chat-0',
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ MAX_MESSAGE_BYTES: '0' }, 'MAX_MESSAGE_BYTES'],
    [{ RATE_LIMIT: 'fast' }, 'RATE_LIMIT'],
    [{ PING_INTERVAL_MS: '10' }, 'PING_INTERVAL_MS'],
    [{ WRITE_INTERVAL_MS: '2000' }, 'WRITE_INTERVAL_MS'],
    [{ WRITE_INTERVAL_MS: '2.5' }, 'WRITE_INTERVAL_MS'],
    [{ SHUTDOWN_TIMEOUT_MS: '1s' }, 'SHUTDOWN_TIMEOUT_MS'],
    [{ SHUTDOWN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000' }, 'SHUTDOWN_DELAY_MS'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://redis:6379/db' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://a:1', REDIS_HOST: 'b' }, 'REDIS_URL'],
    [{ REDIS_PORT: '6379' }, 'REDIS_PORT'],
    [{ REDIS_HOST: 'redis', REDIS_PORT: 'x' }, 'REDIS_PORT'],
    [{ REDIS_HOST: 'bad host' }, 'REDIS_HOST'],
    [{ CHAT_CHANNEL: 'chat*' }, 'CHAT_CHANNEL'],
    [{ ALLOWED_ORIGINS: 'example.com' }, 'ALLOWED_ORIGINS'],
    [{ ALLOWED_ORIGINS: 'https://example.com/path' }, 'ALLOWED_ORIGINS'],
  ])('refuses %o, naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message.startsWith(variable)).toBe(true);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: ' ' })).toMatchObject({ port: 8080, redisUrl: null });
  });
});

describe('redactRedisUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactRedisUrl('redis://user:s3cret@host:6379/1')).toBe('redis://user:***@host:6379/1');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
