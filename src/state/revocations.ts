/**
 * Revocations held in memory, by key, with the time each lasts until: what MemoryStore keeps, and what the
 * file store replays its log into.
 */
export class Revocations {
  #until = new Map<string, number>();

  /** True if `key` is revoked at `nowMs`. */
  isLive(key: string, nowMs: number): boolean {
    const until = this.#until.get(key);
    return until !== undefined && until > nowMs;
  }

  /** True if any of `keys` is revoked at `nowMs`. */
  anyLive(keys: readonly string[], nowMs: number): boolean {
    return this.firstLive(keys, nowMs) !== undefined;
  }

  /** The first of `keys` (in the order given) revoked at `nowMs`, or undefined. */
  firstLive(keys: readonly string[], nowMs: number): string | undefined {
    for (const key of keys) if (this.isLive(key, nowMs)) return key;
    return undefined;
  }

  /** Revokes `key` until `untilMs` (the later time wins), dropping a few expired ones on the way. */
  add(key: string, untilMs: number, nowMs: number): void {
    this.#pruneFront(nowMs);
    // normalize() flattens a string built from pieces (randomUUID's is ~20): 557 → ~100 bytes per live revocation.
    this.#until.set(key.normalize(), Math.max(untilMs, this.#until.get(key) ?? 0));
  }

  /** Drops every revocation expired at `nowMs`. */
  sweep(nowMs: number): void {
    for (const [key, until] of this.#until) if (until <= nowMs) this.#until.delete(key);
  }

  /** Revocations held (live, or expired and not pruned yet). */
  get size(): number {
    return this.#until.size;
  }

  /** Every revocation held, as `[key, untilMs]` pairs (live, or expired and not pruned yet). */
  entries(): IterableIterator<[string, number]> {
    return this.#until.entries();
  }

  /** Forgets every revocation. */
  clear(): void {
    this.#until.clear();
  }

  /** Revocations mostly expire in insertion order, so a few at the front go on every write. */
  #pruneFront(nowMs: number): void {
    let n = 0;
    for (const [key, until] of this.#until) {
      if (until > nowMs || ++n > 8) break;
      this.#until.delete(key);
    }
  }
}
