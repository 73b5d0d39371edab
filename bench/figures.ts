// What one run measured, as the report and the targets read it.
import type { Measured } from './load.ts';
import type { Pruning, RevocationCost } from './memory.ts';
import type { PathName } from './path-types.ts';
import type { MemoryBreakdown } from './rss.ts';
import type { MockStartups, Startup } from './startup.ts';

/** The same path and load, measured on each server: the mock as users run it, the mock with `--log off`, bare Node, Prism. */
export type Row = {
  readonly path: PathName;
  readonly connections: number;
  /** The mock with its default options: the request log on (pretty, to a file). */
  readonly mock: Measured;
  /** The same mock with `--log off` (no-token and pooled paths). */
  readonly quiet: Measured | undefined;
  /** Bare node:http (the paths that sign nothing; the others are held against their signing work instead). */
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
  /** The two-core rate of the signing work one request needs, per second, taken in turns with these runs (the paths that sign). */
  readonly signingPerSecond: number | undefined;
};

/** Everything one run measured. */
export type Results = {
  readonly quick: boolean;
  /** How many runs each throughput figure is the median of. */
  readonly rounds: number;
  /** Rounds of the paths with a CPU target (no-token, pooled). */
  readonly targetRounds: number;
  /** Rounds of the paths that use each token or link once. */
  readonly onceRounds: number;
  /** True when the mock ran as installed (the packed package's bin on the built JavaScript), false when from src/. */
  readonly installed: boolean;
  readonly date: Date;
  /** 1-minute load average before and after the run: other work on the machine skews every figure. */
  readonly load: readonly [number, number];
  readonly rows: readonly Row[];
  /** jose.jwtVerify, one at a time in one process, on the verify path's tokens. */
  readonly jwtVerifyPerSecond: number | undefined;
  readonly startup: { readonly mock: MockStartups; readonly prism: Startup };
  /** The mock's and bare Node's memory, each after the same `requests` pooled logouts in a child of its own. */
  readonly rss: { readonly requests: number; readonly mock: MemoryBreakdown; readonly bare: MemoryBreakdown } | undefined;
  /** RSS of Prism after its runs, for comparison. */
  readonly prismRss: { readonly requests: number; readonly bytes: number } | undefined;
  /** `sent` requests told apart by their reason, the last before the mock stopped (SIGINT), and the `lines` of its log that name them. */
  readonly logCheck: { readonly sent: number; readonly lines: number } | undefined;
  readonly revocation: RevocationCost | undefined;
  readonly pruning: Pruning | undefined;
};

/** A whole number with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
