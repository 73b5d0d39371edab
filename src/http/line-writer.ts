/**
 * Where batched log text goes: one or more whole lines per call. Like `Writable.write`, it may return `false` when
 * its destination is backed up (a reader that stopped reading); anything else means it took the text. It may throw
 * (a closed stream): the text of that call is lost, never the process.
 */
export type LineSink = (text: string) => unknown;

/** Lines written together: at the end of the task that logged them, and while lines keep coming at most every few ms. */
export type LineWriter = {
  /** Queues one line (ending in `\n`); it goes out with the other lines of its task, or of the next few ms. */
  write(line: string): void;
  /** Writes what is queued now, in order, even to a sink that said it is backed up: a clean stop loses no line. */
  flush(): void;
  /** Flushes, then takes no more lines. Idempotent. */
  close(): void;
};

/** Bounds of a LineWriter; the defaults suit a request log. */
export type LineWriterOptions = {
  /** Most bytes (UTF-8) of lines held while the sink is backed up (default 1 MiB); lines past it are dropped and counted. */
  readonly maxHeldBytes?: number;
  /** A batch this many bytes long is written at once, not at the end of the task (default 64 KiB). */
  readonly batchBytes?: number;
  /** While lines keep coming, at most one write per this many milliseconds (default 10). */
  readonly intervalMs?: number;
  /** How often a backed-up sink is asked again, with an empty write, in milliseconds (default 100). */
  readonly retryMs?: number;
  /** The line that says how many lines were dropped, written before the next ones once the sink takes text again. */
  readonly droppedLine?: (count: number) => string;
};

/** Writers holding lines not yet handed to their sink: what the process's exit still writes. */
const unwritten = new Set<LineWriter>();
let exitHooked = false;

/** A write that takes longer than this (ms) is slow: the next one waits, so writing takes at most ~10% of the time. */
const SLOW_WRITE_MS = 2;
/** The longest a slow sink is left alone between two writes, in milliseconds. */
const LONGEST_PAUSE_MS = 1000;

/**
 * Builds a writer that calls `sink` with lines joined: at the end of the task that logged them (a microtask: after
 * the answers that task wrote) when the last write was `intervalMs` or more ago, else `intervalMs` after it. A line
 * after a quiet spell goes out at once; a busy server makes one write (one syscall for stdout) every `intervalMs`,
 * not one per request or per event-loop turn (a server that is not saturated answers one or two requests a turn).
 * The sink never holds the answers up for long:
 * - one that returns `false` (backed up) is left alone until an empty write says it takes text again (asked every
 *   `retryMs`);
 * - one that takes longer than 2 ms to write is left alone for 9 times that (at most 1 s) before the next write;
 * - one that throws loses that text.
 * Lines that wait are held, as UTF-8 bytes outside the JS heap, up to `maxHeldBytes`; past that they are dropped and counted, and `droppedLine` says how
 * many before the next lines. Writers with unwritten lines are flushed when the process exits.
 */
export function createLineWriter(sink: LineSink, options: LineWriterOptions = {}): LineWriter {
  const maxHeld = options.maxHeldBytes ?? 1024 * 1024;
  const batchBytes = options.batchBytes ?? 64 * 1024;
  const retryMs = options.retryMs ?? 100;
  const intervalMs = options.intervalMs ?? 10;
  const droppedLine = options.droppedLine ?? ((count: number) => `(${count} log lines dropped: the output did not keep up)\n`);
  // Lines waiting for the sink, as UTF-8 bytes outside the JS heap: held as strings (a few objects each), every
  // young-generation GC meanwhile would copy them (measured: ~0.9 µs a request under load). Allocated at the first
  // line; its pages become resident only as far as lines reach (a batch, unless the sink is backed up).
  let held: Buffer | undefined;
  let used = 0;
  let dropped = 0;
  let closed = false;
  let lastSent = Number.NEGATIVE_INFINITY;
  /** What the next write waits for: the end of this task, the interval, a slow sink's pause, a backed-up sink, or nothing yet. */
  let waiting: 'task' | 'interval' | 'pause' | 'backed-up' | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Hands the pending text (after the dropped-lines notice, when lines were dropped) to the sink. */
  function send(): void {
    const lines = used > 0 && held !== undefined ? held.toString('utf8', 0, used) : '';
    const text = dropped > 0 ? droppedLine(dropped) + lines : lines;
    used = 0;
    dropped = 0;
    unwritten.delete(writer);
    if (text === '') return;
    const started = performance.now();
    lastSent = started;
    let taken: unknown;
    try {
      taken = sink(text);
    } catch {
      // A sink that throws (its stream closed) loses this text; the answers go on.
    }
    const took = performance.now() - started;
    if (taken === false) wait('backed-up', retryMs, askAgain);
    else if (took > SLOW_WRITE_MS) wait('pause', Math.min(took * 9, LONGEST_PAUSE_MS), resume);
  }

  function wait(what: 'interval' | 'pause' | 'backed-up', ms: number, then: () => void): void {
    waiting = what;
    timer = setTimeout(then, ms).unref();
  }

  function resume(): void {
    timer = undefined;
    waiting = undefined;
    send();
  }

  function askAgain(): void {
    timer = undefined;
    let takes: boolean;
    try {
      takes = sink('') !== false;
    } catch {
      takes = true; // Gone for good: sending drops the held lines, as any later write would.
    }
    if (takes) resume();
    else wait('backed-up', retryMs, askAgain);
  }

  /** Whether lines are held for a slow or backed-up sink (no write is scheduled for them). */
  function holding(): boolean {
    return waiting === 'pause' || waiting === 'backed-up';
  }

  function endOfTask(): void {
    if (waiting !== 'task') return;
    waiting = undefined;
    send();
  }

  const writer: LineWriter = {
    write(line) {
      if (closed) return;
      // Fits for sure when even 3 bytes a character would (the usual line): measured only when it might not.
      if (line.length * 3 > maxHeld - used && Buffer.byteLength(line) > maxHeld - used) {
        // Held lines fill the buffer (or one line is longer than all of it): counted, not kept.
        if (holding() || Buffer.byteLength(line) > maxHeld) {
          dropped++;
          return;
        }
        writer.flush(); // out with the batch, then this line starts the next one
      }
      held ??= Buffer.allocUnsafeSlow(maxHeld);
      if (used === 0) unwritten.add(writer);
      used += held.write(line, used);
      if (holding()) return;
      if (used >= batchBytes) writer.flush();
      else if (waiting === undefined) {
        const since = performance.now() - lastSent;
        if (since < intervalMs) wait('interval', intervalMs - since, resume);
        else {
          waiting = 'task';
          queueMicrotask(endOfTask);
        }
      }
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      waiting = undefined;
      send();
    },
    close() {
      if (closed) return;
      writer.flush();
      if (timer !== undefined) clearTimeout(timer);
      closed = true;
    },
  };
  if (!exitHooked) {
    exitHooked = true;
    // One listener for every writer: the last lines still go out when the process exits without close().
    process.once('exit', () => {
      for (const each of unwritten) each.flush();
    });
  }
  return writer;
}
