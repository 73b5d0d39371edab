import type { Socket } from 'node:net';
import type { NetworkFault } from './fault.ts';

/** Requests held by `hang` faults, released when their fault is cleared (or all at once on close). */
export class HangRegistry {
  #held = new Map<string, Set<() => void>>();
  /** Release timers of hang faults with a ttl, by fault id. */
  #timers = new Map<string, NodeJS.Timeout>();

  /** Releases fault `id`'s requests after `ms` milliseconds (a hang armed with a ttl lets go when it expires). */
  releaseAfter(id: string, ms: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.set(
      id,
      setTimeout(() => this.release(id), Math.max(0, ms)),
    );
  }

  /** Resolves when fault `id` is released; `signal` aborting (the client left) also ends the wait. */
  wait(id: string, signal: AbortSignal): Promise<void> {
    // An aborted signal never fires 'abort' again: a client gone during a delay must not be held forever.
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.#held.get(id) ?? new Set();
      this.#held.set(id, set);
      const done = () => {
        set.delete(done);
        if (set.size === 0) this.#held.delete(id);
        signal.removeEventListener('abort', done);
        resolve();
      };
      set.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Ends every wait on fault `id`; resolves how many requests it released. */
  release(id: string): number {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    const waits = [...(this.#held.get(id) ?? [])];
    for (const done of waits) done();
    return waits.length;
  }

  /** Ends every wait (clear all, reset, close); how many requests it released. */
  releaseAll(): number {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    let n = 0;
    for (const id of [...this.#held.keys()]) n += this.release(id);
    return n;
  }

  /** How many requests fault `id` holds now. */
  heldBy(id: string): number {
    return this.#held.get(id)?.size ?? 0;
  }

  /** The ids of faults holding requests now. */
  get heldIds(): string[] {
    return [...this.#held.keys()];
  }

  /** How many requests are held now. */
  get size(): number {
    let n = 0;
    for (const set of this.#held.values()) n += set.size;
    return n;
  }
}

/** Resolves after `ms`, or early when `signal` aborts; never leaves a timer behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

// latin1 so that each escape is the one byte it names (UTF-8 would turn \xff into two).
const GARBAGE = Buffer.from('HTTP/1.1 9x9 \x00\x01\x02 not http\r\n\x7f\xff\xfe\r\n\r\n', 'latin1');

/** Breaks the connection the way the fault names: `reset` (TCP RST), `empty` (close, no bytes), `garbage` (invalid HTTP, then close). */
export function breakConnection(socket: Socket, fault: Exclude<NetworkFault, 'hang'>): void {
  // The client may have gone during a delay; there is nothing left to break.
  if (socket.destroyed) return;
  if (fault === 'reset') socket.resetAndDestroy();
  else if (fault === 'empty') socket.end();
  else socket.end(GARBAGE);
}
