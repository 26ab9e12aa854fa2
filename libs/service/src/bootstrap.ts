// Creates and starts a service's HTTP process: logs, correlation ids, validation, problem+json,
// OpenAPI at /docs, graceful shutdown.
import { DynamicModule, LoggerService } from '@nestjs/common';
import { ModulesContainer, NestFactory, Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { openApiDocument } from './openapi';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import {
  answerParserErrorsAsProblems,
  BaseConfig,
  ConfigError,
  correlationMiddleware,
  createLogger,
  createValidationPipe,
  InputGuard,
  installBodyParsers,
  Metrics,
  ProblemFilter,
  stopTracing,
} from '@cc/platform';
import { installProfilerSignal } from './profiler';
import { ServiceRuntime } from './runtime';
import { LOGGER } from './tokens';

class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP']; // not SIGUSR2: the bench's profiler toggle

/** Builds the Nest application (not yet listening); tests call this and then `listen(0)`. */
export async function createServiceApp(
  module: DynamicModule,
  title: string,
  options: { openApi?: boolean; shutdownHooks?: boolean } = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { rawBody: true, bufferLogs: true });
  const logger = app.get<Logger>(LOGGER);
  const metrics = app.get(Metrics);
  app.useLogger(new PinoNestLogger(logger));
  app.use(correlationMiddleware);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () =>
      stop({ method: req.method, route: req.route?.path ?? 'unmatched', status: String(res.statusCode) }),
    );
    next();
  });
  // the app's validated config, whichever BaseConfig subclass its module provides
  const config = [...app.get(ModulesContainer).values()]
    .flatMap((m) => [...m.providers.values()])
    .map((p) => p.instance)
    .find((i): i is BaseConfig => i instanceof BaseConfig);
  installBodyParsers(app, config?.HTTP_BODY_LIMIT_BYTES ?? new BaseConfig().HTTP_BODY_LIMIT_BYTES);
  answerParserErrorsAsProblems(app.getHttpServer());
  app.useGlobalGuards(new InputGuard(app.get(Reflector)));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemFilter(logger));
  // runService installs its own, bounded (stopOnSignals)
  if (options.shutdownHooks !== false) app.enableShutdownHooks(STOP_SIGNALS);
  if (options.openApi !== false) {
    SwaggerModule.setup('docs', app, openApiDocument(app, title, title));
  }
  return app;
}

/** The main() of every service: validated config, then the app, then listen. */
export async function runService(
  name: string,
  load: () => BaseConfig,
  module: (config: BaseConfig) => DynamicModule,
): Promise<void> {
  let config: BaseConfig;
  try {
    config = load();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${name}: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  installProfilerSignal(name, process.env.CPU_PROFILE_DIR, logger);
  try {
    const app = await createServiceApp(module(config), name, { shutdownHooks: false });
    stopOnSignals(app, name, config.SHUTDOWN_TIMEOUT_MS, logger);
    await app.listen(config.PORT, '0.0.0.0');
    logger.info({ port: config.PORT, namespace: config.NAMESPACE || undefined }, `${name} listening`);
  } catch (err) {
    // a half-started service is worse than none: exit, and let the supervisor start it again
    logger.fatal({ err }, `${name} failed to start`);
    process.exit(1);
  }
}

/**
 * SIGTERM (or SIGINT, SIGHUP) closes the app in bounded steps (ServiceRuntime) and exits 0 when
 * every step finished, 1 when one overran. Whatever hangs, the process is gone SHUTDOWN_TIMEOUT_MS
 * after the signal, having logged what was still running: a supervisor's SIGKILL must never be
 * what decides what in-flight work is lost.
 */
function stopOnSignals(app: NestExpressApplication, name: string, timeoutMs: number, logger: Logger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return; // a second signal changes nothing: the bound holds
    stopping = true;
    const started = Date.now();
    const runtime = app.get(ServiceRuntime, { strict: false });
    logger.info({ signal, timeoutMs }, `${name} stopping`);
    const watchdog = setTimeout(() => {
      const stillRunning = runtime.shutdown ? [...runtime.shutdown.running] : ['starting up'];
      logger.fatal(
        { stillRunning, timeoutMs },
        `${name} did not stop within SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms); exiting with what was still running: ${stillRunning.join(', ') || 'the framework'}`,
      );
      process.exit(1);
    }, timeoutMs);
    app.close().then(
      async () => {
        // the spans still buffered go out first (bounded by the same watchdog)
        await stopTracing();
        clearTimeout(watchdog);
        const overran = runtime.shutdown?.overran ?? [];
        if (overran.length)
          logger.warn({ ms: Date.now() - started, overran }, `${name} stopped, leaving behind: ${overran.join(', ')}`);
        else logger.info({ ms: Date.now() - started }, `${name} stopped`);
        process.exit(overran.length ? 1 : 0);
      },
      (err) => {
        logger.fatal({ err, ms: Date.now() - started }, `${name} failed while stopping`);
        process.exit(1);
      },
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
}
