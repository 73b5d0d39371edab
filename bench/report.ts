import { availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { fmt, type Results } from './figures.ts';
import { formatStatuses, type Measured } from './load.ts';
import { PATHS } from './path-types.ts';
import { breakdownRows } from './rss.ts';
import type { Startup } from './startup.ts';
import { checks } from './targets.ts';

export { fmt, type Results, type Row } from './figures.ts';

const MB = 1024 * 1024;

/** The whole report in Markdown: figures, ratios, targets, the machine. */
export function renderReport(results: Results): string {
  const lines: string[] = [];
  lines.push(`## Benchmark${results.quick ? ' (quick run: short, not for the README)' : ''}`, '');
  lines.push(machine(results.date, results.load), '');
  lines.push(
    results.installed
      ? 'The mock runs as installed from npm (`npm pack`, the tarball installed into an empty project): its real bin on the built JavaScript, `start --port N` with its default options: one pretty request log line per request, stdout to a file (`> mock.log`). The rows marked `--log off` run the same with `--log off`.'
      : "The mock runs from this repository: its real bin on src/ through Node's type stripping (`--from-source`), default options (request log to a file); the rows marked `--log off` with `--log off`.",
    '',
  );
  const how =
    results.rounds > 1
      ? `median of ${results.rounds} short runs (${results.targetRounds} on the no-token and pooled paths, ${results.onceRounds} on the paths that use each token, link or invitation once, each run minting its own), the mock, the mock with \`--log off\` and bare Node taking turns; each ratio to bare is the median of each round's own ratio, as a burst of other work (or a VM's stolen time) weighs alike on the runs back to back in it; Prism runs apart, after them, and its ratio is of the medians`
      : 'one run each';
  lines.push(...bareTable(results, how), ...signingTable(results, how), ...startupTable(results), ...rssTable(results));
  lines.push('### Targets', '');
  lines.push('| target | measured | result |', '|---|---|---|');
  for (const check of checks(results))
    lines.push(`| ${check.target} | ${check.measured} | ${check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : '**MISS**'} |`);
  lines.push('');
  return lines.join('\n');
}

const answered = (m: Measured) => `${formatStatuses(m.statuses)}${m.errors > 0 ? ` (${m.errors} errors)` : ''}`;
const x = (r: number | undefined, digits = 2) => (r === undefined ? '—' : r.toFixed(digits));

function bareTable(results: Results, how: string): string[] {
  const rows = results.rows.filter((r) => r.bare !== undefined);
  if (rows.length === 0) return [];
  const lines = [
    `### The operations that sign nothing: the mock beside bare Node and Prism (same load on each server; ${how})`,
    '',
    "Bare Node answers each operation's 200 example from its document (logout's on the logout paths). Prism serves the same document (the Auth Service's spec; the mounted Case Service's on the gate paths).",
    '',
    '| operation | path | conns | mock req/s | p50 ms | p99 ms | bare Node req/s (p99 ms) | mock ÷ bare req/s | CPU µs/req: mock / bare | bare ÷ mock CPU/req | Prism req/s (CPU µs/req) | mock ÷ Prism | mock answered | Prism answered |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const row of rows) {
    const bare = row.bare as Measured;
    const { operation, label } = PATHS[row.path];
    lines.push(
      `| ${operation} | ${label} | ${row.connections} | ${fmt(row.mock.rps)} | ${row.mock.p50} | ${row.mock.p99} | ${fmt(bare.rps)} (${bare.p99}) | ${x(row.vsBare)} | ${cpu(row.mock)} / ${cpu(bare)} | ${x(row.cpuVsBare)} | ${fmt(row.prism.rps)} (${cpu(row.prism)}) | ${row.vsPrism.toFixed(1)} | ${answered(row.mock)} | ${answered(row.prism)} |`,
    );
    if (row.quiet) {
      const q = row.quiet;
      lines.push(
        `| | the same, \`--log off\` | ${row.connections} | ${fmt(q.rps)} | ${q.p50} | ${q.p99} | | ${x(row.quietVsBare)} | ${cpu(q)} / ${cpu(bare)} | ${x(row.quietCpuVsBare)} | | ${(q.rps / row.prism.rps).toFixed(1)} | ${answered(q)} | |`,
      );
    }
  }
  return [...lines, ''];
}

function signingTable(results: Results, how: string): string[] {
  const rows = results.rows.filter((r) => r.signingPerSecond !== undefined);
  if (rows.length === 0) return [];
  const lines = [
    `### The operations that sign: the mock beside the two-core rate of its signing work, and Prism (${how})`,
    '',
    'Signing work, two cores: what one request of the path must sign, done with jose as the mock does it, one piece after the other in each of two processes at once, their rates added, taken in turns with the runs. A sign-in: two RS256 signatures and a refresh token sealed as JWE `dir`/A256GCM; a refresh: two RS256 signatures; accepting an invitation: its RS256 signature verified, then a sign-in; a mail token (forgot password for a known user, create user, resend invitation): one RS256 signature. Prism answers its static example and signs nothing: beside it for the record.',
    '',
    '| operation | path | conns | mock req/s | p50 ms | p99 ms | signing work, two cores, /s | mock ÷ signing | mock CPU µs/req | Prism req/s (CPU µs/req) | mock answered | Prism answered |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const row of rows) {
    const bound = row.signingPerSecond as number;
    const { operation, label } = PATHS[row.path];
    lines.push(
      `| ${operation} | ${label} | ${row.connections} | ${fmt(row.mock.rps)} | ${row.mock.p50} | ${row.mock.p99} | ${fmt(bound)} | ${(row.mock.rps / bound).toFixed(2)} | ${cpu(row.mock)} | ${fmt(row.prism.rps)} (${cpu(row.prism)}) | ${answered(row.mock)} | ${answered(row.prism)} |`,
    );
  }
  return [...lines, ''];
}

function startupTable(results: Results): string[] {
  const lines = ['### Start-up and memory', '', '| figure | mock | Prism |', '|---|---:|---:|'];
  const runs = (s: Startup) => `${s.medianMs.toFixed(0)} ms (median of ${s.runsMs.length}: ${s.runsMs.map((ms) => ms.toFixed(0)).join(', ')})`;
  const { mock, prism } = results.startup;
  const more = (ms: number | undefined) => (ms === undefined ? '' : `; ${ms >= 0 ? '+' : ''}${ms.toFixed(0)} ms a start (median of each round's difference)`);
  lines.push(
    `| spawn → first answered request: \`node node_modules/worth-auth-mock/bin/worth-auth-mock.js start\` (the installed bin) | ${runs(mock.bin)} | ${runs(prism)} |`,
  );
  if (mock.npx) lines.push(`| the same through \`npx worth-auth-mock start\` (npx's own overhead${more(mock.npxOverheadMs)}) | ${runs(mock.npx)} | — |`);
  lines.push(`| the installed bin with \`--api\` the Case Service document (mounting it${more(mock.apiAddsMs)}) | ${runs(mock.api)} | — |`);
  if (mock.source) lines.push(`| the repo's bin, from source (\`npm start\`: type stripping) | ${runs(mock.source)} | — |`);
  if (results.jwtVerifyPerSecond !== undefined) lines.push(`| jose.jwtVerify, one core, RS256 | ${fmt(results.jwtVerifyPerSecond)}/s | — |`);
  const prismRss = results.prismRss ? `${(results.prismRss.bytes / MB).toFixed(1)} MB after ${fmt(results.prismRss.requests)} requests` : '—';
  if (results.rss) {
    const { requests, mock: m, bare } = results.rss;
    lines.push(
      `| RSS after ${fmt(requests)} pooled logouts at 50 connections, each in a child of its own: the mock (default options, its log on) / bare node:http; Prism after its runs | ${(m.rss / MB).toFixed(1)} / ${(bare.rss / MB).toFixed(1)} MB (${(m.rss / bare.rss).toFixed(2)}×) | ${prismRss} |`,
    );
  } else lines.push(`| RSS of Prism after its runs | — | ${prismRss} |`);
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
  return [...lines, ''];
}

function rssTable(results: Results): string[] {
  if (!results.rss) return [];
  const { requests, mock, bare } = results.rss;
  return [
    `#### Where the RSS goes, after ${fmt(requests)} requests (MB)`,
    '',
    "Read in each process on SIGUSR2 by a preloaded probe (`bench/memory-probe.js`: process.memoryUsage(), V8's heap spaces and statistics) and from /proc/PID/status; V8's committed heap need not be all resident.",
    '',
    '| figure | mock | bare node:http | mock − bare |',
    '|---|---:|---:|---:|',
    ...breakdownRows(mock, bare).map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ];
}

function machine(date: Date, load: readonly [number, number]): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Machine: ${cpu}, ${availableParallelism()} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${type()} ${release()}; Node ${process.version}; ${date.toISOString()}; load average ${load[0].toFixed(2)} before, ${load[1].toFixed(2)} after.`,
    'Each server runs in its own child process on 127.0.0.1; autocannon (one connection per client, no pipelining) runs in the bench process on the same machine.',
    "Bare Node: node:http answering the operation's 200 example to every request (the ceiling). Prism: `prism mock <the same document>` with its defaults (log level info, output discarded); for the fault path it gets `Prefer: code=500`.",
    "CPU µs/req: the server process's CPU time (all its threads, user + system: /proc/PID/task/*/schedstat, in ns, read before and after each run) per answered request. The load generator shares the machine's cores with the server, so req/s ratios swing from run to run with its share; the server's own CPU per request swings less.",
  ].join('\n');
}

function cpu(m: Measured): string {
  return m.cpuUs === undefined ? '—' : m.cpuUs.toFixed(1);
}
