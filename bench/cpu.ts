// CPU time of processes, read from /proc (Linux): what the benchmarks divide by orders, or by
// seconds at rest.
import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime of a process, in clock ticks (100 a second); 0 once it is gone. */
export function cpuTicks(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // gone (a PostgreSQL backend that ended)
  }
}

/** CPU ticks of every process whose command line matches, by name (the broker, PostgreSQL, Redis). */
export function infraTicks(): Record<string, number> {
  const groups: Record<string, RegExp> = {
    kafka: /kafka\.Kafka/,
    postgres: /^postgres|^\/usr\/lib\/postgresql/,
    redis: /^redis-server/,
  };
  const ticks: Record<string, number> = { kafka: 0, postgres: 0, redis: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    for (const [name, re] of Object.entries(groups)) if (re.test(cmd)) ticks[name] += cpuTicks(Number(pid));
  }
  return ticks;
}
