import type { Bound, Traffic } from './load.ts';
import type { Kind, Running } from './servers.ts';

/** The request paths measured, each on its own kind of traffic, in the report's order. */
export const PATH_NAMES = [
  'no-token',
  'pooled',
  'fresh',
  'verify',
  'fault',
  'sign-in',
  'refresh',
  'accept-invitation',
  'forgot-unknown',
  'forgot-known',
  'reset-password',
  'get-customer-users',
  'get-customer-user',
  'get-customer-subroles',
  'create-customer-user',
  'update-customer-user',
  'resend-invitation',
  'gate',
  'gate-no-token',
] as const;
/** One measured path. */
export type PathName = (typeof PATH_NAMES)[number];

/** What one request of a path must sign, done again apart for its two-core rate (bench/signing-rate.ts). */
export type SigningWork = 'sign-in' | 'refresh' | 'accept-invitation' | 'mail-token';

/** What a path is, for the report and its targets. */
export type PathInfo = {
  /** What the path sends and what the mock should answer. */
  readonly label: string;
  /** The operation its requests go to (an Auth Service operation, or the mounted document's). */
  readonly operation: string;
  /** What each request signs; a path that signs is held to the two-core rate of that work, not to bare Node or Prism. */
  readonly signs?: SigningWork;
  /** A read operation with a pooled token: held to ≥ 0.7× bare Node's CPU per request (issue 26). */
  readonly read?: true;
  /** Each request uses up what it sends (a token logged out, a link or an invitation used): minted before each of the mock's runs, which are bounded in requests. */
  readonly once?: true;
};

export const PATHS: Readonly<Record<PathName, PathInfo>> = {
  'no-token': { label: 'no token → 401', operation: 'logout' },
  pooled: { label: 'pooled minted tokens, --idempotent-logout → 200', operation: 'logout' },
  fresh: { label: 'fresh minted tokens, logged out once each → 200 then 401', operation: 'logout', once: true },
  verify: { label: 'tokens the mock did not mint (signature verified) → 200', operation: 'logout' },
  fault: { label: 'armed fault {status: 500, times: null} → 500', operation: 'logout' },
  'sign-in': { label: 'sign-in of the demo customer (JSON body) → 200, a new sign-in each', operation: 'sign-in', signs: 'sign-in' },
  refresh: { label: "refresh with a sign-in's refresh_token (JSON body) → 200", operation: 'refresh', signs: 'refresh' },
  'accept-invitation': {
    label: 'accept a fresh invitation (its token from the outbox) with a password → 200, a new sign-in each',
    operation: 'accept-invitation',
    signs: 'accept-invitation',
    once: true,
  },
  'forgot-unknown': { label: 'forgot password, an email no user has → 200, nothing mailed', operation: 'forgot-password' },
  'forgot-known': { label: 'forgot password, a known user (a pool of them) → 200, a reset link mailed', operation: 'forgot-password', signs: 'mail-token' },
  'reset-password': { label: 'reset password with a fresh reset link (from the outbox) → 200', operation: 'reset-password', once: true },
  'get-customer-users': { label: "list the customer's users, pooled owner tokens → 200", operation: 'get-customer-users', read: true },
  'get-customer-user': { label: 'one user of the customer, pooled owner tokens → 200', operation: 'get-customer-user', read: true },
  'get-customer-subroles': { label: "the customer's subroles, pooled owner tokens → 200", operation: 'get-customer-subroles', read: true },
  'create-customer-user': {
    label: 'create a user (a new email each), pooled owner tokens → 200, an invitation mailed',
    operation: 'create-customer-user',
    signs: 'mail-token',
  },
  'update-customer-user': { label: 'update a user (a pool of them, first_name alternating), pooled owner tokens → 200', operation: 'update-customer-user' },
  'resend-invitation': {
    label: 'resend an invitation (a pool of invited users), pooled owner tokens → 200, an invitation mailed',
    operation: 'resend-invitation',
    signs: 'mail-token',
  },
  gate: { label: "mounted Case Service (--api): the customer's cases, pooled owner tokens through the gate → 200", operation: 'GetCustomerCases' },
  'gate-no-token': { label: 'mounted Case Service (--api): the same, no token → 401 at the gate', operation: 'GetCustomerCases' },
};

/**
 * Starts (or reuses) a mock with these `start` flags; the run owns stopping them. `fresh`: a mock of its own;
 * `logOff`: `--log off`, else the default request log, written to a file (as users run it).
 */
export type MockStarter = (args: readonly string[], options?: { fresh?: boolean; logOff?: boolean }) => Promise<Running>;

/** A path ready to measure: the mock it runs on, where each server takes its requests, and the traffic each gets. */
export type PathSetup = {
  readonly name: PathName;
  /** The mock as users run it: default options, the request log on (to a file). */
  readonly mock: Running;
  /** The same mock with `--log off`, on the paths whose CPU per request is compared with bare Node in both ways. */
  readonly quiet?: Running;
  /**
   * The request path on each kind of server: the mock under its document's base path, Prism at the document's own path
   * (bare Node answers any). Path parameters are filled in, but for one a traffic fills per request (`{inviteToken}`).
   */
  readonly at: Readonly<Record<Kind, string>>;
  /** The document Prism serves for this path: the Auth Service's spec (undefined), or the mounted one. */
  readonly document?: string;
  /** The body bare Node answers with 200: the operation's own 200 example (bare Node answers logout's when undefined). */
  readonly bareBody?: string;
  /**
   * Traffic for one measured run on `kind` (`server`: which mock, where a path has two); ask for the mock's first
   * (the paths that use each token once mint their tokens then).
   */
  traffic(kind: Kind, connections: number, server?: Running): Promise<Traffic>;
  /** Traffic that warms a server up without using up anything the measured run needs. */
  warmup(kind: Kind, server?: Running): Traffic;
  /** The bound of a measured run. */
  bound(connections: number, seconds: number): Bound;
  /** jose.jwtVerify's one-core rate on this path's tokens (verify path only). */
  jwtVerifyRate?(seconds: number): Promise<number>;
  close(): Promise<void>;
};

/** Sizes of the token pools, and of what the paths that use each thing once mint per run. */
export type PathSizes = {
  readonly pool: number;
  /** Fresh tokens per run (the fresh path; reset links on the reset path). */
  readonly fresh: number;
  /** Invitations per run of the accept path (each a sign-in's work: a run of ~0.5 s takes a few hundred). */
  readonly invitations: number;
};

/** The `--issuer` of the bench's mocks that verify tokens signed elsewhere. */
export const BENCH_ISSUER = 'http://127.0.0.1/bench-issuer';
