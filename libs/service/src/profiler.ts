// On-demand CPU profile for benchmarks: with CPU_PROFILE_DIR set, the first SIGUSR2 starts V8's
// sampling profiler and the next one writes `<dir>/<service>-<pid>.cpuprofile` (open it in Chrome
// DevTools, or summarise it with `node dist/bench/profile-summary.js <dir>`). Unset, nothing runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import type { Logger } from 'pino';

export function installProfilerSignal(name: string, dir: string | undefined, logger: Logger): void {
  if (!dir) return;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))),
    );
  let running = false;
  process.on('SIGUSR2', () => {
    const step = running
      ? post('Profiler.stop').then((result) => {
          mkdirSync(dir, { recursive: true });
          const file = join(dir, `${name}-${process.pid}.cpuprofile`);
          writeFileSync(file, JSON.stringify((result as { profile: unknown }).profile));
          logger.warn({ file }, 'cpu profile written');
        })
      : post('Profiler.enable')
          .then(() => post('Profiler.setSamplingInterval', { interval: 1000 }))
          .then(() => post('Profiler.start'))
          .then(() => logger.warn('cpu profile started'));
    running = !running;
    step.catch((err) => logger.error({ err }, 'cpu profiler failed'));
  });
}
