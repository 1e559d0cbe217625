import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has sound defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://localhost:8080',
      databaseUrl: 'sqlite:./data/flux.db',
      databasePoolSize: 20,
      logLevel: 'info',
      sessionTtlHours: 12,
      trustProxy: false,
      demo: false,
      redisUrl: null,
      stunUrls: [],
      turnUrls: [],
      turnSecret: null,
      turnTtlSeconds: 3600,
    });
    expect(c.staticRoot).toMatch(/\/[^/]+$/);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://calls.example/',
      DATABASE_URL: 'postgres://u@db:5432/flux',
      DATABASE_POOL_SIZE: '40',
      LOG_LEVEL: 'WARN',
      SESSION_TTL_HOURS: '24',
      TRUST_PROXY: 'true',
      DEMO: '1',
      REDIS_URL: 'redis://127.0.0.1:6379',
      STUN_URLS: 'stun:a.example:3478, stun:b.example',
      TURN_URLS: 'turn:t.example:3478?transport=udp,turns:t.example:5349',
      TURN_SECRET: 's3cret',
      TURN_TTL_SECONDS: '600',
      STATIC_ROOT: '/srv/flux',
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      publicUrl: 'https://calls.example',
      databaseUrl: 'postgres://u@db:5432/flux',
      databasePoolSize: 40,
      logLevel: 'warn',
      sessionTtlHours: 24,
      trustProxy: true,
      demo: true,
      redisUrl: 'redis://127.0.0.1:6379',
      stunUrls: ['stun:a.example:3478', 'stun:b.example'],
      turnUrls: ['turn:t.example:3478?transport=udp', 'turns:t.example:5349'],
      turnSecret: 's3cret',
      turnTtlSeconds: 600,
      staticRoot: '/srv/flux',
    });
    expect(loadConfig({ PORT: '3000' }).publicUrl).toBe('http://localhost:3000');
  });

  it('turns demo on with --demo', () => {
    expect(loadConfig({}, ['--demo']).demo).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PUBLIC_URL', 'calls.example'],
    ['PUBLIC_URL', 'ftp://calls.example'],
    ['DATABASE_URL', 'mysql://db/flux'],
    ['DATABASE_URL', 'sqlite:'],
    ['DATABASE_POOL_SIZE', '0'],
    ['LOG_LEVEL', 'loud'],
    ['SESSION_TTL_HOURS', '0'],
    ['TRUST_PROXY', 'maybe'],
    ['DEMO', 'yes please'],
    ['REDIS_URL', 'localhost:6379'],
    ['STUN_URLS', 'http://stun.example'],
    ['TURN_TTL_SECONDS', '-5'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('needs TURN_SECRET exactly when TURN_URLS is set', () => {
    expect(() => loadConfig({ TURN_URLS: 'turn:t.example' })).toThrow(/TURN_SECRET.*required/);
    expect(() => loadConfig({ TURN_SECRET: 'x' })).toThrow(/TURN_SECRET/);
    expect(() => loadConfig({ TURN_URLS: 'stun:x', TURN_SECRET: 'x' })).toThrow(/TURN_URLS/);
  });
});
