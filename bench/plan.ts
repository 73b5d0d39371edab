/** How big and long a run is. */
export type Plan = {
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
  /** Rounds of the paths that use each token or link once and mint them before each run (accept, reset); fresh: one. */
  onceRounds: number;
  /** Prism's runs (about 20 times slower, it is compared on throughput only): this many, each `prismSeconds` long. */
  prismRounds: number;
  prismSeconds: number;
  warmupSeconds: number;
  connections: number[];
  pool: number;
  fresh: number;
  /** Invitations accepted per run of the accept path. */
  invitations: number;
  startupRuns: number;
  /** How long jose.jwtVerify's and the signing work's rates are taken, each time. */
  jwtSeconds: number;
  /** A mock of its own, and bare Node, answer this many pooled logouts before their RSS is read (0: RSS not measured). */
  rssAfter: number;
  revocations: number;
  pruneSeconds: number;
};

export const FULL: Plan = {
  rounds: 7,
  seconds: 0.5,
  targetRounds: 31,
  onceRounds: 3,
  prismRounds: 3,
  prismSeconds: 1.2,
  warmupSeconds: 1,
  connections: [10, 50],
  pool: 500,
  fresh: 3000,
  invitations: 600,
  startupRuns: 9,
  jwtSeconds: 1,
  rssAfter: 1_000_000,
  revocations: 1_000_000,
  pruneSeconds: 30,
};

export const QUICK: Plan = {
  rounds: 3,
  seconds: 0.5,
  targetRounds: 5,
  onceRounds: 1,
  prismRounds: 1,
  prismSeconds: 1,
  warmupSeconds: 0.5,
  connections: [10, 50],
  pool: 100,
  fresh: 500,
  invitations: 200,
  startupRuns: 3,
  jwtSeconds: 1,
  rssAfter: 0,
  revocations: 200_000,
  pruneSeconds: 8,
};
