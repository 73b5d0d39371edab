// `npm run bench`, or `npx node bench/run.ts [--quick] [--from-source] [--paths a,b] [--skip-memory] [--rss-after N] [--profile PATH [--log-off]] [--out FILE]`:
// the mock beside bare node:http and `prism mock` under the same load, in one run on this machine. A tool, not a test.
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadContract } from '../src/contract/contract.ts';
import type { Results } from './figures.ts';
import { installedCopy } from './install.ts';
import { type Measured, measure, noToken, pooled, type Traffic } from './load.ts';
import { createLogLineCounter } from './log-lines.ts';
import { measurePaths } from './measure-paths.ts';
import { pruningRun, revocationCost } from './memory.ts';
import { mockStarter } from './mocks.ts';
import { CASE_DOCUMENT, example200, type PathContext } from './path-kit.ts';
import { PATH_NAMES, PATHS, type PathName } from './path-types.ts';
import { setupPath } from './paths.ts';
import { FULL, QUICK } from './plan.ts';
import { hotspotTable, summariseProfile } from './profile.ts';
import { fmt, renderReport } from './report.ts';
import { memoryProbe } from './rss.ts';
import { MOCK_BIN, ROOT, type Running, runChild, startBare, startMockServer, startPrism } from './servers.ts';
import { mockStartups, prismStartup } from './startup.ts';
import { mint } from './tokens.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    profile: { type: 'string' },
    out: { type: 'string' },
    paths: { type: 'string' },
    'skip-memory': { type: 'boolean', default: false },
    'rss-after': { type: 'string' },
    'from-source': { type: 'boolean', default: false },
    'log-off': { type: 'boolean', default: false },
  },
});
// --rss-after N: the RSS comparison after N requests instead of the plan's (a quick run's has none).
const plan = { ...(values.quick ? QUICK : FULL), ...(values['rss-after'] === undefined ? {} : { rssAfter: Number(values['rss-after']) }) };
const sizes = { pool: plan.pool, fresh: plan.fresh, invitations: plan.invitations };
// The whole run is bounded: past this, it stops (servers.ts kills the children on exit) rather than hang.
const LIMIT_MINUTES = values.quick || values.profile !== undefined ? 12 : 30;
setTimeout(() => {
  process.stderr.write(`bench: gave up after ${LIMIT_MINUTES} minutes\n`);
  process.exit(1);
}, LIMIT_MINUTES * 60_000).unref();
const [auth, mounted] = await Promise.all([loadContract(), loadContract(CASE_DOCUMENT)]);
const logoutPath = `${auth.basePath}${auth.operations.get('logout')?.path}`;
/** Requests sent last to the mock whose request log is checked after it stops. */
const LOG_CHECK = 20_000;
/** The benchmark's page, whose table a whole run replaces (declared before the run below reaches it). */
const PAGE = join(ROOT, 'bench', 'README.md');
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

// By default the mock runs as installed from npm (the packed package, built JavaScript); --from-source runs the repo's bin on src/.
progress(values['from-source'] ? 'mock: the repo bin, on src/ (type stripping)' : 'mock: npm pack, installed into an empty project');
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
  const partial = values.quick || only !== undefined || values['skip-memory'];
  const out = values.out ?? (partial ? undefined : join(ROOT, 'bench', 'results.md'));
  const written: string[] = [];
  if (out) {
    await writeFile(out, `${report}\n`);
    written.push(out);
    progress(`written to ${out}`);
  }
  // A whole run is the benchmark page's table: it replaces the one between the markers there.
  if (!partial && values.out === undefined) {
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

async function benchmark(paths: readonly PathName[]): Promise<Results> {
  const date = new Date();
  const loadBefore = loadavg()[0] as number;
  if (loadBefore > availableParallelism() * 0.25) progress(`warning: load average ${loadBefore.toFixed(2)}: other work on this machine will skew the figures`);
  progress(`start-up: ${plan.startupRuns} runs each`);
  const startup = {
    mock: await mockStartups(plan.startupRuns, {
      bin: mockBin,
      project: installed?.project,
      document: CASE_DOCUMENT,
      sourceBin: installed ? MOCK_BIN : undefined,
    }),
    prism: await prismStartup(plan.startupRuns, auth.operations.get('logout')?.path as string),
  };

  const answered = new Map<Running, number>();
  const count = (server: Running, m: Measured) => answered.set(server, (answered.get(server) ?? 0) + m.answered);
  const logDir = await mkdtemp(join(tmpdir(), 'worth-bench-log-'));
  const bare = await startBare(example200(auth, 'logout'));
  const prisms = new Map<string, Running>();
  const prismOf = async (document: string | undefined) => {
    const key = document ?? '';
    let prism = prisms.get(key);
    if (prism === undefined) {
      // Up once it answers anything on one of its operations.
      const [first] = (document === undefined ? auth : mounted).operations.values();
      prism = await startPrism({ method: first?.method.toUpperCase() ?? 'GET', path: first?.path ?? '/' }, document);
      prisms.set(key, prism);
    }
    return prism;
  };
  const authPrism = await prismOf(undefined);
  const mocks = mockStarter(mockBin, logDir);
  const context: PathContext = { startMock: mocks.start, sizes, auth, mounted };
  // The load generator's own JIT warms up first: its first seconds are slower against any server.
  await measure(bare.origin, logoutPath, noToken(), { connections: 50, seconds: plan.warmupSeconds * 3 });
  let measured: Awaited<ReturnType<typeof measurePaths>>;
  let memory: Awaited<ReturnType<typeof rssAndLog>> | undefined;
  try {
    measured = await measurePaths(paths, plan, context, { bare, prism: prismOf }, count, progress);
    if (!values['skip-memory']) memory = await rssAndLog(logDir);
  } finally {
    await Promise.all([bare.stop(), ...[...prisms.values()].map((prism) => prism.stop()), ...mocks.all.map((mock) => mock.stop())]);
  }
  const prismRss = { requests: answered.get(authPrism) ?? 0, bytes: await authPrism.rss().catch(() => 0) };
  await rm(logDir, { recursive: true, force: true });

  let revocation: Results['revocation'];
  let pruning: Results['pruning'];
  if (!values['skip-memory']) {
    progress(`memory: ${fmt(plan.revocations)} revocations in a MemoryStore`);
    revocation = await revocationCost(plan.revocations);
    progress(`memory: ${plan.pruneSeconds} s of logouts whose revocations expire`);
    pruning = await pruningRun(mockApi, logoutPath, plan.pruneSeconds, 2, 10);
  }
  return {
    quick: Boolean(values.quick),
    rounds: plan.rounds,
    targetRounds: plan.targetRounds,
    onceRounds: plan.onceRounds,
    installed: installed !== undefined,
    date,
    load: [loadBefore, loadavg()[0] as number],
    rows: measured.rows,
    jwtVerifyPerSecond: measured.jwtVerifyPerSecond,
    startup,
    rss: memory?.rss,
    prismRss: prismRss.bytes > 0 ? prismRss : undefined,
    logCheck: memory?.logCheck,
    revocation,
    pruning,
  };
}

/**
 * RSS as the target states it: a mock of its own (default options, its log on) after 1 M pooled logouts, and bare
 * node:http after the same 1 M, each with the memory probe preloaded; then the request-log check on that mock.
 */
async function rssAndLog(logDir: string): Promise<{ rss: Results['rss']; logCheck: Results['logCheck'] }> {
  progress(`RSS and request log: a new mock${plan.rssAfter > 0 ? `, then bare node:http, ${fmt(plan.rssAfter)} pooled logouts each` : ''}`);
  const probe = await memoryProbe('rss');
  const logFile = join(logDir, 'rss-mock.log');
  const mock = await startMockServer({ bin: mockBin, args: ['--idempotent-logout'], logFile, nodeFlags: probe.nodeFlags, env: probe.env });
  try {
    let rss: Results['rss'];
    if (plan.rssAfter > 0) {
      const tokens = (await mint(mock.origin, 100)).map((signIn) => signIn.token);
      const load = { connections: 50, amount: plan.rssAfter };
      const m = await measure(mock.origin, logoutPath, pooled(tokens), load);
      const mockMemory = await probe.read(mock);
      // bare node:http: the same requests (it reads no token), the same count, in a child of its own.
      const bare = await startBare(example200(auth, 'logout'), { nodeFlags: probe.nodeFlags, env: probe.env });
      try {
        await measure(bare.origin, logoutPath, pooled(tokens), load);
        rss = { requests: m.answered + tokens.length, mock: mockMemory, bare: await probe.read(bare) };
      } finally {
        await bare.stop();
      }
    }
    // Last before the stop: requests told apart in the log by their status (403: no path above answers it), each answered.
    const forced: Traffic = { name: 'Prefer: code=403', requests: (path) => [{ method: 'POST', path, headers: { prefer: 'code=403' } }] };
    const last = await measure(mock.origin, logoutPath, forced, { connections: 50, amount: LOG_CHECK });
    // Stopped (SIGINT, as Ctrl-C) right after its last requests: its log holds a line for each of them, none lost.
    await mock.stop();
    return { rss, logCheck: { sent: last.answered, lines: await countLogLines(logFile, logoutPath, 403) } };
  } finally {
    await mock.stop();
    await probe.dispose();
  }
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
  const mocks = mockStarter(mockBin, dir, ['--cpu-prof', '--cpu-prof-dir', dir], values['log-off']);
  const connections = plan.connections[plan.connections.length - 1] as number;
  const seconds = plan.seconds * 2;
  let mock: Running | undefined;
  let window = { fromMs: 0, toMs: 0 };
  let measured: Measured | undefined;
  try {
    const setup = await setupPath(path, { startMock: mocks.start, sizes: { ...sizes, pool: Math.min(plan.pool, 200) }, auth, mounted });
    mock = setup.mock;
    const traffic = await setup.traffic('mock', connections, mock);
    await measure(mock.origin, setup.at.mock, setup.warmup('mock', mock), { connections, seconds: plan.warmupSeconds * 3 });
    const from = performance.now();
    measured = await measure(mock.origin, setup.at.mock, traffic, setup.bound(connections, seconds));
    window = { fromMs: from - mock.spawnedAt, toMs: performance.now() - mock.spawnedAt };
    await setup.close();
  } finally {
    await Promise.all(mocks.all.map((m) => m.stop()));
  }
  if (!mock || !measured) throw new Error('the profiled run did not happen');
  const summary = await summariseProfile(dir, { pid: mock.pid, ...window });
  process.stdout.write(
    [
      `## Profile: ${PATHS[path].label} @${connections}, ${values['log-off'] ? '--log off' : 'request log on (to a file)'}`,
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
