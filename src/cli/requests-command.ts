import type { SessionsView } from '../control/services.ts';
import type { Io } from '../io.ts';
import type { JournalEntry } from '../state/journal.ts';
import type { ControlClient } from './client.ts';
import { journalLine, key } from './format.ts';

/** `requests`' options as commander parsed them. */
export type RequestsOptions = {
  sub?: string;
  sid?: string;
  session?: string;
  status?: number;
  operation?: string;
  fault?: string;
  since?: string;
  limit?: number;
  storms?: boolean;
  follow?: boolean;
  new?: boolean;
  json?: boolean;
};

/** How often `--follow` asks the mock for new entries, in milliseconds. */
const POLL_MS = 500;

/**
 * `requests`: prints the journal (`GET /__mock/requests`), filtered, one line per request (`--json`: one JSON object
 * per line); says so when nothing matches. `--follow` keeps printing new entries until `io.signal` aborts; `--new`
 * follows only the requests answered from now on (it implies `--follow`). `--storms` keeps the refreshes that were part
 * of a refresh storm (their warning on a line below each) and, without `--json` or `--follow`, ends with each sign-in
 * that stormed. Throws RemoteError when the mock is unreachable or refuses a filter.
 */
export async function showRequests(client: ControlClient, opts: RequestsOptions, io: Io): Promise<void> {
  const follow = opts.follow === true || opts.new === true;
  const params = new URLSearchParams();
  for (const name of ['sub', 'sid', 'session', 'status', 'operation', 'since', 'limit'] as const) {
    if (opts[name] !== undefined) params.set(name, String(opts[name]));
  }
  if (opts.fault !== undefined) params.set('faultId', opts.fault);
  if (opts.storms) {
    params.set('operation', 'refresh');
    params.set('warned', 'true');
  }
  const filtered = [...params.keys()].some((name) => name !== 'limit');
  const print = (entry: JournalEntry) => io.stdout(opts.json ? `${JSON.stringify(entry)}\n` : `${journalLine(entry)}\n`);

  let seen = new Set<string>();
  let since: string | undefined = opts.since;
  let first = true;
  if (follow) io.stderr(`following ${opts.new ? 'new ' : ''}requests; Ctrl-C stops\n`);
  do {
    if (since !== undefined) params.set('since', since);
    const { requests } = await client.request<{ requests: JournalEntry[] }>('GET', `/__mock/requests?${params}`);
    // --new: what the journal holds now is the starting point, not output.
    if (!(first && opts.new)) for (const entry of requests) if (!seen.has(key(entry))) print(entry);
    if (first && !follow && requests.length === 0 && !opts.json)
      io.stdout(opts.storms ? 'no refresh was part of a storm\n' : filtered ? 'no requests match these filters\n' : 'no requests yet\n');
    if (requests.length > 0) {
      since = requests[requests.length - 1]?.at;
      seen = new Set(requests.filter((e) => e.at === since).map(key));
    }
    first = false;
    if (follow) await sleep(POLL_MS, io.signal);
  } while (follow && !io.signal.aborted);
  if (opts.storms && !follow && !opts.json) await showStormed(client, io);
}

/** Each sign-in that stormed, as `GET /__mock/sessions` counts it: refreshes, storms, its latest storm. */
async function showStormed(client: ControlClient, io: Io): Promise<void> {
  const { signIns = [] } = await client.request<Partial<SessionsView>>('GET', '/__mock/sessions');
  const stormed = signIns.filter((s) => s.storms > 0);
  for (const { sid, sub, refreshes, storms, lastStorm } of stormed) {
    const latest = lastStorm === undefined ? '' : `; the latest ${lastStorm.refreshes} refreshes from ${lastStorm.from} to ${lastStorm.at}`;
    io.stdout(`sign-in ${sid} (sub ${sub}) stormed ${storms} time${storms === 1 ? '' : 's'}: ${refreshes} refreshes all told${latest}\n`);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (Ctrl-C ends `--follow` without waiting out a poll). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
