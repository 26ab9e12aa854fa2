// A Kafka broker of a test file's own (deploy/kafka.sh on free ports, its data in a temporary
// directory), for tests that stop and start the broker: the shared one on 9092 is never touched.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../../scripts/platform';

const run = promisify(execFile);
const script = join(__dirname, '..', '..', 'deploy', 'kafka.sh');

export class PrivateBroker {
  private constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly home: string,
  ) {}

  /** Formats and starts a plaintext single-node broker on free ports. */
  static async start(): Promise<PrivateBroker> {
    const [port, controllerPort] = await freePorts(2);
    const home = mkdtempSync(join(tmpdir(), 'cc-kafka-'));
    const env = {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HOME_DIR: home,
      KAFKA_SECURITY: 'plaintext',
      KAFKA_HEAP: '384m',
    };
    const broker = new PrivateBroker(port, env, home);
    await broker.up();
    return broker;
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same data). */
  async up(): Promise<void> {
    await run('bash', [script, 'start'], { env: this.env, timeout: 120_000 });
  }

  /** Stops it (SIGTERM, as an operator would). */
  async down(): Promise<void> {
    await run('bash', [script, 'stop'], { env: this.env, timeout: 60_000 });
  }

  /** Stops it and removes its data. */
  async remove(): Promise<void> {
    await this.down().catch(() => undefined);
    rmSync(this.home, { recursive: true, force: true });
  }
}
