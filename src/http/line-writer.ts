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
  const writer = new BatchingWriter(sink, {
    maxHeldBytes: options.maxHeldBytes ?? 1024 * 1024,
    batchBytes: options.batchBytes ?? 64 * 1024,
    intervalMs: options.intervalMs ?? 10,
    retryMs: options.retryMs ?? 100,
    droppedLine: options.droppedLine ?? ((count: number) => `(${count} log lines dropped: the output did not keep up)\n`),
  });
  if (!exitHooked) {
    exitHooked = true;
    // One listener for every writer: the last lines still go out when the process exits without close().
    process.once('exit', () => {
      for (const each of unwritten) each.flush();
    });
  }
  return writer;
}

/** What the next write waits for: the end of this task, the interval, a slow sink's pause, a backed-up sink. */
type Waiting = 'task' | 'interval' | 'pause' | 'backed-up';

/** createLineWriter's writer: its state, and one method per step (send, wait, resume, ask again). */
class BatchingWriter implements LineWriter {
  readonly #sink: LineSink;
  readonly #options: Required<LineWriterOptions>;
  // Lines waiting for the sink, as UTF-8 bytes outside the JS heap: held as strings (a few objects each), every
  // young-generation GC meanwhile would copy them (measured: ~0.9 µs a request under load). Allocated at the first
  // line; its pages become resident only as far as lines reach (a batch, unless the sink is backed up).
  #held: Buffer | undefined;
  #used = 0;
  #dropped = 0;
  #closed = false;
  #lastSent = Number.NEGATIVE_INFINITY;
  #waiting: Waiting | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(sink: LineSink, options: Required<LineWriterOptions>) {
    this.#sink = sink;
    this.#options = options;
  }

  write(line: string): void {
    if (this.#closed) return;
    const { maxHeldBytes, batchBytes, intervalMs } = this.#options;
    // Fits for sure when even 3 bytes a character would (the usual line): measured only when it might not.
    if (line.length * 3 > maxHeldBytes - this.#used && Buffer.byteLength(line) > maxHeldBytes - this.#used) {
      // Held lines fill the buffer (or one line is longer than all of it): counted, not kept.
      if (this.#holding() || Buffer.byteLength(line) > maxHeldBytes) {
        this.#dropped++;
        return;
      }
      this.flush(); // out with the batch, then this line starts the next one
    }
    this.#held ??= Buffer.allocUnsafeSlow(maxHeldBytes);
    if (this.#used === 0) unwritten.add(this);
    this.#used += this.#held.write(line, this.#used);
    if (this.#holding()) return;
    if (this.#used >= batchBytes) this.flush();
    else if (this.#waiting === undefined) {
      const since = performance.now() - this.#lastSent;
      if (since < intervalMs) this.#wait('interval', intervalMs - since, this.#resume);
      else {
        this.#waiting = 'task';
        queueMicrotask(this.#endOfTask);
      }
    }
  }

  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiting = undefined;
    this.#send();
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#closed = true;
  }

  /** Hands the pending text (after the dropped-lines notice, when lines were dropped) to the sink. */
  #send(): void {
    const lines = this.#used > 0 && this.#held !== undefined ? this.#held.toString('utf8', 0, this.#used) : '';
    const text = this.#dropped > 0 ? this.#options.droppedLine(this.#dropped) + lines : lines;
    this.#used = 0;
    this.#dropped = 0;
    unwritten.delete(this);
    if (text === '') return;
    const started = performance.now();
    this.#lastSent = started;
    let taken: unknown;
    try {
      const sink = this.#sink; // called as a plain function, as a sink expects
      taken = sink(text);
    } catch {
      // A sink that throws (its stream closed) loses this text; the answers go on.
    }
    const took = performance.now() - started;
    if (taken === false) this.#wait('backed-up', this.#options.retryMs, this.#askAgain);
    else if (took > SLOW_WRITE_MS) this.#wait('pause', Math.min(took * 9, LONGEST_PAUSE_MS), this.#resume);
  }

  #wait(what: Exclude<Waiting, 'task'>, ms: number, then: () => void): void {
    this.#waiting = what;
    this.#timer = setTimeout(then, ms).unref();
  }

  /** Whether lines are held for a slow or backed-up sink (no write is scheduled for them). */
  #holding(): boolean {
    return this.#waiting === 'pause' || this.#waiting === 'backed-up';
  }

  readonly #resume = (): void => {
    this.#timer = undefined;
    this.#waiting = undefined;
    this.#send();
  };

  readonly #askAgain = (): void => {
    this.#timer = undefined;
    let takes: boolean;
    try {
      const sink = this.#sink;
      takes = sink('') !== false;
    } catch {
      takes = true; // Gone for good: sending drops the held lines, as any later write would.
    }
    if (takes) this.#resume();
    else this.#wait('backed-up', this.#options.retryMs, this.#askAgain);
  };

  readonly #endOfTask = (): void => {
    if (this.#waiting !== 'task') return;
    this.#waiting = undefined;
    this.#send();
  };
}
