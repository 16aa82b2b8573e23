import { ConfigError } from '@iotp/broker';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('has defaults that work out of the box', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ HTTP_PORT: 8080, MQTT_PORT: 1883, DATA_DIR: './data', EMBEDDED_PG_PORT: 5433 });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('keeps a deleted account 14 days by default, 0 to 90 when set', () => {
    expect(loadConfig({}).ACCOUNT_DELETION_GRACE_DAYS).toBe(14);
    expect(loadConfig({ ACCOUNT_DELETION_GRACE_DAYS: '0' }).ACCOUNT_DELETION_GRACE_DAYS).toBe(0);
    expect(() => loadConfig({ ACCOUNT_DELETION_GRACE_DAYS: '91' })).toThrow(/ACCOUNT_DELETION_GRACE_DAYS/);
  });

  it('lists every bad variable with what it allows', () => {
    const err = (() => {
      try {
        loadConfig({ HTTP_PORT: '99999', MQTT_PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/HTTP_PORT: must be a port number from 0 to 65535/);
    expect(problems).toMatch(/MQTT_PORT: must be a port number/);
    expect(problems).toMatch(/DATABASE_URL: must be a URL like postgres:\/\//);
    expect(problems).toMatch(/LOG_LEVEL/);
  });

  it('runs every role by default, some when ROLES names them, and names the roles it allows', () => {
    expect([...loadConfig({}).ROLES]).toEqual(['broker', 'api', 'writer', 'worker']);
    expect([...loadConfig({ ROLES: 'all' }).ROLES]).toEqual(['broker', 'api', 'writer', 'worker']);
    expect([...loadConfig({ ROLES: 'API, worker' }).ROLES]).toEqual(['api', 'worker']);
    expect(() => loadConfig({ ROLES: 'broker,db' })).toThrow(
      /ROLES: unknown role db: use all, or some of broker, api, writer, worker/,
    );
    expect(() => loadConfig({ NATS_URL: 'http://x' })).toThrow(/NATS_URL: must be a URL like nats:/);
  });

  it('streams telemetry through JetStream only with NATS_URL', () => {
    expect(loadConfig({}).INGEST).toBe('direct');
    expect(() => loadConfig({ INGEST: 'jetstream' })).toThrow(/INGEST/);
    expect(loadConfig({ INGEST: 'jetstream', NATS_URL: 'nats://127.0.0.1:4222' }).INGEST_STREAM).toBe('IOTP_TELEMETRY');
  });

  it('shares MQTT sessions in Redis only with REDIS_URL', () => {
    expect(loadConfig({}).MQTT_SESSIONS).toBe('memory');
    expect(() => loadConfig({ MQTT_SESSIONS: 'redis' })).toThrow(/MQTT_SESSIONS=redis needs REDIS_URL/);
    expect(() => loadConfig({ MQTT_SESSIONS: 'disk' })).toThrow(/MQTT_SESSIONS/);
  });

  it('reads the PROXY protocol only from named load balancers', () => {
    expect(loadConfig({}).TRUSTED_PROXIES).toEqual([]);
    expect(() => loadConfig({ MQTT_PROXY_PROTOCOL: 'true' })).toThrow(/needs TRUSTED_PROXIES/);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, loopback' }).TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'loopback']);
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/99' })).toThrow(/TRUSTED_PROXIES: .*list addresses or CIDRs/);
  });

  it('takes a broker node for dead only after it missed several beats', () => {
    expect(loadConfig({ BROKER_HEARTBEAT_MS: '10000', BROKER_NODE_TIMEOUT_MS: '40000' }).BROKER_NODE_TIMEOUT_MS).toBe(
      40_000,
    );
    expect(() => loadConfig({ BROKER_HEARTBEAT_MS: '10000', BROKER_NODE_TIMEOUT_MS: '30000' })).toThrow(
      /BROKER_NODE_TIMEOUT_MS must be at least four times BROKER_HEARTBEAT_MS/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});
