import type { OutboxFilter, OutboxMessage } from './records.ts';

/** The outbox held in memory: the newest `size` messages, oldest first. What MemoryStore keeps and the file store replays into. */
export class Outbox {
  #messages: OutboxMessage[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  /** Adds a message, dropping the oldest beyond the bound. */
  push(message: OutboxMessage): void {
    this.#messages.push(message);
    if (this.#messages.length > this.#size) this.#messages.splice(0, this.#messages.length - this.#size);
  }

  /** The messages passing `filter`, oldest first. */
  list(filter: OutboxFilter = {}): OutboxMessage[] {
    return this.#messages.filter(
      (message) => (filter.recipient === undefined || message.recipient === filter.recipient) && (filter.kind === undefined || message.kind === filter.kind),
    );
  }

  clear(): void {
    this.#messages = [];
  }
}
