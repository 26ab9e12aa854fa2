// Starts one service in-process on a fresh database and its own Kafka/BullMQ namespace, so test
// files never see each other's events or jobs.
import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BaseConfig } from '@cc/platform';
import { adminConnection, adminKafka, provisionNamespace } from '@cc/messaging';
import { createServiceApp, ServiceOptions, ServiceRuntime } from '@cc/service';
import { freshDatabase, ServiceName } from './databases';
import { SERVICES } from './services';

export const newNamespace = () => `t${randomBytes(4).toString('hex')}`;

// a namespace's topics and ACLs are made once, by the broker's super user, before its first service starts
const provisioned = new Map<string, Promise<void>>();
function provision(namespace: string, env: Record<string, string | undefined>): Promise<void> {
  if (!provisioned.has(namespace)) {
    const kafka = adminKafka('tests-provision', env);
    const done = provisionNamespace(kafka, {
      namespace,
      partitions: Number(env.KAFKA_PARTITIONS ?? 3),
      acls: adminConnection(env).sasl !== undefined,
    });
    provisioned.set(
      namespace,
      done.catch((e) => {
        provisioned.delete(namespace);
        throw e;
      }),
    );
  }
  return provisioned.get(namespace)!;
}

/** The broker settings of the shell (another broker, or a plaintext one), handed to the services. */
export const brokerEnv = () =>
  Object.fromEntries(
    ['KAFKA_BROKERS', 'KAFKA_SASL_MECHANISM', 'KAFKA_SSL']
      .filter((k) => process.env[k])
      .map((k) => [k, process.env[k]!]),
  );

export interface RunningService<C extends BaseConfig = BaseConfig> {
  app: INestApplication;
  url: string;
  config: C;
  dataSource: DataSource;
  runtime: ServiceRuntime;
  close: () => Promise<void>;
}

export async function startService<C extends BaseConfig = BaseConfig>(
  service: ServiceName,
  options: {
    namespace: string;
    env?: Record<string, string>;
    overrides?: Partial<ServiceOptions>;
    databaseUrl?: string;
  },
): Promise<RunningService<C>> {
  const def = SERVICES[service];
  await provision(options.namespace, { ...process.env, KAFKA_PARTITIONS: '3', ...options.env });
  const db = options.databaseUrl ? undefined : await freshDatabase(service);
  const config = def.load({
    NODE_ENV: 'test',
    PORT: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    DATABASE_URL: options.databaseUrl ?? db!.url,
    NAMESPACE: options.namespace,
    KAFKA_PARTITIONS: '3',
    OUTBOX_POLL_MS: '200',
    CONSUMER_RETRY_BASE_MS: '20',
    ...brokerEnv(),
    ...options.env,
  }) as unknown as C;
  const app = await createServiceApp(def.module(config, options.overrides ?? {}), service);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    config,
    dataSource: app.get(DataSource),
    runtime: app.get(ServiceRuntime),
    close: async () => {
      await app.close();
      await db?.drop();
    },
  };
}
