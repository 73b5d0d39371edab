import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * The new space (both semi-spaces) the mock lets V8 grow to. Measured under 50 connections of logouts (GC time
 * a request; the bin's RSS after 800 k requests): left alone, V8 grows it to 128 MB on a machine with much RAM
 * (~0.3 µs; RSS ~200 MB after 1 M requests); at its starting 4 MB, ~2.1 µs (90 MB); at 8 MB, ~1.4 µs (90 MB);
 * at 16 MB, ~0.8 µs (97 MB). CPU per request differed by less than the runs' noise above 4 MB.
 */
const YOUNG_GENERATION_MB = 8;

/**
 * How far past what the last full GC found live the mock lets V8's old generation grow before the next one, in
 * percent. Left alone, V8 lets a small heap grow to up to 4× its live size on a machine with much RAM: under the
 * soak's mixed traffic (users, invitations and resets with the logouts; ~45 MB live: token records, the tokens the
 * verifier knows, the outbox) the RSS reached 250 MB and was still rising after 60 s; at 50%, it stayed at ~176 MB
 * from 40 s on. CPU per request did not move beyond the runs' noise there, nor RSS or CPU after 1 M pooled logouts
 * (~11 MB live). Measured by `npm run soak` (RSS over time) and the bench's RSS row; guarded by test/cli/heap.test.ts.
 */
const OLD_GENERATION_GROWTH_PERCENT = 50;

/**
 * Bounds V8's young generation in a process that runs the mock (the bin does; call it in your own process only if
 * it is one). Best effort: V8's GC reports arrive between event-loop turns, and on each growth is switched off at
 * the limit and on again below it; a long synchronous stretch of allocation (which a server answering requests
 * does not have) can still let V8 grow the space further meanwhile. One process-wide flag: call it once.
 * Holds no event loop; the returned function stops it and gives V8 back its own growth.
 */
export function boundYoungGeneration(limitMb: number = YOUNG_GENERATION_MB): () => void {
  const limit = limitMb * 1024 * 1024;
  let growing = true;
  const observer = new PerformanceObserver(() => {
    const size = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    if (size < limit === growing) return;
    growing = !growing;
    v8.setFlagsFromString(`--semi-space-growth-factor=${growing ? 2 : 1}`);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    if (!growing) v8.setFlagsFromString('--semi-space-growth-factor=2');
  };
}

/**
 * Bounds how far V8's old generation grows past its live size before a full GC (`--heap-growing-percent`), in a
 * process that runs the mock (the bin's `start` does, unless Node was given the flag). One process-wide flag.
 */
export function boundOldGenerationGrowth(percent: number = OLD_GENERATION_GROWTH_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}
