import { IsInt, Min } from 'class-validator';
import { BaseConfig, ConfigError, loadConfig } from './config';

class SampleConfig extends BaseConfig {
  @IsInt() @Min(1) SAMPLE_LIMIT = 5;
}

const realSecrets = { REDIS_URL: 'redis://cc:real-redis@r:6379', KAFKA_PASSWORD: 'real-kafka' };
const load = (env: Record<string, string>) =>
  loadConfig(SampleConfig, env, { PORT: 3999, DATABASE_URL: 'postgres://x@h/db' });

describe('configuration', () => {
  it('takes defaults and parses numbers from the environment', () => {
    const config = load({ SAMPLE_LIMIT: '12', KAFKA_BROKERS: 'a:9092,b:9092' });
    expect(config.SAMPLE_LIMIT).toBe(12);
    expect(config.PORT).toBe(3999);
    expect(config.KAFKA_BROKERS).toBe('a:9092,b:9092');
  });

  it('names every bad setting', () => {
    expect(() => load({ SAMPLE_LIMIT: '0', REDIS_URL: 'http://nope', PORT: 'eighty' })).toThrow(ConfigError);
    try {
      load({ SAMPLE_LIMIT: '0', REDIS_URL: 'http://nope', PORT: 'eighty' });
    } catch (e) {
      expect((e as Error).message).toMatch(/SAMPLE_LIMIT/);
      expect((e as Error).message).toMatch(/REDIS_URL/);
      expect((e as Error).message).toMatch(/PORT/);
    }
  });

  it('refuses to start in production without a signing secret', () => {
    expect(() => load({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set when NODE_ENV=production/);
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(
      /at least 32 characters \(got \(hidden\)\)/,
    );
    expect(load({ ...realSecrets, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).jwtSecret).toBe('x'.repeat(40));
  });

  it('authenticates to Kafka as the given principal with its development password, unless told otherwise', () => {
    expect(load({ KAFKA_SASL_MECHANISM: 'scram-sha-256' }).kafkaAuth('orders')).toEqual({
      sasl: { mechanism: 'scram-sha-256', username: 'orders', password: 'cc-dev-orders' },
      ssl: false,
    });
    expect(
      load({
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_USERNAME: 'orders-eu',
        KAFKA_PASSWORD: 'pw',
        KAFKA_SSL: 'true',
      }).kafkaAuth('orders'),
    ).toEqual({ sasl: { mechanism: 'scram-sha-256', username: 'orders-eu', password: 'pw' }, ssl: true });
    expect(load({ KAFKA_SASL_MECHANISM: 'none' }).kafkaAuth('orders')).toEqual({ ssl: false });
    expect(() => load({ KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });

  it('refuses to start in production with a development password for Kafka, PostgreSQL or Redis', () => {
    const production = { ...realSecrets, NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) };
    expect(() => load({ ...production, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_PASSWORD: '' })).toThrow(
      /KAFKA_PASSWORD: must be set/,
    );
    expect(() =>
      load({ ...production, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_PASSWORD: 'cc-dev-orders' }),
    ).toThrow(/KAFKA_PASSWORD: must be set/);
    expect(() => load({ ...production, REDIS_URL: 'redis://cc:cc-dev-redis@r:6379' })).toThrow(
      /REDIS_URL: carries a development password/,
    );
    expect(() => load({ ...production, DATABASE_URL: 'postgres://orders:cc-dev-orders@db/orders' })).toThrow(
      /DATABASE_URL: carries a development password/,
    );
    expect(() => load({ ...production, DATABASE_URL: 'postgres://orders:cc-dev-orders@db/orders' })).not.toThrow(
      /\bpw\b|real-/,
    ); // secrets never printed
  });
});
