import { type FileHandle, open } from 'node:fs/promises';
import { StoreError } from '../errors.ts';
import { replaceFile } from './atomic-file.ts';

/** The log is compacted when it holds this many records and twice the live state. */
const COMPACT_MIN_RECORDS = 10_000;
/** Lines written without waiting for disk (journal lines) wait this long to go with others, in milliseconds. */
const LAZY_WRITE_MS = 200;

/** The live state as the lines of a fresh log, and how many records they are. */
export type Snapshot = { readonly text: string; readonly records: number };

type Waiter = { resolve: () => void; reject: (error: Error) => void };

/**
 * The write side of the state file: lines appended to an append-only log with group commit (whatever queues while one
 * batch is written goes in the next, with one fsync), a durable write resolving once it and everything before it is
 * on disk, and compaction (the live state written to a temp file, fsynced, renamed over the log) when the log has grown
 * to twice the live state. A failed write rejects its waiters with StoreError, and the next write rewrites the file whole.
 */
export class LogWriter {
  readonly #path: string;
  readonly #snapshot: () => Snapshot;
  #fd: FileHandle | undefined;
  #queue: string[] = [];
  #waiters: Waiter[] = [];
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Records in the file now; compaction when it passes #compactAt. */
  #records = 0;
  #compactAt = COMPACT_MIN_RECORDS;
  /** Bytes written since the last fsync (journal lines). */
  #unsynced = false;
  /** The last write failed: the file's tail is unknown, so the next write rewrites it whole. */
  #broken: Error | undefined;

  /** `snapshot` makes the live state's lines, synchronously: a compaction holds exactly the changes queued before it. */
  constructor(path: string, snapshot: () => Snapshot) {
    this.#path = path;
    this.#snapshot = snapshot;
  }

  /** Rewrites the file as a snapshot of the state loaded from it, and appends from there; rejects when it cannot be written. */
  open(): Promise<void> {
    return this.#compact();
  }

  /** Queues a line to go with the next write (and its fsync). */
  queue(line: string): void {
    this.#queue.push(line);
  }

  /** Queues a line; a durable one resolves once it (and everything before it) is fsynced, else within LAZY_WRITE_MS. */
  write(line: string, durable: boolean): Promise<void> {
    this.#queue.push(line);
    if (!durable) {
      this.#timer ??= setTimeout(() => this.#kick(), LAZY_WRITE_MS);
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return done;
  }

  /** Resolves once everything queued or being written now is on disk. */
  barrier(): Promise<void> {
    if (!this.#draining && this.#queue.length === 0 && !this.#unsynced) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return done;
  }

  /** Writes what is still queued, one last fsync for lines written without one, and closes the file. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    try {
      this.#kick();
      while (this.#draining) await this.#draining;
      if (this.#unsynced && !this.#broken) await this.#fd?.datasync();
    } finally {
      await this.#fd?.close().catch(() => {});
      this.#fd = undefined;
    }
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // Something may have queued between the last check of the loop and now.
      if (this.#waiters.length > 0) this.#kick();
      else if (this.#queue.length > 0) this.#timer ??= setTimeout(() => this.#kick(), LAZY_WRITE_MS);
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 || this.#waiters.length > 0) {
      const lines = this.#queue;
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      try {
        if (this.#broken || this.#records + lines.length > this.#compactAt) {
          // The snapshot is taken synchronously, before any await: it holds exactly these lines' changes.
          await this.#compact();
        } else {
          if (lines.length > 0) {
            await (this.#fd as FileHandle).appendFile(lines.join(''), 'utf8');
            this.#records += lines.length;
            this.#unsynced = true;
          }
          if (waiters.length > 0 && this.#unsynced) {
            await (this.#fd as FileHandle).datasync();
            this.#unsynced = false;
          }
        }
        for (const waiter of waiters) waiter.resolve();
      } catch (cause) {
        this.#broken = cause as Error;
        const error = new StoreError(`state file ${this.#path} could not be written: ${(cause as Error).message}`, { cause });
        for (const waiter of waiters) waiter.reject(error);
      }
    }
  }

  async #compact(): Promise<void> {
    const snapshot = this.#snapshot();
    await replaceFile(this.#path, snapshot.text);
    const previous = this.#fd;
    this.#fd = await open(this.#path, 'a', 0o600);
    await previous?.close().catch(() => {});
    this.#records = snapshot.records;
    this.#compactAt = Math.max(COMPACT_MIN_RECORDS, 2 * snapshot.records);
    this.#unsynced = false;
    this.#broken = undefined;
  }
}
