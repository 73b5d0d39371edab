import type { LogFormat } from '../config/config.ts';
import type { JournalEntry } from '../state/journal.ts';
import { createLineWriter, type LineSink, type LineWriterOptions } from './line-writer.ts';

/** The request log: one line per answered request, written in batches (see createLineWriter). */
export type RequestLog = {
  /** Logs one journal entry (never a raw token: the entry holds none). */
  readonly log: (entry: JournalEntry) => void;
  /** Writes every line logged so far. */
  flush(): void;
  /** Flushes and logs no more: `mock.close()` calls it after the last answer. */
  close(): void;
};

/**
 * Turns journal entries into one log line each — `pretty` for people (`HH:MM:SS.mmm POST /path 200 0.4ms - reason
 * sub=… fault=…`, and a `HH:MM:SS.mmm WARNING …` line below one that carries a warning; ASCII: one non-Latin-1 character would make every line a two-byte string, twice the bytes to join and
 * encode), `json` for machines (the entry as one JSON object per line), `off` for none — and writes them to
 * `write` (default stdout) in batches: after the answers of the task that logged them, and while requests keep coming
 * at most every 10 ms (see createLineWriter). Lines keep their order; a batch holds several lines, so a reader splits on `\n`.
 * A `write` that returns `false` (backed up), is slow or throws never slows or stops the answers: past 1 MiB held,
 * lines are dropped and a line says how many.
 */
export function createLogger(format: LogFormat, write: LineSink = (text) => process.stdout.write(text), options: LineWriterOptions = {}): RequestLog {
  if (format === 'off') return { log: () => {}, flush: () => {}, close: () => {} };
  const json = format === 'json';
  const writer = createLineWriter(write, {
    droppedLine: (count) =>
      json
        ? `${JSON.stringify({ dropped: count, reason: 'request log lines dropped: the output did not keep up' })}\n`
        : `(${count} request log lines dropped: the output did not keep up)\n`,
    ...options,
  });
  return {
    log: json ? (entry) => writer.write(`${JSON.stringify(entry)}\n`) : (entry) => writer.write(prettyLine(entry)),
    flush: () => writer.flush(),
    close: () => writer.close(),
  };
}

/** How far the mock's clock runs ahead, in its largest whole unit: `25h`, `90m`, `45s`. */
function ahead(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600}h` : seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/**
 * The request's line (its time followed by `(mock time +1h)` while the mock's clock runs ahead of the real time), and
 * below it a `WARNING` line when the entry carries a warning (a refresh storm).
 */
function prettyLine(entry: JournalEntry): string {
  const who = entry.sub ? ` sub=${entry.sub}` : '';
  const fault = entry.faultId ? ` fault=${entry.faultId}` : '';
  const time = entry.clockOffsetSeconds === undefined ? entry.at.slice(11, 23) : `${entry.at.slice(11, 23)} (mock time +${ahead(entry.clockOffsetSeconds)})`;
  const line = `${time} ${entry.method} ${entry.path} ${entry.status || 'no answer'} ${entry.ms}ms - ${entry.reason}${who}${fault}\n`;
  return entry.warning === undefined ? line : `${line}${time} WARNING ${entry.warning}\n`;
}
