import type { Io } from '../io.ts';
import type { MessageKind, OutboxMessage } from '../state/records.ts';
import type { ControlClient } from './client.ts';
import { table } from './format.ts';

/** `outbox`'s options as commander parsed them. */
export type OutboxOptions = { recipient?: string; kind?: MessageKind; json?: boolean };

/**
 * `outbox`: what the service would have mailed (`GET /__mock/outbox`), oldest first: one row per message with its
 * link (the token is in it); `--json` prints the mock's list, tokens included. Says so when there is none.
 */
export async function showOutbox(client: ControlClient, opts: OutboxOptions, io: Io): Promise<void> {
  const query = new URLSearchParams({ ...(opts.recipient ? { recipient: opts.recipient } : {}), ...(opts.kind ? { kind: opts.kind } : {}) }).toString();
  const { messages } = await client.request<{ messages: OutboxMessage[] }>('GET', `/__mock/outbox${query ? `?${query}` : ''}`);
  if (opts.json) return io.stdout(`${JSON.stringify(messages, null, 2)}\n`);
  if (messages.length === 0) return io.stdout('the outbox is empty: invitations and password-reset links land here\n');
  io.stdout(
    table(
      ['AT', 'KIND', 'RECIPIENT', 'LINK'],
      messages.map((m) => [m.at, m.kind, m.recipient, m.link]),
    ),
  );
}
