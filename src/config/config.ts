/**
 * What the mock is configured with: the `Config` shape and the choices its options take. Built only by `loadConfig`
 * (`load.ts`) from the option table (`options.ts`).
 */

/** Signing algorithms the mock can issue with. */
export const ALGORITHMS = ['RS256', 'ES256', 'HS256'] as const;
/** Signing algorithm of issued tokens. */
export type Algorithm = (typeof ALGORITHMS)[number];

/** Request log formats; `off` logs nothing per request. */
export const LOG_FORMATS = ['off', 'pretty', 'json'] as const;
/** Request log format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** How the gate checks the bearer of a mounted document's operations: verified for real, present, or not at all. */
export const GATE_MODES = ['verify', 'presence', 'off'] as const;
/** One of GATE_MODES. */
export type GateMode = (typeof GATE_MODES)[number];

/** The storm detector's rule (`--refresh-storm 2/10s`): `count` refreshes of one sign-in within `windowMs` are a storm. */
export type RefreshStorm = { readonly count: number; readonly windowMs: number };

/** What a reused (superseded) refresh token does under rotation: it is refused, or it also revokes its whole sign-in. */
export const REFRESH_REUSE = ['refuse', 'revoke'] as const;
/** One of REFRESH_REUSE. */
export type RefreshReuse = (typeof REFRESH_REUSE)[number];

/** A document to mount beside the Auth Service: its file, and (in-process) its own gate and bound parameter. */
export type ApiMount = { readonly path: string; readonly gate?: GateMode; readonly bind?: string };

/** Everything the mock is configured with. Built only by `loadConfig`, frozen. */
export type Config = {
  readonly port: number;
  readonly host: string;
  /** Overrides the spec's `servers[0].url` path; undefined = from the spec. */
  readonly basePath: string | undefined;
  readonly alg: Algorithm;
  readonly tokenTtlSeconds: number;
  /** Lifetime of refresh tokens; a logout's revocation lasts until the sign-in's refresh token expires. */
  readonly refreshTtlSeconds: number;
  /** `iss` of issued tokens; undefined = the mock's own bound URL. */
  readonly issuer: string | undefined;
  readonly clientId: string;
  readonly idempotentLogout: boolean;
  readonly detailedErrors: boolean;
  /** `errorCode` of 400 bodies; undefined = the spec's example. */
  readonly badRequestCode: string | undefined;
  readonly log: LogFormat;
  readonly specPath: string | undefined;
  readonly journalSize: number;
  readonly maxBodyBytes: number;
  readonly clockToleranceSeconds: number;
  readonly keyFile: string | undefined;
  readonly stateFile: string | undefined;
  readonly redis: string | undefined;
  readonly redisPrefix: string;
  readonly faultsFile: string | undefined;
  readonly adminToken: string | undefined;
  readonly unsafeOpenAdmin: boolean;
  /** Seed for fault probabilities; the same seed repeats the same run. */
  readonly seed: number;
  /** A JSON file of users who can sign in; undefined = the one demo customer. */
  readonly usersFile: string | undefined;
  /** What wrong credentials answer at sign-in: the documented 400, or the documented 500 (Cognito's leak). */
  readonly signInFailure: 400 | 500;
  /** The sign-in 200's shape: `single` (the schema's, `data.id_token`) or `double` (the page example's, `data.data.id_token`). */
  readonly signInWrap: 'single' | 'double';
  /** Name of the HttpOnly cookie that carries the refresh token set at sign-in. */
  readonly refreshCookie: string;
  /** The storm detector's rule, or `off`: it only reports (request log, journal, sessions, panel), never changes an answer. */
  readonly refreshStorm: RefreshStorm | 'off';
  /** Each refresh answers a new refresh token (and cookie) in the same sign-in; a superseded one is a reused token. */
  readonly refreshRotation: boolean;
  /** With rotation: how long a superseded refresh token still refreshes after its first use, in seconds (0–60, as Cognito's RetryGracePeriodSeconds). */
  readonly refreshGraceSeconds: number;
  /** With rotation: what a reused refresh token does beyond its 401 (`revoke`: its whole sign-in is logged out, RFC 9700 §4.14.2). */
  readonly refreshReuse: RefreshReuse;
  /** The web app the outbox's links point into (`<appUrl>/invite/<token>`, `<appUrl>/reset-password/<token>`). */
  readonly appUrl: string;
  /** Lifetime of an invitation's token, in seconds. */
  readonly inviteTtlSeconds: number;
  /** Lifetime of a password-reset link's token, in seconds. */
  readonly resetTtlSeconds: number;
  /** Messages kept in the outbox (the newest). */
  readonly outboxSize: number;
  /** Other OpenAPI documents to mount, each under its `servers[0]` path, behind the mock's bearer gate. */
  readonly apis: readonly ApiMount[];
  /** Each mounted document's gate, by its base path (`/case/api/v1` → `presence`); default `verify`. */
  readonly apiGates: Readonly<Record<string, GateMode>>;
  /** Each mounted document's path parameter naming the customer, by its base path; default `customerID`. */
  readonly apiBinds: Readonly<Record<string, string>>;
};

/** What callers may pass: any subset, as typed values or as the strings argv and env give. */
export type ConfigInput = { [K in keyof Config]?: Config[K] | string | null };
