/**
 * The newest `atMost` items appended, oldest first: the token records, the outbox, the file store's journal.
 *
 * A tuning, behind this seam: the oldest are dropped in bulk, once the list holds an eighth more than `atMost`, so an
 * append is O(1) amortised. Dropping them on every append past the bound (a `splice` of the front) moved the whole
 * list each time: with 10 000 token records that was 13% of the mock's busy time on the bench's `fresh` path (each
 * logout records its tokens). Guarded by `npm run bench -- --paths fresh` and test/state/recent-list.test.ts, which
 * checks what `list()` gives; how much is held meanwhile (at most an eighth over `atMost`) shows only in memory: the
 * bench's RSS runs and the soak watch it.
 */
export class RecentList<T> {
  #items: T[] = [];
  readonly #atMost: number;
  readonly #slack: number;

  /** `atMost`: how many of the newest items are kept (0 keeps none). */
  constructor(atMost: number) {
    this.#atMost = Math.max(0, Math.floor(atMost));
    this.#slack = Math.max(1, Math.ceil(this.#atMost / 8));
  }

  /** Appends `items`, in order. */
  push(...items: readonly T[]): void {
    if (this.#atMost === 0) return;
    for (const item of items) this.#items.push(item);
    if (this.#items.length >= this.#atMost + this.#slack) this.#items.splice(0, this.#items.length - this.#atMost);
  }

  /** The newest `atMost` items, oldest first: a copy. */
  list(): T[] {
    return this.#items.slice(Math.max(0, this.#items.length - this.#atMost));
  }

  /** How many items `list()` returns. */
  get size(): number {
    return Math.min(this.#items.length, this.#atMost);
  }

  /** Forgets every item. */
  clear(): void {
    this.#items = [];
  }
}
