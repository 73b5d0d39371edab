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
