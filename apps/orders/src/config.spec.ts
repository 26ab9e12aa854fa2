import { ConfigError } from '@cc/platform';
import { loadOrdersConfig } from './config';

describe('orders configuration', () => {
  const production = {
    NODE_ENV: 'production',
    JWT_SECRET: 'x'.repeat(32),
    DATABASE_URL: 'postgres://orders:real@db/orders',
    REDIS_URL: 'redis://cc:real@redis:6379',
    KAFKA_PASSWORD: 'real',
  };

  it('defaults to port 3002, the orders database and the simulated payment provider', () => {
    const config = loadOrdersConfig({});
    expect([config.PORT, config.DATABASE_URL, config.PAYMENT_PROVIDER]).toEqual([
      3002,
      'postgres://orders:cc-dev-orders@127.0.0.1:5432/orders',
      'simulated',
    ]);
  });

  it('refuses to start in production with PAYMENT_PROVIDER=simulated unless ALLOW_SIMULATED_PROVIDERS=true, and says why', () => {
    expect(() => loadOrdersConfig(production)).toThrow(ConfigError);
    expect(() => loadOrdersConfig(production)).toThrow(
      /PAYMENT_PROVIDER: "simulated" takes no real payment[\s\S]*ALLOW_SIMULATED_PROVIDERS: NODE_ENV=production refuses to start with a simulated provider/,
    );
    expect(loadOrdersConfig({ ...production, ALLOW_SIMULATED_PROVIDERS: 'true' }).PAYMENT_PROVIDER).toBe('simulated');
  });

  it('lets development and tests run on the simulated provider without the setting', () => {
    expect(loadOrdersConfig({ NODE_ENV: 'development' }).ALLOW_SIMULATED_PROVIDERS).toBe('false');
    expect(loadOrdersConfig({ NODE_ENV: 'test' }).PAYMENT_PROVIDER).toBe('simulated');
  });
});
