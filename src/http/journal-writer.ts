import type { IncomingMessage } from 'node:http';
import { headerSafe } from '../errors.ts';
import type { Outcome } from '../operations/outcome.ts';
import type { JournalEntry } from '../state/journal.ts';
import type { Store } from '../state/store.ts';

/** One answered request, as the journal takes it. */
export type Answered = {
  readonly req: IncomingMessage;
  /** The operation's name, or `other` for what the app answered outside the operations (an unknown path under the base path). */
  readonly operation: string;
  /**
   * What was answered: status 0 when nothing was (a network fault, a held request the client left); the claims, fault
   * and email the entry keeps, and a warning an operation adds (a refresh storm).
   */
  readonly outcome: Pick<Outcome, 'status' | 'reason' | 'faultId' | 'claims' | 'email'> & Pick<JournalEntry, 'warning'>;
  /** When the request arrived (`performance.now()`). */
  readonly started: number;
  readonly testSession: string | undefined;
};

/** Writes one journal entry per answered request: the request log line, then the store's journal (best effort). */
export type Journal = {
  /** Records an answer. Its entry's `at` is when the answer was decided and sent, so entries stay in one order (arrival was `ms` earlier). */
  record(answered: Answered): void;
};

/** What the journal writer needs: where entries go, the paths it keeps as shared strings, and the clock (epoch ms). */
export type JournalDeps = {
  readonly store: Store;
  /** Called with each entry once it is answered: the request log. */
  readonly log: (entry: JournalEntry) => void;
  /** The operations' own paths: an entry keeps the one string the app holds (GC need not copy it). */
  readonly knownPaths: readonly string[];
  readonly clock: () => number;
  /** How far the mock's clock runs ahead of the real time, in seconds (0: none): an entry says so when it is not 0. */
  readonly clockOffsetSeconds?: () => number;
};

/** Builds the journal writer. Raw tokens never reach it: only the claims' `sub`, `jti` and `sid`. */
export function createJournal(deps: JournalDeps): Journal {
  const known = new Map(deps.knownPaths.map((path) => [path, path]));
  const offsetOf = deps.clockOffsetSeconds ?? (() => 0);
  let handled: Promise<void> | undefined;
  return {
    record({ req, operation, outcome, started, testSession }) {
      const claims = outcome.claims;
      const offset = offsetOf();
      // One object of one shape, every field present (absent ones undefined: JSON leaves them out), in the order the
      // journal has always had them; added one by one, the fields past the first few would need a second allocation.
      const entry: JournalEntry = {
        at: isoTime(deps.clock()),
        clockOffsetSeconds: offset === 0 ? undefined : offset,
        method: req.method ?? '',
        path: pathOf(req.url ?? '', known),
        status: outcome.status,
        reason: outcome.reason,
        faultId: outcome.faultId || undefined,
        sub: claims?.sub,
        jti: claims?.jti,
        sid: claims?.origin_jti,
        session: testSession || undefined,
        operation,
        email: outcome.email || undefined,
        warning: outcome.warning,
        ms: Math.round((performance.now() - started) * 100) / 100,
      };
      deps.log(entry);
      const stored = deps.store.appendRequest(entry);
      // A store that answers every call with one settled promise (the memory store) needs one handler, not one a request.
      if (stored !== handled) {
        handled = stored;
        stored.catch(ignore);
      }
    },
  };
}

/** The journal is best effort: a store that cannot keep an entry must not fail the answer already sent. */
function ignore(): void {}

let lastMs = Number.NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, made once per millisecond however many requests arrive in it. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * The path an entry keeps: the request's, without its query (which may carry anything), its tokens shown as `{token}`
 * (see withoutTokens), the one string the app holds for a path it knows.
 */
function pathOf(url: string, known: ReadonlyMap<string, string>): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return known.get(path) ?? headerSafe(withoutTokens(path));
}

/**
 * `path` with every segment that holds a token shown as `{token}`: a JWT or JWE (it begins `eyJ`, the base64url of
 * `{"`), as sent or percent-encoded (an invitation's token in `/invite/{inviteToken}/accept`, its dots sent as `%2E`; a
 * bearer pasted into a URL). A token must never reach the journal, the log or an answer that quotes the path.
 */
export function withoutTokens(path: string): string {
  if (!path.includes('eyJ') && !path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => (decodedSegment(segment).startsWith('eyJ') ? '{token}' : segment))
    .join('/');
}

function decodedSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
