import { availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { formatStatuses, type Measured } from './load.ts';
import type { Pruning, RevocationCost } from './memory.ts';
import { PATH_LABELS, type PathName } from './paths.ts';
import type { Startup } from './startup.ts';

/** The same path and load, measured on each server: the mock as users run it, the mock with `--log off`, bare Node, Prism. */
export type Row = {
  readonly path: PathName;
  readonly connections: number;
  /** The mock with its default options: the request log on (pretty, to a file). */
  readonly mock: Measured;
  /** The same mock with `--log off` (no-token and pooled paths). */
  readonly quiet: Measured | undefined;
  /** Bare node:http (the logout paths; the sign-in paths are held against their signing work instead). */
  readonly bare: Measured | undefined;
  readonly prism: Measured;
  /**
   * Each ratio is the median over rounds of that round's own ratio (in a round the servers run back to back):
   * throughput mock ÷ bare, and CPU per request bare ÷ mock (1 = the mock costs no more than node:http alone).
   */
  readonly vsBare: number | undefined;
  readonly quietVsBare: number | undefined;
  readonly cpuVsBare: number | undefined;
  readonly quietCpuVsBare: number | undefined;
  readonly vsPrism: number;
  /** The one-core rate of the signing work one request needs, per second, taken in turns with these runs (sign-in, refresh). */
  readonly signingPerSecond: number | undefined;
};

/** Everything one run measured. */
export type Results = {
  readonly quick: boolean;
  /** How many runs each throughput figure is the median of. */
  readonly rounds: number;
  /** Rounds of the paths with a CPU target (no-token, pooled). */
  readonly targetRounds: number;
  /** True when the mock ran as installed (built JavaScript), false when from src/ via type stripping. */
  readonly installed: boolean;
  readonly date: Date;
  /** 1-minute load average before and after the run: other work on the machine skews every figure. */
  readonly load: readonly [number, number];
  readonly rows: readonly Row[];
  /** jose.jwtVerify, one at a time in one process, on the verify path's tokens. */
  readonly jwtVerifyPerSecond: number | undefined;
  /** `source`: the repo's bin on src/, measured beside the installed copy. */
  readonly startup: { readonly mock: Startup; readonly source?: Startup | undefined; readonly prism: Startup };
  /** RSS of the mock that served `requests` answers. */
  readonly mockRss: { readonly requests: number; readonly bytes: number } | undefined;
  /** RSS of Prism after its runs, for comparison. */
  readonly prismRss: { readonly requests: number; readonly bytes: number } | undefined;
  /** `sent` requests told apart by their reason, the last before the mock stopped (SIGINT), and the `lines` of its log that name them. */
  readonly logCheck: { readonly sent: number; readonly lines: number } | undefined;
  readonly revocation: RevocationCost | undefined;
  readonly pruning: Pruning | undefined;
};

/** A performance target (bench/README.md), checked against this run. */
export type Check = { readonly target: string; readonly measured: string; readonly pass: boolean | undefined };

const MB = 1024 * 1024;
const ONE_MILLION = 1_000_000;

/** Evaluates every target; `pass` is undefined where this run did not measure enough to judge. */
export function checks(results: Results): Check[] {
  const out: Check[] = [];
  const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
  const logout = results.rows.filter((row) => row.bare !== undefined);
  for (const row of logout) {
    const tag = `${row.path} @${row.connections}`;
    if (row.path === 'no-token' || row.path === 'pooled') {
      // Issue 17: CPU per request, the figure that does not swing with the load generator's share of the machine.
      for (const [how, r] of [
        ['default options', row.cpuVsBare],
        ['--log off', row.quietCpuVsBare],
      ] as const) {
        if (r !== undefined) out.push({ target: `${tag}, ${how}: CPU/request bare ÷ mock ≥ 0.9`, measured: `${r.toFixed(3)}×`, pass: r >= 0.9 });
      }
      const r = row.vsBare as number;
      const floor = row.path === 'no-token' ? 0.85 : 0.75;
      out.push({ target: `${tag}, default options: req/s ≥ ${floor}× bare Node`, measured: `${r.toFixed(3)}×`, pass: r >= floor });
    }
    if (row.path === 'verify' && results.jwtVerifyPerSecond !== undefined) {
      const r = ratio(row.mock.rps, results.jwtVerifyPerSecond);
      out.push({
        target: `${tag}: ≥ 0.8× jwtVerify one-core rate`,
        measured: `${r.toFixed(3)}× (${fmt(row.mock.rps)} vs ${fmt(results.jwtVerifyPerSecond)}/s)`,
        pass: r >= 0.8,
      });
    }
  }
  for (const row of results.rows.filter((r) => r.signingPerSecond !== undefined)) {
    const bound = row.signingPerSecond as number;
    const r = ratio(row.mock.rps, bound);
    out.push({
      target: `${row.path} @${row.connections}: ≥ 0.8× the one-core rate of its signing work`,
      measured: `${r.toFixed(3)}× (${fmt(row.mock.rps)} vs ${fmt(bound)}/s)`,
      pass: r >= 0.8,
    });
  }
  for (const row of logout) {
    const r = row.vsPrism;
    out.push({ target: `${row.path} @${row.connections}: ≥ 10× Prism`, measured: `${r.toFixed(2)}×`, pass: r >= 10 });
  }
  for (const row of logout.filter((r) => r.connections === 50)) {
    out.push({ target: `${row.path} @50: p99 ≤ 10 ms`, measured: `${row.mock.p99} ms`, pass: row.mock.p99 <= 10 });
  }
  out.push({
    target: 'start to first answer ≤ 200 ms (median)',
    measured: `${results.startup.mock.medianMs.toFixed(0)} ms`,
    pass: results.startup.mock.medianMs <= 200,
  });
  if (results.mockRss) {
    const enough = results.mockRss.requests >= ONE_MILLION;
    out.push({
      target: 'RSS ≤ 100 MB after 1 M requests',
      measured: `${(results.mockRss.bytes / MB).toFixed(1)} MB after ${fmt(results.mockRss.requests)}`,
      pass: enough ? results.mockRss.bytes <= 100 * MB : undefined,
    });
  }
  if (results.logCheck) {
    const { sent, lines } = results.logCheck;
    out.push({
      target: 'request log: a line per answered request, none lost at stop',
      measured: `${fmt(lines)} lines for ${fmt(sent)} requests`,
      pass: lines === sent,
    });
  }
  if (results.revocation) {
    const b = results.revocation.bytesPerRevocation;
    out.push({
      target: '≤ 200 B per live revocation',
      measured: `${b.toFixed(0)} B (worst of minted/verified, ${fmt(results.revocation.live)} live)`,
      pass: b <= 200,
    });
  }
  if (results.pruning) {
    const heap = flatness(results.pruning, 2, results.revocation?.verified);
    out.push({ target: 'expired revocations pruned: heap after GC flat under endless logouts', measured: heap.text, pass: heap.pass });
    const rss = flatness(results.pruning, 1, undefined);
    out.push({ target: 'RSS flat under endless logouts', measured: rss.text, pass: rss.pass });
  }
  return out;
}

/**
 * Flat = the last sample is within 10% of the highest sample of the run's first third (by then the denylist
 * holds its steady ~ttl seconds of logouts); kept revocations would grow the heap by each one's size.
 */
function flatness(pruning: Pruning, pick: 1 | 2, bytesPerRevocation: number | undefined): { pass: boolean; text: string } {
  const samples = pruning.samples;
  const end = samples[samples.length - 1]?.[0] ?? 0;
  const early = samples.filter(([t]) => t > 0 && t <= end / 3).map((sample) => sample[pick]);
  const reference = early.length > 0 ? Math.max(...early) : (samples[0]?.[pick] ?? 0);
  const last = samples[samples.length - 1]?.[pick] ?? 0;
  const unpruned = bytesPerRevocation === undefined ? '' : `; kept, they would add ~${((pruning.revocations * bytesPerRevocation) / MB).toFixed(0)} MB`;
  return {
    pass: last <= reference * 1.1,
    text: `${(reference / MB).toFixed(1)} → ${(last / MB).toFixed(1)} MB over ${fmt(pruning.revocations)} revocations that expired${unpruned}`,
  };
}

/** The whole report in Markdown: figures, ratios, targets, the machine. */
export function renderReport(results: Results): string {
  const lines: string[] = [];
  lines.push(`## Benchmark${results.quick ? ' (quick run: short, not for the README)' : ''}`, '');
  lines.push(machine(results.date, results.load), '');
  lines.push(
    results.installed
      ? 'The mock runs as installed from npm: its real bin on the built JavaScript (src/ compiled as `npm run build` does), `start --port N` with its default options: one pretty request log line per request, stdout to a file (`> mock.log`). The rows marked `--log off` run the same with `--log off`.'
      : "The mock runs from this repository: its real bin on src/ through Node's type stripping (`--from-source`), default options (request log to a file); the rows marked `--log off` with `--log off`.",
    '',
  );
  const how =
    results.rounds > 1
      ? `median of ${results.rounds} short runs (${results.targetRounds} on the no-token and pooled paths), the mock, the mock with \`--log off\` and bare Node taking turns; each ratio to bare is the median of each round's own ratio, as a burst of other work (or a VM's stolen time) weighs alike on the runs back to back in it; Prism runs apart, after them, and its ratio is of the medians; fresh tokens: one run`
      : 'one run each';
  lines.push(`### Logout: the mock beside bare Node and Prism (same load on each server; ${how})`, '');
  lines.push(
    '| path | conns | mock req/s | p50 ms | p99 ms | bare Node req/s (p99 ms) | mock ÷ bare req/s | CPU µs/req: mock / bare | bare ÷ mock CPU/req | Prism req/s (CPU µs/req) | mock ÷ Prism | mock answered |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  const answered = (m: Measured) => `${formatStatuses(m.statuses)}${m.errors > 0 ? ` (${m.errors} errors)` : ''}`;
  const x = (r: number | undefined, digits = 2) => (r === undefined ? '—' : r.toFixed(digits));
  for (const row of results.rows.filter((r) => r.bare !== undefined)) {
    const bare = row.bare as Measured;
    const prism = `${fmt(row.prism.rps)} (${cpu(row.prism)})`;
    lines.push(
      `| ${PATH_LABELS[row.path]} | ${row.connections} | ${fmt(row.mock.rps)} | ${row.mock.p50} | ${row.mock.p99} | ${fmt(bare.rps)} (${bare.p99}) | ${x(row.vsBare)} | ${cpu(row.mock)} / ${cpu(bare)} | ${x(row.cpuVsBare)} | ${prism} | ${row.vsPrism.toFixed(1)} | ${answered(row.mock)} |`,
    );
    if (row.quiet) {
      const q = row.quiet;
      lines.push(
        `| the same, \`--log off\` | ${row.connections} | ${fmt(q.rps)} | ${q.p50} | ${q.p99} | | ${x(row.quietVsBare)} | ${cpu(q)} / ${cpu(bare)} | ${x(row.quietCpuVsBare)} | | ${(q.rps / row.prism.rps).toFixed(1)} | ${answered(q)} |`,
      );
    }
  }
  lines.push('');
  const signing = results.rows.filter((r) => r.signingPerSecond !== undefined);
  if (signing.length > 0) {
    lines.push(`### Sign-in and refresh: the mock beside the one-core rate of the signing work each needs, and Prism (${how})`, '');
    lines.push(
      'Signing work, one core: what one request of the path must sign, done with jose one piece after the other in a process of its own, taken in turns with the runs (a sign-in: two RS256 signatures and a refresh token sealed as JWE `dir`/A256GCM; a refresh: two RS256 signatures). Prism answers its static example and signs nothing: beside it for the record, with no target.',
      '',
    );
    lines.push(
      '| path | conns | mock req/s | p50 ms | p99 ms | signing work, one core, /s | mock ÷ signing | mock CPU µs/req | Prism req/s (CPU µs/req) | mock answered |',
    );
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const row of signing) {
      const bound = row.signingPerSecond as number;
      lines.push(
        `| ${PATH_LABELS[row.path]} | ${row.connections} | ${fmt(row.mock.rps)} | ${row.mock.p50} | ${row.mock.p99} | ${fmt(bound)} | ${(row.mock.rps / bound).toFixed(2)} | ${cpu(row.mock)} | ${fmt(row.prism.rps)} (${cpu(row.prism)}) | ${answered(row.mock)} |`,
      );
    }
    lines.push('');
  }
  lines.push('### Start-up and memory', '');
  lines.push('| figure | mock | Prism |', '|---|---:|---:|');
  const runs = (s: Startup) => `${s.medianMs.toFixed(0)} ms (median of ${s.runsMs.length}: ${s.runsMs.map((ms) => ms.toFixed(0)).join(', ')})`;
  lines.push(`| spawn → first answered request | ${runs(results.startup.mock)} | ${runs(results.startup.prism)} |`);
  if (results.startup.source) lines.push(`| the same, from source (\`npm start\`: type stripping) | ${runs(results.startup.source)} | — |`);
  if (results.jwtVerifyPerSecond !== undefined) lines.push(`| jose.jwtVerify, one core, RS256 | ${fmt(results.jwtVerifyPerSecond)}/s | — |`);
  const rss = (r: Results['mockRss']) => (r ? `${(r.bytes / MB).toFixed(1)} MB after ${fmt(r.requests)} requests` : '—');
  lines.push(
    `| RSS of a mock of its own (default options, its log on) after 1 M pooled logouts; Prism after its runs | ${rss(results.mockRss)} | ${rss(results.prismRss)} |`,
  );
  if (results.logCheck) {
    const { lines: logged, sent } = results.logCheck;
    lines.push(`| its request log after it stopped (SIGINT): lines of its last ${fmt(sent)} requests (\`Prefer: code=403\`) | ${fmt(logged)} | — |`);
  }
  if (results.revocation) {
    const r = results.revocation;
    lines.push(
      `| heap per live revocation (MemoryStore, ${fmt(r.live)} revoked): sign-ins it minted / tokens verified by signature | ${r.minted.toFixed(0)} B / ${r.verified.toFixed(0)} B | — |`,
    );
  }
  if (results.pruning) {
    const p = results.pruning;
    const samples = p.samples.map(([t, rss, heap]) => `${t.toFixed(0)}s ${(rss / MB).toFixed(0)}/${(heap / MB).toFixed(1)}`).join(', ');
    lines.push(
      `| RSS / heap after GC (MB) under logouts of ${p.tokenTtlSeconds}-s tokens, ${fmt(p.load.rps)}/s, ${fmt(p.revocations)} revoked | ${samples} | — |`,
    );
  }
  lines.push('');
  lines.push('### Targets', '');
  lines.push('| target | measured | result |', '|---|---|---|');
  for (const check of checks(results))
    lines.push(`| ${check.target} | ${check.measured} | ${check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : '**MISS**'} |`);
  lines.push('');
  return lines.join('\n');
}

function machine(date: Date, load: readonly [number, number]): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Machine: ${cpu}, ${availableParallelism()} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${type()} ${release()}; Node ${process.version}; ${date.toISOString()}; load average ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after.`,
    'Each server runs in its own child process on 127.0.0.1; autocannon (one connection per client, no pipelining) runs in the bench process on the same machine.',
    "Bare Node: node:http answering the mock's 200 body to every request (the ceiling). Prism: `prism mock <the same spec>` with its defaults (log level info, output discarded); for the fault path it gets `Prefer: code=500`.",
    "CPU µs/req: the server process's CPU time (all its threads, user + system: /proc/PID/task/*/schedstat, in ns, read before and after each run) per answered request. The load generator shares the machine's cores with the server, so req/s ratios swing from run to run with its share; the server's own CPU per request swings less.",
  ].join('\n');
}

function cpu(m: Measured): string {
  return m.cpuUs === undefined ? '—' : m.cpuUs.toFixed(1);
}

/** A whole number with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
