import { IsInt, Min } from 'class-validator';
import { BaseConfig, ConfigError, loadConfig } from './config';

class SampleConfig extends BaseConfig {
  @IsInt() @Min(1) SAMPLE_LIMIT = 5;
}

const load = (env: Record<string, string>) => loadConfig(SampleConfig, env, { PORT: 3999, DATABASE_URL: 'postgres://x@h/db' });

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
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32 characters \(got \(hidden\)\)/);
    expect(load({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }).jwtSecret).toBe('x'.repeat(40));
  });
});
