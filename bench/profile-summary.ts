// Summarises V8 .cpuprofile files (from the bench's --profile run, or any other): for each
// profile, where the sampled CPU time went by package (self time) and the top functions.
//   node dist/bench/profile-summary.js <dir-or-files...> [--top 15]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  busyMs: number;
  byPackage: { name: string; ms: number; percentOfBusy: number }[];
  topFunctions: { name: string; where: string; ms: number; percentOfBusy: number }[];
}

/** Which part of the code a frame belongs to: an npm package, one of ours, Node itself, or V8. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const ours = /\/dist\/((?:apps|libs)\/[^/]+)\//.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return 'node (runtime)';
  return url;
}

export function summarise(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const packages = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; ms: number }>();
  let sampled = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    sampled += ms;
    if (functionName === '(idle)') idle += ms;
    const pkg = packageOf(url, functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + ms);
    const where = url ? `${pkg === url ? basename(url) : `${pkg}/${basename(url)}`}:${lineNumber + 1}` : '';
    const key = `${functionName}|${where}`;
    const f = functions.get(key) ?? { name: functionName || '(anonymous)', where, ms: 0 };
    f.ms += ms;
    functions.set(key, f);
  }
  const busy = sampled - idle;
  const pct = (ms: number) => Number(((ms / busy) * 100).toFixed(1));
  return {
    file: basename(file),
    sampledMs: Math.round(sampled),
    busyMs: Math.round(busy),
    byPackage: [...packages]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([name, ms]) => ({ name, ms: Math.round(ms), percentOfBusy: pct(ms) })),
    topFunctions: [...functions.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top)
      .map((f) => ({ ...f, ms: Math.round(f.ms), percentOfBusy: pct(f.ms) })),
  };
}

export function print(summary: ProfileSummary, packages = 12): void {
  console.log(
    `\n${summary.file}: busy ${(summary.busyMs / 1000).toFixed(1)} s of ${(summary.sampledMs / 1000).toFixed(1)} s sampled`,
  );
  console.log(
    `  by package (self time): ${summary.byPackage
      .slice(0, packages)
      .map((p) => `${p.name} ${p.percentOfBusy}%`)
      .join(', ')}`,
  );
  for (const f of summary.topFunctions) console.log(`  ${String(f.percentOfBusy).padStart(5)}%  ${f.name}  ${f.where}`);
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) : 15;
  const files = args
    .filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--top')
    .flatMap((a) =>
      statSync(a).isDirectory()
        ? readdirSync(a)
            .filter((f) => f.endsWith('.cpuprofile'))
            .map((f) => join(a, f))
        : [a],
    );
  if (!files.length) {
    console.error('usage: profile-summary <dir-or-.cpuprofile files...> [--top 15]');
    process.exit(2);
  }
  for (const file of files) print(summarise(file, top));
}
