import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './servers.ts';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** Which samples count: the profile of process `pid`, between `fromMs` and `toMs` after the profile started. */
export type ProfileWindow = { readonly pid: number; readonly fromMs: number; readonly toMs: number };

/** One line of a profile summary: where self time went. */
export type Hotspot = { readonly name: string; readonly ms: number; readonly share: number };

/**
 * Self time by function and by where the code lives (our src/, node internals, a dependency), and the inclusive
 * time of the mock's own functions (src/ or dist/, with everything they call); busy time only.
 */
export type ProfileSummary = {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly functions: Hotspot[];
  readonly places: Hotspot[];
  readonly ours: Hotspot[];
};

/** Reads the `.cpuprofile` that `node --cpu-prof` wrote into `dir` for one process and sums self time in a window. */
export async function summariseProfile(dir: string, window: ProfileWindow, top = 25): Promise<ProfileSummary> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.cpuprofile') && file.includes(`.${window.pid}.`));
  if (files.length === 0) throw new Error(`no .cpuprofile of process ${window.pid} in ${dir}`);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    let at = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      const us = profile.timeDeltas[i] ?? 0;
      at += us;
      // Only the measured run: not start-up, not minting the run's tokens.
      if (at < window.fromMs * 1000 || at > window.toMs * 1000) continue;
      const frame = nodes.get(profile.samples[i] as number)?.callFrame;
      if (!frame || frame.functionName === '(idle)') {
        idle += us;
        continue;
      }
      busy += us;
      add(byFunction, nameOf(frame), us);
      add(byPlace, placeOf(frame), us);
      const seen = new Set<string>();
      for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parents.get(id)) {
        const caller = nodes.get(id)?.callFrame;
        if (!caller || own(caller.url) === undefined) continue;
        const name = nameOf(caller);
        if (!seen.has(name)) add(inclusive, name, us);
        seen.add(name);
      }
    }
  }
  const rank = (map: Map<string, number>): Hotspot[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: busy > 0 ? us / busy : 0 }));
  return { busyMs: busy / 1000, idleMs: idle / 1000, functions: rank(byFunction), places: rank(byPlace), ours: rank(inclusive) };
}

function nameOf(frame: CallFrame): string {
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

const SRC = `${pathToFileURL(ROOT).href}src/`;

/** `src/…` or `dist/…` for the mock's own code (run from the repo or from an installed copy). */
function own(url: string): string | undefined {
  const installed = /\/node_modules\/worth-auth-mock\/(dist\/.+)$/.exec(url)?.[1];
  if (installed) return installed;
  return url.startsWith(SRC) ? `src/${url.slice(SRC.length)}` : undefined;
}

function shortUrl(url: string): string {
  const mine = own(url);
  if (mine) return mine;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return url.slice(modules + 'node_modules/'.length);
  return url.replace(/^node:/, '');
}

function placeOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 2 ? `internal/${parts[1]}` : parts.slice(0, 2).join('/')}`;
  }
  const mine = own(url);
  if (mine) return mine;
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string);
  }
  return url;
}

/** A Markdown table of the hotspots. */
export function hotspotTable(title: string, spots: readonly Hotspot[], kind = 'self'): string {
  const rows = spots.map((spot) => `| ${(spot.share * 100).toFixed(1)}% | ${spot.ms.toFixed(0)} | \`${spot.name.replace(/\|/g, '\\|')}\` |`);
  return [`| ${kind} (of busy) | ms | ${title} |`, '|---:|---:|---|', ...rows].join('\n');
}
