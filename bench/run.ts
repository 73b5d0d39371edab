// `npm run bench`, or `npx node bench/run.ts [--quick] [--from-source] [--paths a,b] [--profile PATH [--log-off]] [--out FILE]`:
// the mock beside bare node:http and `prism mock` under the same load, in one run on this machine. A tool, not a test.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadContract } from '../src/contract/contract.ts';
import { installedCopy } from './install.ts';
import { combine, type Measured, measure, measureOn, noToken, pooled, type Traffic } from './load.ts';
import { createLogLineCounter } from './log-lines.ts';
import { pruningRun, revocationCost } from './memory.ts';
import { type MockStarter, PATH_LABELS, PATH_NAMES, type PathName, type PathOperation, setupPath } from './paths.ts';
import { hotspotTable, summariseProfile } from './profile.ts';
import { fmt, type Results, type Row, renderReport } from './report.ts';
import { type Kind, MOCK_BIN, ROOT, type Running, runChild, startBare, startMockServer, startPrism } from './servers.ts';
import { median, mockStartup, prismStartup } from './startup.ts';
import { mint } from './tokens.ts';

/** How big and long a run is. */
type Plan = {
  /**
   * Each figure is the median of this many short runs, the mock, the mock with `--log off` and bare Node taking turns
   * (other work on the machine, and a VM's stolen time, drift over seconds: back-to-back runs share it).
   */
  rounds: number;
  seconds: number;
  /**
   * The paths with a CPU-per-request target against bare Node (no-token, pooled) get this many rounds: on a 2-core VM
   * one run's CPU per request lands anywhere within ±30% of its middle (how the server and the load generator share
   * the cores, time stolen by other VMs), so a median within a few % needs dozens of runs.
   */
  targetRounds: number;
  /** Prism's runs (about 20 times slower, it is compared on throughput only): this many, each `prismSeconds` long. */
  prismRounds: number;
  prismSeconds: number;
  warmupSeconds: number;
  connections: number[];
  pool: number;
  fresh: number;
  startupRuns: number;
  /** How long jose.jwtVerify's and the signing work's one-core rates are taken, each time. */
  jwtSeconds: number;
  /** A mock of its own answers this many pooled logouts before its RSS is read (0: RSS not measured). */
  rssAfter: number;
  revocations: number;
  pruneSeconds: number;
};

const FULL: Plan = {
  rounds: 7,
  seconds: 0.5,
  targetRounds: 31,
  prismRounds: 3,
  prismSeconds: 1.2,
  warmupSeconds: 1,
  connections: [10, 50],
  pool: 500,
  fresh: 3000,
  startupRuns: 7,
  jwtSeconds: 1,
  rssAfter: 1_000_000,
  revocations: 1_000_000,
  pruneSeconds: 30,
};
const QUICK: Plan = {
  rounds: 3,
  seconds: 0.5,
  targetRounds: 5,
  prismRounds: 1,
  prismSeconds: 1,
  warmupSeconds: 0.5,
  connections: [10, 50],
  pool: 100,
  fresh: 500,
  startupRuns: 3,
  jwtSeconds: 1,
  rssAfter: 0,
  revocations: 200_000,
  pruneSeconds: 8,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'string' },
    out: { type: 'string' },
    paths: { type: 'string' },
    'from-source': { type: 'boolean', default: false },
    'log-off': { type: 'boolean', default: false },
  },
});
const plan = values.quick ? QUICK : FULL;
// The whole run is bounded: past this, it stops (servers.ts kills the children on exit) rather than hang.
const LIMIT_MINUTES = values.quick || values.profile !== undefined ? 8 : 16;
setTimeout(() => {
  process.stderr.write(`bench: gave up after ${LIMIT_MINUTES} minutes\n`);
  process.exit(1);
}, LIMIT_MINUTES * 60_000).unref();
const contract = await loadContract();
/** An operation of the spec, by its name (its operationId). */
const operationOf = (name: PathOperation) => {
  const found = contract.operations.get(name);
  if (!found) throw new Error(`bench: the spec has no operation ${name}`);
  return found;
};
/** Each operation's path in the spec (Prism serves it there; the mock under the base path). */
const operationPaths: Record<PathOperation, string> = {
  logout: operationOf('logout').path,
  'sign-in': operationOf('sign-in').path,
  refresh: operationOf('refresh').path,
};
const logoutPath = `${contract.basePath}${operationPaths.logout}`;
const body200 = JSON.stringify(operationOf('logout').examples.get(200));
/** How long Prism is left to finish what its last run left it (its request log) before the next server's run. */
const PRISM_SETTLE_MS = 500;
/** The paths held to a CPU-per-request target against bare Node (bench/README.md, targets). */
const TARGET_PATHS: ReadonlySet<PathName> = new Set(['no-token', 'pooled']);
/** The one-core rates (jwtVerify, signing work) are taken after every this many rounds. */
const RATE_EVERY = 3;
/** Requests sent last to the mock whose request log is checked after it stops. */
const LOG_CHECK = 20_000;
/** The request log file each mock (with its log on) writes. */
const logFiles = new Map<Running, string>();
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

// By default the mock runs as installed from npm (built JavaScript); --from-source runs the repo's bin on src/.
progress(values['from-source'] ? 'mock: the repo bin, on src/ (type stripping)' : 'mock: building src/ into an installed-like copy');
const installed = values['from-source'] ? undefined : await installedCopy();
const mockBin = installed?.bin ?? MOCK_BIN;
const mockApi = installed?.api ?? join(ROOT, 'src', 'index.ts');
try {
  await main();
} finally {
  await installed?.dispose();
}

async function main(): Promise<void> {
  if (values.profile !== undefined) return profile(asPath(values.profile));
  const only = values.paths?.split(',').map(asPath);
  const results = await benchmark(only ?? [...PATH_NAMES]);
  const report = renderReport(results);
  process.stdout.write(`${report}\n`);
  const out = values.out ?? (values.quick || only ? undefined : join(ROOT, 'bench', 'results.md'));
  const written: string[] = [];
  if (out) {
    await writeFile(out, `${report}\n`);
    written.push(out);
    progress(`written to ${out}`);
  }
  // A whole run is the benchmark page's table: it replaces the one between the markers there.
  if (!values.quick && !only && values.out === undefined) {
    await showOnPage(report);
    written.push(PAGE);
    progress('bench/README.md: the table shows this run');
  }
  // Tables aligned as the project's formatter wants them (npm run lint checks the Markdown in the repository).
  const inRepo = written.filter((file) => file.startsWith(ROOT));
  if (inRepo.length > 0) {
    await runChild([join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'format', '--write', ...inRepo]).catch((error: unknown) => {
      progress(`could not format ${inRepo.join(', ')} (run npm run format): ${(error as Error).message}`);
    });
  }
}

/** The benchmark's page, whose table a whole run replaces. */
const PAGE = join(ROOT, 'bench', 'README.md');

async function showOnPage(report: string): Promise<void> {
  const BEGIN = '<!-- bench:begin (npm run bench writes this part) -->';
  const END = '<!-- bench:end -->';
  const text = await readFile(PAGE, 'utf8');
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  if (from === -1 || to < from) throw new Error(`bench/README.md has no ${BEGIN} … ${END} section for the table`);
  // The report's headings sit one level under the page's "## The last full run".
  const body = report.replace(/^## Benchmark\n+/, '');
  await writeFile(PAGE, `${text.slice(0, from + BEGIN.length)}\n\n${body.trim()}\n\n${text.slice(to)}`);
}

function asPath(name: string): PathName {
  if (!(PATH_NAMES as readonly string[]).includes(name)) throw new Error(`unknown path "${name}"; one of ${PATH_NAMES.join(', ')}`);
  return name as PathName;
}

/** Starts mocks on demand: one per flag set and log choice (paths with the same ones share it), or a new one when asked. */
function mockStarter(
  logDir: string,
  nodeFlags: readonly string[] = [],
  forceLogOff = false,
): { start: MockStarter; all: Running[]; byFlags: Map<string, Running> } {
  const all: Running[] = [];
  const byFlags = new Map<string, Running>();
  const start: MockStarter = async (args, options = {}) => {
    const logOff = forceLogOff || options.logOff === true;
    const key = `${logOff ? '--log off ' : ''}${args.join(' ')}`;
    const known = options.fresh ? undefined : byFlags.get(key);
    if (known) return known;
    const logFile = logOff ? undefined : join(logDir, `mock-${all.length + 1}.log`);
    const mock = await startMockServer({ args, nodeFlags, bin: mockBin, logFile });
    all.push(mock);
    if (logFile) logFiles.set(mock, logFile);
    if (!options.fresh) byFlags.set(key, mock);
    return mock;
  };
  return { start, all, byFlags };
}

/** Which server a measurement is of: the mock as users run it, the same with `--log off` (quiet), or a reference. */
type Label = 'bare' | 'mock' | 'quiet' | 'prism';

async function benchmark(paths: readonly PathName[]): Promise<Results> {
  const date = new Date();
  const loadBefore = loadavg()[0] as number;
  if (loadBefore > availableParallelism() * 0.25) progress(`warning: load average ${loadBefore.toFixed(2)}: other work on this machine will skew the figures`);
  progress(`start-up: ${plan.startupRuns} runs each`);
  const startup = {
    mock: await mockStartup(plan.startupRuns, mockBin),
    source: installed ? await mockStartup(plan.startupRuns, MOCK_BIN) : undefined,
    prism: await prismStartup(plan.startupRuns, operationPaths.logout),
  };

  const answered = new Map<Running, number>();
  const count = (server: Running, m: Measured) => answered.set(server, (answered.get(server) ?? 0) + m.answered);
  const logDir = await mkdtemp(join(tmpdir(), 'worth-bench-log-'));
  const bare = await startBare(body200);
  const prism = await startPrism(operationPaths.logout);
  const mocks = mockStarter(logDir);
  // The load generator's own JIT warms up first: its first seconds are slower against any server.
  await measure(bare.origin, logoutPath, noToken(), { connections: 50, seconds: plan.warmupSeconds * 3 });
  const rows: Row[] = [];
  let jwtVerifyPerSecond: number | undefined;
  let mockRss: Results['mockRss'];
  let prismRss: Results['prismRss'];
  let logCheck: Results['logCheck'];
  let logChecked: Running | undefined;
  try {
    for (const path of paths) {
      progress(`path ${path}: ${PATH_LABELS[path]}`);
      const setup = await setupPath(path, mocks.start, plan);
      const compared: [Label, Kind, Running][] = [
        ['mock', 'mock', setup.mock],
        ...(setup.quiet ? [['quiet', 'mock', setup.quiet] as [Label, Kind, Running]] : []),
        ...(setup.ceiling === 'bare' ? [['bare', 'bare', bare] as [Label, Kind, Running]] : []),
      ];
      const all: [Label, Kind, Running][] = [...compared, ['prism', 'prism', prism]];
      const pathOn = (kind: Kind) => (kind === 'prism' ? operationPaths[setup.operation] : `${contract.basePath}${operationPaths[setup.operation]}`);
      const jwtRates: number[] = [];
      const signingRates: number[] = [];
      for (const [i, connections] of plan.connections.entries()) {
        const runs: Record<Label, Measured[]> = { mock: [], quiet: [], bare: [], prism: [] };
        const levelSigning: number[] = [];
        /** One measured run of `server`, kept with its label's runs and counted. */
        const run = async (label: Label, kind: Kind, server: Running, load: Traffic, seconds: number) => {
          const m = await measureOn(server, pathOn(kind), load, setup.bound(connections, seconds));
          count(server, m);
          runs[label].push(m);
          progress(`  ${label} @${connections}: ${fmt(m.rps)} req/s, p99 ${m.p99} ms, ${m.cpuUs?.toFixed(1) ?? '?'} µs CPU/request`);
        };
        // Fresh tokens are minted at ~300 sign-ins/s: one longer run beats three that are mostly connecting.
        const rounds = path === 'fresh' ? 1 : TARGET_PATHS.has(path) ? plan.targetRounds : plan.rounds;
        for (let round = 0; round < rounds; round++) {
          // The mock's traffic first (the fresh path mints its tokens there; the others replay them), then the
          // warm-ups, so that what minting left for the GC is not collected inside a measured run.
          const traffic = new Map<Label, Traffic>();
          for (const [label, kind, server] of compared) traffic.set(label, await setup.traffic(kind, connections, server));
          if (round === 0) {
            // A mock just started needs seconds, not requests, to reach steady state: V8 tiers its code up and
            // grows its young generation; its first level gets a longer warm-up (every server alike).
            const seconds = i === 0 ? plan.warmupSeconds * 3 : plan.warmupSeconds;
            for (const [, kind, server] of all) count(server, await measure(server.origin, pathOn(kind), setup.warmup(kind, server), { connections, seconds }));
          }
          // Each round starts with the next server, so none always runs first.
          for (const [label, kind, server] of rotated(compared, round)) await run(label, kind, server, traffic.get(label) as Traffic, plan.seconds);
          // jwtVerify's and the signing work's own rates, taken in turns with the runs they are compared with.
          if (round % RATE_EVERY === 0) {
            if (setup.jwtVerifyRate && i === 0) jwtRates.push(await setup.jwtVerifyRate(plan.jwtSeconds));
            if (setup.signingRate) levelSigning.push(await setup.signingRate(plan.jwtSeconds));
          }
        }
        // Prism apart, after the others: it goes on working (its request log) for a moment after its load stops.
        const prismTraffic = await setup.traffic('prism', connections, prism);
        for (let n = 0; n < (path === 'fresh' ? 1 : plan.prismRounds); n++) {
          await run('prism', 'prism', prism, prismTraffic, plan.prismSeconds);
          await new Promise((resolve) => setTimeout(resolve, PRISM_SETTLE_MS));
        }
        signingRates.push(...levelSigning);
        rows.push(row(path, connections, runs, setup.signingRate ? median(levelSigning) : undefined));
      }
      if (jwtRates.length > 0) {
        jwtVerifyPerSecond = median(jwtRates);
        progress(`  jose.jwtVerify one core: ${jwtRates.map(fmt).join(', ')}/s`);
      }
      if (signingRates.length > 0) progress(`  signing work one core: ${signingRates.map(fmt).join(', ')}/s`);
      await setup.close();
    }
    // RSS as the target states it: a mock of its own (default options, its log on), after 1 M pooled logouts.
    progress(`RSS and request log: a new mock${plan.rssAfter > 0 ? `, ${fmt(plan.rssAfter)} pooled logouts` : ''}`);
    logChecked = await mocks.start(['--idempotent-logout'], { fresh: true });
    if (plan.rssAfter > 0) {
      const tokens = (await mint(logChecked.origin, 100)).map((signIn) => signIn.token);
      const m = await measure(logChecked.origin, logoutPath, pooled(tokens), { connections: 50, amount: plan.rssAfter });
      mockRss = { requests: m.answered + tokens.length, bytes: await logChecked.rss() };
    }
    // Last before the stop: requests told apart in the log by their status (403: no path above answers it), each answered.
    const forced: Traffic = { name: 'Prefer: code=403', requests: (path) => [{ method: 'POST', path, headers: { prefer: 'code=403' } }] };
    const last = await measure(logChecked.origin, logoutPath, forced, { connections: 50, amount: LOG_CHECK });
    logCheck = { sent: last.answered, lines: 0 };
    prismRss = { requests: answered.get(prism) ?? 0, bytes: await prism.rss() };
  } finally {
    await Promise.all([bare.stop(), prism.stop(), ...mocks.all.map((mock) => mock.stop())]);
  }
  // Stopped (SIGINT, as Ctrl-C) right after its last requests: its log holds a line for each of them, none lost.
  const file = logChecked && logFiles.get(logChecked);
  if (logCheck && file) logCheck = { ...logCheck, lines: await countLogLines(file, logoutPath, 403) };
  await rm(logDir, { recursive: true, force: true });

  progress(`memory: ${fmt(plan.revocations)} revocations in a MemoryStore`);
  const revocation = await revocationCost(plan.revocations);
  progress(`memory: ${plan.pruneSeconds} s of logouts whose revocations expire`);
  const pruning = await pruningRun(mockApi, logoutPath, plan.pruneSeconds, 2, 10);
  return {
    quick: Boolean(values.quick),
    rounds: plan.rounds,
    targetRounds: plan.targetRounds,
    installed: installed !== undefined,
    date,
    load: [loadBefore, loadavg()[0] as number],
    rows,
    jwtVerifyPerSecond,
    startup,
    mockRss,
    prismRss,
    logCheck,
    revocation,
    pruning,
  };
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
    // Prism runs apart from the others (see benchmark()): its ratio is of the two medians.
    vsPrism: mine.rps / combine(runs.prism).rps,
    signingPerSecond,
  };
}

/** `list` starting at its `by`-th element (modulo its length), wrapping around. */
function rotated<T>(list: readonly T[], by: number): T[] {
  const at = by % list.length;
  return [...list.slice(at), ...list.slice(0, at)];
}

/** Lines of a request log file for requests to `path` answered `status`. */
async function countLogLines(file: string, path: string, status: number): Promise<number> {
  const counter = createLogLineCounter();
  for await (const chunk of createReadStream(file, 'utf8')) counter.feed(chunk as string);
  counter.end();
  return counter.count(path, status);
}

/**
 * Runs one path against a mock under `--cpu-prof` at the highest connection count and prints where its time goes:
 * the mock as users run it (its request log to a file), or with `--log off` when the bench is given `--log-off`.
 */
async function profile(path: PathName): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'worth-bench-prof-'));
  const mocks = mockStarter(dir, ['--cpu-prof', '--cpu-prof-dir', dir], values['log-off']);
  const connections = plan.connections[plan.connections.length - 1] as number;
  const seconds = plan.seconds * 2;
  let mock: Running | undefined;
  let window = { fromMs: 0, toMs: 0 };
  let measured: Measured | undefined;
  try {
    const setup = await setupPath(path, mocks.start, { ...plan, pool: Math.min(plan.pool, 200) });
    mock = setup.mock;
    const at = `${contract.basePath}${operationPaths[setup.operation]}`;
    const traffic = await setup.traffic('mock', connections, mock);
    await measure(mock.origin, at, setup.warmup('mock', mock), { connections, seconds: plan.warmupSeconds * 3 });
    const from = performance.now();
    measured = await measure(mock.origin, at, traffic, setup.bound(connections, seconds));
    window = { fromMs: from - mock.spawnedAt, toMs: performance.now() - mock.spawnedAt };
    await setup.close();
  } finally {
    await Promise.all(mocks.all.map((m) => m.stop()));
  }
  if (!mock || !measured) throw new Error('the profiled run did not happen');
  const summary = await summariseProfile(dir, { pid: mock.pid, ...window });
  process.stdout.write(
    [
      `## Profile: ${PATH_LABELS[path]} @${connections}, ${values['log-off'] ? '--log off' : 'request log on (to a file)'}`,
      '',
      `${fmt(measured.rps)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms; in the measured window the mock was busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms. Profiles: ${dir}`,
      '',
      hotspotTable('where (self time)', summary.places),
      '',
      hotspotTable('function (self time)', summary.functions),
      '',
      hotspotTable("the mock's own function (with what it calls)", summary.ours, 'inclusive'),
      '',
    ].join('\n'),
  );
}
