// The paths measured one after the other: on each, the mock (and the mock with `--log off`), bare Node and Prism
// under the same load, in rounds, at each connection count.

import { fmt, type Row } from './figures.ts';
import { combine, type Measured, measure, measureOn, type Traffic } from './load.ts';
import { type PathContext, signingRate } from './path-kit.ts';
import { PATHS, type PathName, type PathSetup } from './path-types.ts';
import { setupPath } from './paths.ts';
import type { Plan } from './plan.ts';
import { type Kind, type Running, startBare } from './servers.ts';
import { median } from './startup.ts';

/** Which server a measurement is of: the mock as users run it, the same with `--log off` (quiet), or a reference. */
type Label = 'bare' | 'mock' | 'quiet' | 'prism';

/** The servers the run keeps for every path: bare Node answering logout's 200, and Prism on a document (started once each). */
export type Shared = {
  readonly bare: Running;
  prism(document: string | undefined): Promise<Running>;
};

/** What the paths measured: a row per path and connection count, and jose.jwtVerify's one-core rate (verify path). */
export type PathResults = { readonly rows: Row[]; readonly jwtVerifyPerSecond: number | undefined };

/** The paths held to a CPU-per-request target of 0.9 against bare Node: they get `plan.targetRounds`. */
const TARGET_PATHS: ReadonlySet<PathName> = new Set(['no-token', 'pooled']);
/** The one-core and two-core rates (jwtVerify, signing work) are taken after every this many rounds. */
const RATE_EVERY = 3;
/** How long Prism is left to finish what its last run left it (its request log) before the next server's run. */
const PRISM_SETTLE_MS = 500;

export async function measurePaths(
  paths: readonly PathName[],
  plan: Plan,
  context: PathContext,
  shared: Shared,
  count: (server: Running, m: Measured) => void,
  progress: (text: string) => void,
): Promise<PathResults> {
  const rows: Row[] = [];
  let jwtVerifyPerSecond: number | undefined;
  for (const path of paths) {
    progress(`path ${path}: ${PATHS[path].label}`);
    const setup = await setupPath(path, context);
    // bare Node answers the operation's own 200 example, where the path gives one (logout's otherwise).
    const bare = setup.bareBody === undefined ? undefined : await startBare(setup.bareBody);
    try {
      const prism = await shared.prism(setup.document);
      const measured = await measurePath(setup, plan, { bare: bare ?? shared.bare, prism }, count, progress);
      rows.push(...measured.rows);
      jwtVerifyPerSecond = measured.jwtVerifyPerSecond ?? jwtVerifyPerSecond;
    } finally {
      await setup.close();
      await bare?.stop();
    }
  }
  return { rows, jwtVerifyPerSecond };
}

async function measurePath(
  setup: PathSetup,
  plan: Plan,
  servers: { bare: Running; prism: Running },
  count: (server: Running, m: Measured) => void,
  progress: (text: string) => void,
): Promise<PathResults> {
  const path = setup.name;
  const { signs, once } = PATHS[path];
  const compared: [Label, Kind, Running][] = [
    ['mock', 'mock', setup.mock],
    ...(setup.quiet ? [['quiet', 'mock', setup.quiet] as [Label, Kind, Running]] : []),
    // A path that signs is held to its signing work's rate, not to bare Node.
    ...(signs === undefined ? [['bare', 'bare', servers.bare] as [Label, Kind, Running]] : []),
  ];
  const all: [Label, Kind, Running][] = [...compared, ['prism', 'prism', servers.prism]];
  const rows: Row[] = [];
  const jwtRates: number[] = [];
  const signingRates: number[] = [];
  for (const [i, connections] of plan.connections.entries()) {
    const runs: Record<Label, Measured[]> = { mock: [], quiet: [], bare: [], prism: [] };
    const levelSigning: number[] = [];
    /** One measured run of `server`, kept with its label's runs and counted. */
    const run = async (label: Label, kind: Kind, server: Running, load: Traffic, seconds: number) => {
      const m = await measureOn(server, setup.at[kind], load, setup.bound(connections, seconds));
      count(server, m);
      runs[label].push(m);
      progress(`  ${label} @${connections}: ${fmt(m.rps)} req/s, p99 ${m.p99} ms, ${m.cpuUs?.toFixed(1) ?? '?'} µs CPU/request`);
    };
    const rounds = once ? plan.onceRounds : TARGET_PATHS.has(path) ? plan.targetRounds : plan.rounds;
    for (let round = 0; round < rounds; round++) {
      // The mock's traffic first (the paths that use each token once mint them then; the others replay them), then the
      // warm-ups, so that what minting left for the GC is not collected inside a measured run.
      const traffic = new Map<Label, Traffic>();
      for (const [label, kind, server] of compared) traffic.set(label, await setup.traffic(kind, connections, server));
      if (round === 0) {
        // A mock just started needs seconds, not requests, to reach steady state: V8 tiers its code up and
        // grows its young generation; its first level gets a longer warm-up (every server alike).
        const seconds = i === 0 ? plan.warmupSeconds * 3 : plan.warmupSeconds;
        for (const [, kind, server] of all) count(server, await measure(server.origin, setup.at[kind], setup.warmup(kind, server), { connections, seconds }));
      }
      // Each round starts with the next server, so none always runs first.
      for (const [label, kind, server] of rotated(compared, round)) await run(label, kind, server, traffic.get(label) as Traffic, plan.seconds);
      // jwtVerify's and the signing work's own rates, taken in turns with the runs they are compared with.
      if (round % RATE_EVERY === 0) {
        if (setup.jwtVerifyRate && i === 0) jwtRates.push(await setup.jwtVerifyRate(plan.jwtSeconds));
        if (signs) levelSigning.push(await signingRate(signs, plan.jwtSeconds));
      }
    }
    // Prism apart, after the others: it goes on working (its request log) for a moment after its load stops.
    const prismTraffic = await setup.traffic('prism', connections, servers.prism);
    for (let n = 0; n < (once ? 1 : plan.prismRounds); n++) {
      await run('prism', 'prism', servers.prism, prismTraffic, plan.prismSeconds);
      await new Promise((resolve) => setTimeout(resolve, PRISM_SETTLE_MS));
    }
    signingRates.push(...levelSigning);
    rows.push(row(path, connections, runs, signs ? median(levelSigning) : undefined));
  }
  if (jwtRates.length > 0) progress(`  jose.jwtVerify one core: ${jwtRates.map(fmt).join(', ')}/s`);
  if (signingRates.length > 0) progress(`  signing work, two cores: ${signingRates.map(fmt).join(', ')}/s`);
  return { rows, jwtVerifyPerSecond: jwtRates.length > 0 ? median(jwtRates) : undefined };
}

/** One row of the report from a path's runs at one connection count: medians, and each ratio as the median of its rounds' own. */
function row(path: PathName, connections: number, measured: Record<Label, Measured[]>, signingPerSecond: number | undefined): Row {
  const mock = measured.mock;
  const mine = combine(mock);
  const runs = {
    quiet: measured.quiet.length > 0 ? measured.quiet : undefined,
    bare: measured.bare.length > 0 ? measured.bare : undefined,
    prism: measured.prism,
  };
  // In a round the servers run back to back: a burst of other work weighs on that round's figures alike.
  const perRound = (of: Measured[] | undefined, other: Measured[] | undefined, pick: (a: Measured, b: Measured) => number) =>
    of && other ? median(of.map((m, round) => pick(m, other[round] as Measured))) : undefined;
  const throughput = (a: Measured, b: Measured) => a.rps / b.rps;
  const cpu = (a: Measured, b: Measured) => (a.cpuUs && b.cpuUs ? b.cpuUs / a.cpuUs : 0);
  return {
    path,
    connections,
    mock: mine,
    quiet: runs.quiet && combine(runs.quiet),
    bare: runs.bare && combine(runs.bare),
    prism: combine(runs.prism),
    vsBare: perRound(mock, runs.bare, throughput),
    quietVsBare: perRound(runs.quiet, runs.bare, throughput),
    // bare's CPU per request ÷ the mock's: 1 = the mock costs what node:http alone costs.
    cpuVsBare: perRound(mock, runs.bare, cpu),
    quietCpuVsBare: perRound(runs.quiet, runs.bare, cpu),
    // Prism runs apart from the others: its ratio is of the two medians.
    vsPrism: mine.rps / combine(runs.prism).rps,
    signingPerSecond,
  };
}

/** `list` starting at its `by`-th element (modulo its length), wrapping around. */
function rotated<T>(list: readonly T[], by: number): T[] {
  const at = by % list.length;
  return [...list.slice(at), ...list.slice(0, at)];
}
