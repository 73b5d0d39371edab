import { startMockServer, startPrism } from './servers.ts';

/** Start-up times (spawn to first answer) of several runs, and their median. */
export type Startup = { readonly medianMs: number; readonly runsMs: readonly number[] };

/** Spawns the mock's bin `runs` times, one after the other; each run ends at its first answered request. */
export function mockStartup(runs: number, bin: string): Promise<Startup> {
  return repeat(runs, () => startMockServer({ bin }));
}

/** The same for `prism mock` on the same spec. */
export function prismStartup(runs: number, operationPath: string): Promise<Startup> {
  return repeat(runs, () => startPrism(operationPath));
}

async function repeat(runs: number, start: typeof startMockServer): Promise<Startup> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const server = await start();
    times.push(server.startMs);
    await server.stop();
  }
  return { medianMs: median(times), runsMs: times };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
