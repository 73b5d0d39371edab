// The targets (decision 0008, as issue 26 sets them) checked against one run's figures.

import { fmt, type Results, type Row } from './figures.ts';
import type { Pruning } from './memory.ts';
import { PATHS } from './path-types.ts';

/** A performance target, checked against this run. */
export type Check = { readonly target: string; readonly measured: string; readonly pass: boolean | undefined };

/** Start to first answered request, the installed bin (median), at most. */
export const START_MS = 150;
/** The mock's RSS after 1 M requests, at most this many times bare node:http's after the same 1 M. */
export const RSS_VS_BARE = 1.25;

const MB = 1024 * 1024;
const ONE_MILLION = 1_000_000;

/** Evaluates every target; `pass` is undefined where this run did not measure enough to judge. */
export function checks(results: Results): Check[] {
  const out: Check[] = [];
  const push = (target: string, measured: string, pass: boolean | undefined) => out.push({ target, measured, pass });
  const tag = (row: Row) => `${row.path} @${row.connections}`;
  const againstBare = results.rows.filter((row) => row.bare !== undefined);
  for (const row of againstBare) {
    if (row.path === 'no-token' || row.path === 'pooled') {
      // CPU per request: the figure that does not swing with the load generator's share of the machine.
      for (const [how, r] of [
        ['default options', row.cpuVsBare],
        ['--log off', row.quietCpuVsBare],
      ] as const) {
        if (r !== undefined) push(`${tag(row)}, ${how}: CPU/request bare ÷ mock ≥ 0.9`, `${r.toFixed(3)}×`, r >= 0.9);
      }
      const r = row.vsBare as number;
      const floor = row.path === 'no-token' ? 0.85 : 0.75;
      push(`${tag(row)}, default options: req/s ≥ ${floor}× bare Node`, `${r.toFixed(3)}×`, r >= floor);
    }
    if (PATHS[row.path].read && row.cpuVsBare !== undefined) {
      push(`${tag(row)} (a read, pooled token): CPU/request bare ÷ mock ≥ 0.7`, `${row.cpuVsBare.toFixed(3)}×`, row.cpuVsBare >= 0.7);
    }
    if (row.path === 'verify' && results.jwtVerifyPerSecond !== undefined) {
      const r = row.mock.rps / results.jwtVerifyPerSecond;
      push(`${tag(row)}: ≥ 0.8× jwtVerify one-core rate`, `${r.toFixed(3)}× (${fmt(row.mock.rps)} vs ${fmt(results.jwtVerifyPerSecond)}/s)`, r >= 0.8);
    }
  }
  for (const row of results.rows.filter((r) => r.signingPerSecond !== undefined)) {
    const bound = row.signingPerSecond as number;
    const r = row.mock.rps / bound;
    // Issue 26 names sign-in, accept-invitation and refresh; the operations that mail a link sign one token each, and
    // Prism (which signs nothing) is no measure of them either: they are held to their signing work the same way.
    const mail = PATHS[row.path].signs === 'mail-token' ? ' (signs a mail token)' : '';
    push(`${tag(row)}${mail}: ≥ 0.8× the two-core rate of its signing work`, `${r.toFixed(3)}× (${fmt(row.mock.rps)} vs ${fmt(bound)}/s)`, r >= 0.8);
  }
  for (const row of againstBare) push(`${tag(row)} (signs nothing): ≥ 10× Prism`, `${row.vsPrism.toFixed(2)}×`, row.vsPrism >= 10);
  for (const row of againstBare.filter((r) => r.connections === 50)) push(`${tag(row)}: p99 ≤ 10 ms`, `${row.mock.p99} ms`, row.mock.p99 <= 10);
  const start = results.startup.mock.bin.medianMs;
  push(`start to first answer ≤ ${START_MS} ms (median, the installed bin)`, `${start.toFixed(0)} ms`, start <= START_MS);
  if (results.rss) {
    const { requests, mock, bare } = results.rss;
    const r = mock.rss / bare.rss;
    push(
      `RSS after 1 M requests ≤ ${RSS_VS_BARE}× bare node:http's after the same`,
      `${r.toFixed(2)}× (${(mock.rss / MB).toFixed(1)} vs ${(bare.rss / MB).toFixed(1)} MB after ${fmt(requests)})`,
      requests >= ONE_MILLION ? r <= RSS_VS_BARE : undefined,
    );
  }
  if (results.logCheck) {
    const { sent, lines } = results.logCheck;
    push('request log: a line per answered request, none lost at stop', `${fmt(lines)} lines for ${fmt(sent)} requests`, lines === sent);
  }
  if (results.revocation) {
    const b = results.revocation.bytesPerRevocation;
    push('≤ 200 B per live revocation', `${b.toFixed(0)} B (worst of minted/verified, ${fmt(results.revocation.live)} live)`, b <= 200);
  }
  if (results.pruning) {
    const heap = flatness(results.pruning, 2, results.revocation?.verified);
    push('expired revocations pruned: heap after GC flat under endless logouts', heap.text, heap.pass);
    const rss = flatness(results.pruning, 1, undefined);
    push('RSS flat under endless logouts', rss.text, rss.pass);
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
