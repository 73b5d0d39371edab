import { type LaunchOptions, type Running, startMockServer, startPrism } from './servers.ts';

/** Start-up times (spawn to first answer) of several runs, and their median. */
export type Startup = { readonly medianMs: number; readonly runsMs: readonly number[] };

/** The ways of starting the mock measured side by side, each run of each in turn (a burst of other work weighs alike). */
export type MockStartups = {
  /** `node node_modules/worth-auth-mock/bin/worth-auth-mock.js start`: the installed bin on the built JavaScript. */
  readonly bin: Startup;
  /** `npx worth-auth-mock start` from the project that has it installed. */
  readonly npx?: Startup | undefined;
  /** npx's own overhead: the median of each round's npx − bin. */
  readonly npxOverheadMs?: number | undefined;
  /** The installed bin with `--api <the Case Service document>`. */
  readonly api: Startup;
  /** What mounting the document adds: the median of each round's api − bin. */
  readonly apiAddsMs: number;
  /** The repo's bin on src/ (type stripping), when the bench runs an installed copy beside it. */
  readonly source?: Startup | undefined;
};

/** What to start: the installed bin, the project it is installed in (for npx), the document to mount, the repo's bin. */
export type StartupPlan = { readonly bin: string; readonly project?: string | undefined; readonly document: string; readonly sourceBin?: string | undefined };

/** Spawns each way of starting the mock `runs` times, the ways taking turns; each run ends at its first answered request. */
export async function mockStartups(runs: number, plan: StartupPlan): Promise<MockStartups> {
  const ways: [string, LaunchOptions][] = [
    ['bin', { bin: plan.bin }],
    ['api', { bin: plan.bin, args: ['--api', plan.document] }],
    ...(plan.project === undefined ? [] : [['npx', { npxFrom: plan.project }] as [string, LaunchOptions]]),
    ...(plan.sourceBin === undefined ? [] : [['source', { bin: plan.sourceBin }] as [string, LaunchOptions]]),
  ];
  const times = new Map<string, number[]>(ways.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, options] of ways) (times.get(name) as number[]).push(await once(() => startMockServer(options)));
  }
  const of = (name: string): Startup | undefined => {
    const ms = times.get(name);
    return ms === undefined ? undefined : { medianMs: median(ms), runsMs: ms };
  };
  /** The median of each round's difference between two ways. */
  const added = (name: string) => {
    const ms = times.get(name);
    const bin = times.get('bin') as number[];
    return ms === undefined ? undefined : median(ms.map((each, round) => each - (bin[round] as number)));
  };
  return {
    bin: of('bin') as Startup,
    npx: of('npx'),
    npxOverheadMs: added('npx'),
    api: of('api') as Startup,
    apiAddsMs: added('api') as number,
    source: of('source'),
  };
}

/** The same for `prism mock` on the same spec. */
export async function prismStartup(runs: number, operationPath: string): Promise<Startup> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once(() => startPrism({ method: 'POST', path: operationPath })));
  return { medianMs: median(times), runsMs: times };
}

async function once(start: () => Promise<Running>): Promise<number> {
  const server = await start();
  await server.stop();
  return server.startMs;
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
