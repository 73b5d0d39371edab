import { MAX_TTL_SECONDS } from '../config/limits.ts';
import { InputError, shown } from '../errors.ts';
import { type Fault, type FaultTargets, parseFault } from '../faults/fault.ts';
import type { HangRegistry } from '../faults/network.ts';
import { type ArmedFault, scopeWarnings, withWarnings } from '../faults/scope-warnings.ts';
import type { JournalEntry, JournalFilter } from '../state/journal.ts';
import type { MockClock } from '../state/mock-clock.ts';
import { MESSAGE_KINDS, type MessageKind, type OutboxFilter, type OutboxMessage } from '../state/records.ts';
import type { TokenVerifier } from '../tokens/token-verifier.ts';
import type { UserDirectory } from '../users/user-directory.ts';
import { createSignInServices, type SignInServices, type SignInServicesDeps } from './sign-in-services.ts';

export type { SessionsFilter, SessionsView, SignInStatus, SignInView, TokenView } from './sign-in-history.ts';
export type { IssuedTokens, RefreshesFilter, TokenRequest } from './sign-in-services.ts';

/** The operations behind the control API and the programmatic API: one implementation for both. */
export type Services = SignInServices & {
  /** Arms a fault (throws InputError naming the field); `warnings` say when its scope matches no known sign-in or customer. */
  armFault(input: unknown): Promise<ArmedFault>;
  faults(): Promise<Fault[]>;
  /** The operations the mock serves, by name (what a fault's `match.operation` and the journal's `operation` name). */
  readonly operations: readonly string[];
  /** Clears one fault (false if unknown) or, without an id, all (the count). */
  clearFaults(id?: string): Promise<number>;
  requests(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** What the service would have mailed, oldest first (filtered by recipient, in any case, and kind); rejects with InputError naming a bad filter. */
  outbox(filter?: OutboxFilter): Promise<OutboxMessage[]>;
  clearRequests(): Promise<void>;
  /** Forgets tokens, revocations, faults, the journal and runtime users; sets the clock back; keeps seed users. */
  reset(): Promise<void>;
  /** The users who can sign in. */
  readonly users: UserDirectory;
  /** The mock's time: `{ now, offsetSeconds }`, and `advance(seconds)` (whole seconds, 1 to 10 years; throws InputError). */
  clock(): ClockView;
  advanceClock(input: unknown): Promise<ClockView>;
};

/** The mock's clock as the control API shows it. */
export type ClockView = { now: string; offsetSeconds: number };

/** What createServices needs. */
export type ServicesDeps = SignInServicesDeps & {
  verifier: TokenVerifier;
  hangs: HangRegistry;
  /** Every operation the mock serves, by name: what a fault may target, answer with and be scoped by. */
  targets: FaultTargets;
  seed: number;
  users: UserDirectory;
  mockClock: MockClock;
};

/** Creates the services. */
export function createServices(deps: ServicesDeps): Services {
  const { verifier, store, hangs, clock } = deps;
  let faultsArmed = 0;
  const clockView = (): ClockView => ({ now: new Date(clock()).toISOString(), offsetSeconds: deps.mockClock.offsetSeconds() });

  const services: Services = {
    ...createSignInServices(deps),
    async armFault(input) {
      const fault = parseFault(input, { targets: deps.targets, now: clock(), seed: deps.seed + faultsArmed });
      faultsArmed += 1;
      await store.addFault(fault);
      // A hang armed with a ttl lets its held requests go when it expires, as it leaves `fault list`.
      if (fault.network === 'hang' && fault.expiresAt !== null) hangs.releaseAfter(fault.id, fault.expiresAt - clock());
      if (fault.match.sid === undefined && fault.match.sub === undefined) return fault;
      const [tokens, users] = await Promise.all([store.listTokens(), store.listUsers()]);
      const known = { sids: new Set(tokens.map((t) => t.sid)), subs: new Set([...tokens.map((t) => t.sub), ...users.map((u) => u.sub)]) };
      return withWarnings(fault, scopeWarnings(fault.match, known));
    },

    faults: () => store.listFaults(clock()),

    operations: [...deps.targets.keys()],

    async clearFaults(id) {
      if (id === undefined) {
        hangs.releaseAll();
        return store.clearFaults();
      }
      // A hang whose ttl has passed is no longer stored but may still hold requests: releasing them is clearing it.
      const released = hangs.release(id);
      return (await store.removeFault(id)) || released > 0 ? 1 : 0;
    },

    requests: (filter = {}) => store.listRequests(filter),
    outbox: async (filter = {}) => store.listMessages(outboxFilter(filter)),
    clearRequests: () => store.clearRequests(),

    users: deps.users,

    clock: () => clockView(),

    async advanceClock(input) {
      const raw = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
      if (!raw) throw new InputError('body', 'a clock change is a JSON object { "advanceSeconds": n }');
      for (const key of Object.keys(raw)) if (key !== 'advanceSeconds') throw new InputError(key, `unknown field "${key}"; the clock takes advanceSeconds`);
      const seconds = raw.advanceSeconds;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
        throw new InputError('advanceSeconds', `advanceSeconds must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${shown(seconds)}`);
      }
      deps.mockClock.advance(seconds);
      return clockView();
    },

    async reset() {
      // Default seeds restart too, so a scenario armed after a reset draws the same sequence every time.
      faultsArmed = 0;
      hangs.releaseAll();
      verifier.forget();
      deps.mockClock.reset();
      await store.reset();
      await deps.users.seed();
    },
  };
  return services;
}

/**
 * An outbox filter as the store compares it, whether from `?recipient=&kind=` or `mock.outbox()`: the recipient
 * trimmed and lower-cased (as emails are kept); throws InputError naming `recipient` or `kind` when it is not one.
 */
export function outboxFilter(input: { readonly recipient?: unknown; readonly kind?: unknown }): OutboxFilter {
  const filter: { recipient?: string; kind?: MessageKind } = {};
  if (input.recipient !== undefined) {
    if (typeof input.recipient !== 'string') throw new InputError('recipient', `recipient must be an email, got ${shown(input.recipient)}`);
    filter.recipient = input.recipient.trim().toLowerCase();
  }
  if (input.kind !== undefined) {
    if (!MESSAGE_KINDS.includes(input.kind as MessageKind))
      throw new InputError('kind', `kind must be one of ${MESSAGE_KINDS.join(', ')}, got ${shown(input.kind)}`);
    filter.kind = input.kind as MessageKind;
  }
  return filter;
}
