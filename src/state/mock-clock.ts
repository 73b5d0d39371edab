/**
 * The mock's clock: the real one (or a test's) plus an offset QA moves forward (`POST /__mock/clock`), for the
 * refresh-on-401 path. Everything that reads time (checks, minting, expiry, pruning) reads this one. The offset
 * lives in this process: replicas on one Redis each keep their own.
 */
export type MockClock = {
  /** Milliseconds since the epoch, offset included. */
  now(): number;
  /** Seconds the clock has been moved forward. */
  offsetSeconds(): number;
  /** Moves the clock forward by `seconds` (whole, ≥ 0). */
  advance(seconds: number): void;
  /** Back to the real time. */
  reset(): void;
};

/** Builds the mock's clock over `base` (epoch milliseconds, `Date.now` by default). */
export function createMockClock(base: () => number = Date.now): MockClock {
  let offsetMs = 0;
  return {
    now: () => base() + offsetMs,
    offsetSeconds: () => offsetMs / 1000,
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    reset() {
      offsetMs = 0;
    },
  };
}
