import { randomBytes } from 'node:crypto';
import { MAX_DELAY_MS, MAX_FAULT_TTL_MS } from '../config/limits.ts';
import { InputError, shown } from '../errors.ts';

/** What a network fault does to the connection. */
export const NETWORK_FAULTS = ['reset', 'empty', 'hang', 'garbage'] as const;
/** A network fault. */
export type NetworkFault = (typeof NETWORK_FAULTS)[number];

/** What a fault may be scoped by, besides the test session: the user (`sub`), the sign-in (`sid`), the customer (tenant). */
export const FAULT_SCOPES = ['sub', 'sid', 'customer'] as const;
/** One of FAULT_SCOPES. */
export type FaultScope = (typeof FAULT_SCOPES)[number];

/** Which requests a fault applies to; every given field must match. */
export type FaultMatch = {
  /** The user: the token's `sub` (a sign-in's user, once its email names one). */
  readonly sub?: string;
  /** The sign-in: the tokens' `origin_jti`. */
  readonly sid?: string;
  /** The customer (tenant) the request's user belongs to. */
  readonly customer?: string;
  /** A test session, named by the `X-Mock-Session` header or the `mock_session` cookie. */
  readonly session?: string;
  /** The operation, by its name (`logout`, the default when absent, as before other operations existed; `sign-in`, …), or `*` for every one. */
  readonly operation?: FaultOperation;
};

/** The operation a fault targets when its match names none: logout, as before the mock served other operations. */
export const DEFAULT_FAULT_OPERATION = 'logout';

/** The operations a fault may target: one operation the mock serves, by name, or `*` for every one. */
export type FaultOperation = string;

/** What one operation offers a fault: the statuses it documents (a fault may answer only with those), and the scopes its requests carry. */
export type FaultTarget = { readonly statuses: readonly number[]; readonly scopes: readonly FaultScope[] };

/** Every operation the mock serves, by name, as a fault may target it. */
export type FaultTargets = ReadonlyMap<string, FaultTarget>;

/** An armed fault, as the store keeps it and `GET /__mock/faults` lists it. */
export type Fault = {
  readonly id: string;
  readonly status: number | null;
  readonly network: NetworkFault | null;
  readonly delayMs: number;
  /** Firings left; null = until cleared. */
  readonly remaining: number | null;
  /** Matching requests still to let pass before firing. */
  readonly skip: number;
  readonly probability: number;
  readonly seed: number;
  readonly match: FaultMatch;
  readonly createdAt: number;
  /** Epoch ms after which the fault is gone; null = no expiry. */
  readonly expiresAt: number | null;
  /** How many times it matched a request (drives the seeded random sequence). */
  readonly evaluations: number;
  /** How many times it fired. */
  readonly hits: number;
};

/** A fault as a caller arms it (control API body, `--faults` entry, `mock.faults.arm()`); see docs/faults.md. */
export type FaultInput = {
  /** A status the targeted operation documents (anything else is refused, naming the allowed ones). */
  status?: number;
  /** Break the connection instead: `reset`, `empty`, `hang` (until cleared) or `garbage`. */
  network?: NetworkFault;
  /** Firings before it is spent (default 1); `null` = until cleared. */
  times?: number | null;
  /** Matching requests to let pass before firing. */
  skip?: number;
  /** Chance of firing per matching request, 0–1 (seeded: the same seed repeats the same run). */
  probability?: number;
  seed?: number;
  /** Milliseconds to wait before answering (up to 10 minutes). */
  delayMs?: number;
  /** Milliseconds until the fault disarms itself. */
  ttlMs?: number;
  /** Which requests: one user, one sign-in, one customer, one test session, one operation (default logout). */
  match?: FaultMatch;
};

/** What a request offers for matching. */
export type FaultContext = {
  readonly operation?: string;
  readonly sub?: string;
  readonly sid?: string;
  readonly customer?: string;
  readonly session?: string;
};

const FIELDS = new Set(['status', 'network', 'times', 'skip', 'probability', 'seed', 'delayMs', 'ttlMs', 'match']);
const MATCH_FIELDS = new Set<string>([...FAULT_SCOPES, 'session', 'operation']);

/**
 * Validates a fault as a user wrote it (control API, CLI, `--faults` file) and arms it at `now`: its operation one of
 * `targets` (or `*`), its status one that operation documents, its scope one its requests carry. Throws InputError
 * naming the field.
 */
export function parseFault(input: unknown, options: { targets: FaultTargets; now: number; seed: number }): Fault {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InputError('body', 'a fault must be a JSON object');
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) throw new InputError(key, `unknown field "${key}"; a fault takes ${[...FIELDS].join(', ')}`);
  }
  const { targets } = options;
  const match = parseMatch(raw.match, targets);
  const operation = match.operation ?? DEFAULT_FAULT_OPERATION;
  // A scope the operation's requests never carry (a sign-in request has no sign-in id yet): such a fault could never fire.
  const target = targets.get(operation);
  for (const scope of FAULT_SCOPES) {
    if (target === undefined || match[scope] === undefined || target.scopes.includes(scope)) continue;
    const carried = [...target.scopes, 'session'].join(', ');
    throw new InputError(
      `match.${scope}`,
      `a ${operation} request carries no ${scope}, so match.${scope} never matches it: scope a ${operation} fault by ${carried}`,
    );
  }
  const allowed = statusesFor(targets, operation);
  const status = raw.status === undefined || raw.status === null ? null : integer(raw, 'status', 100, 599);
  if (status !== null && !allowed.includes(status)) {
    const which = operation === '*' ? 'every operation' : operation;
    throw new InputError('status', `status ${status} is not documented for ${which}; allowed: ${allowed.join(', ')}`);
  }
  let network: NetworkFault | null = null;
  if (raw.network !== undefined && raw.network !== null) {
    if (!NETWORK_FAULTS.includes(raw.network as NetworkFault)) {
      throw new InputError('network', `network must be one of ${NETWORK_FAULTS.join(', ')}, got ${shown(raw.network)}`);
    }
    network = raw.network as NetworkFault;
  }
  if (status !== null && network !== null) throw new InputError('network', 'give either status or network, not both');
  const delayMs = raw.delayMs === undefined ? 0 : integer(raw, 'delayMs', 0, MAX_DELAY_MS);
  if (status === null && network === null && delayMs === 0) {
    throw new InputError('status', 'a fault needs a status, a network fault or a delayMs');
  }
  const remaining = raw.times === null ? null : raw.times === undefined ? 1 : integer(raw, 'times', 1, 1_000_000_000);
  const probability = raw.probability === undefined ? 1 : number(raw, 'probability', 0, 1);
  const ttlMs = raw.ttlMs === undefined || raw.ttlMs === null ? null : integer(raw, 'ttlMs', 1, MAX_FAULT_TTL_MS);
  return Object.freeze({
    id: `f_${randomBytes(6).toString('hex')}`,
    status,
    network,
    delayMs,
    remaining,
    skip: raw.skip === undefined ? 0 : integer(raw, 'skip', 0, 1_000_000_000),
    probability,
    seed: raw.seed === undefined ? options.seed : integer(raw, 'seed', 0, 2 ** 32 - 1),
    match,
    createdAt: options.now,
    expiresAt: ttlMs === null ? null : options.now + ttlMs,
    evaluations: 0,
    hits: 0,
  });
}

function parseMatch(value: unknown, targets: FaultTargets): FaultMatch {
  if (value === undefined || value === null) return Object.freeze({});
  const fields = [...MATCH_FIELDS].join(', ');
  if (typeof value !== 'object' || Array.isArray(value)) throw new InputError('match', `match must be an object with ${fields}`);
  const match: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!MATCH_FIELDS.has(key)) throw new InputError(`match.${key}`, `unknown field "match.${key}"; match takes ${fields}`);
    if (typeof v !== 'string' || v === '' || v.length > 512) throw new InputError(`match.${key}`, `match.${key} must be a non-empty string`);
    if (key === 'operation' && v !== '*' && !targets.has(v)) {
      throw new InputError('match.operation', `match.operation must be one of ${[...targets.keys(), '*'].join(', ')}, got ${shown(v)}`);
    }
    match[key] = v;
  }
  return Object.freeze(match);
}

/** The statuses a fault on `operation` may answer with; for `*`, those every served operation documents. */
function statusesFor(targets: FaultTargets, operation: FaultOperation): readonly number[] {
  if (operation !== '*') return targets.get(operation)?.statuses ?? [];
  const lists = [...targets.values()].map((target) => target.statuses);
  return (lists[0] ?? []).filter((status) => lists.every((list) => list.includes(status)));
}

function integer(raw: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new InputError(field, `${field} must be a whole number from ${min} to ${max}, got ${shown(v)}`);
  }
  return v;
}

function number(raw: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = raw[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new InputError(field, `${field} must be a number from ${min} to ${max}, got ${shown(v)}`);
  }
  return v;
}

/**
 * True while the fault is armed at `now` (the store keeps and lists it): not expired, and firings left —
 * or a spent `hang`, which stays armed until cleared because clearing it is what releases its requests.
 */
export function isLive(fault: Fault, now: number): boolean {
  if (fault.expiresAt !== null && fault.expiresAt <= now) return false;
  return hasFiringsLeft(fault) || fault.network === 'hang';
}

function hasFiringsLeft(fault: Fault): boolean {
  return fault.remaining === null || fault.remaining > 0;
}

function matches(match: FaultMatch, context: FaultContext): boolean {
  const operation = match.operation ?? DEFAULT_FAULT_OPERATION;
  return (
    (operation === '*' || operation === (context.operation ?? DEFAULT_FAULT_OPERATION)) &&
    (match.sub === undefined || match.sub === context.sub) &&
    (match.sid === undefined || match.sid === context.sid) &&
    (match.customer === undefined || match.customer === context.customer) &&
    (match.session === undefined || match.session === context.session)
  );
}

/**
 * Decides which armed fault (newest first) a request gets, and what the faults look like afterwards:
 * skips counted down, random draws advanced, firings counted, spent or expired faults dropped
 * (a spent `hang` stays, holding its requests, until cleared).
 * Pure, so every store applies the same rules and only has to make the swap atomic.
 */
export function takeFrom(faults: readonly Fault[], context: FaultContext, now: number): { fired: Fault | undefined; next: Fault[] } {
  let fired: Fault | undefined;
  const next: Fault[] = [];
  for (let i = faults.length - 1; i >= 0; i--) {
    const fault = faults[i] as Fault;
    if (!isLive(fault, now)) continue;
    if (fired || !hasFiringsLeft(fault) || !matches(fault.match, context)) {
      next.push(fault);
      continue;
    }
    if (fault.skip > 0) {
      next.push({ ...fault, skip: fault.skip - 1 });
      continue;
    }
    const evaluations = fault.evaluations + 1;
    if (fault.probability < 1 && draw(fault.seed, evaluations) >= fault.probability) {
      next.push({ ...fault, evaluations });
      continue;
    }
    fired = { ...fault, evaluations, hits: fault.hits + 1, remaining: fault.remaining === null ? null : fault.remaining - 1 };
    if (isLive(fired, now)) next.push(fired);
  }
  return { fired, next: next.reverse() };
}

/** A number in [0, 1) that depends only on the seed and the draw's ordinal (mulberry32). */
export function draw(seed: number, n: number): number {
  let t = (seed + Math.imul(n, 0x6d2b79f5)) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
