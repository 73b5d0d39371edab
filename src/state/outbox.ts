import { RecentList } from './recent-list.ts';
import type { OutboxFilter, OutboxMessage } from './records.ts';

/** The outbox held in memory: the newest `size` messages, oldest first. What MemoryStore keeps and the file store replays into. */
export class Outbox {
  readonly #messages: RecentList<OutboxMessage>;

  constructor(size: number) {
    this.#messages = new RecentList(size);
  }

  /** Adds a message, dropping the oldest beyond the bound. */
  push(message: OutboxMessage): void {
    this.#messages.push(message);
  }

  /** The messages passing `filter`, oldest first. */
  list(filter: OutboxFilter = {}): OutboxMessage[] {
    return this.#messages
      .list()
      .filter(
        (message) => (filter.recipient === undefined || message.recipient === filter.recipient) && (filter.kind === undefined || message.kind === filter.kind),
      );
  }

  clear(): void {
    this.#messages.clear();
  }
}
