import { ConfigError } from './errors.ts';
import { basePath, bool, cookieName, host, integer, oneOf, optional, redisUrl, seconds, text, url } from './option-parsers.ts';

/** Signing algorithms the mock can issue with. */
export const ALGORITHMS = ['RS256', 'ES256', 'HS256'] as const;
/** Signing algorithm of issued tokens. */
export type Algorithm = (typeof ALGORITHMS)[number];

/** Request log formats; `off` logs nothing per request. */
export const LOG_FORMATS = ['off', 'pretty', 'json'] as const;
/** Request log format. */
export type LogFormat = (typeof LOG_FORMATS)[number];

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
};

/** What callers may pass: any subset, as typed values or as the strings argv and env give. */
export type ConfigInput = { [K in keyof Config]?: Config[K] | string | null };

/** One option of `start` and `startMock`: its flag, env var, default, help line and parser, in one row. */
export type OptionRow<K extends keyof Config = keyof Config> = {
  readonly key: K;
  /** The long flag (`--port`); errors name it, so users read what they typed. */
  readonly flag: string;
  /** The value's placeholder in `--help` (`<port>`); absent for a switch. */
  readonly value?: string;
  /** The env var that backs the flag (`WORTH_MOCK_PORT`). */
  readonly env: string;
  readonly default: Config[K];
  readonly help: string;
  readonly choices?: readonly string[];
  /** Turns a typed value or the string argv/env gave into the config value; throws ConfigError naming `flag`. */
  readonly parse: (value: unknown, flag: string) => Config[K];
};

const row = <K extends keyof Config>(r: OptionRow<K>): OptionRow<K> => r;
const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** Every option, once: `loadConfig`, the CLI's `start` flags, their env vars and `--help` all read this table. */
export const OPTIONS: readonly OptionRow[] = [
  row({
    key: 'port',
    flag: '--port',
    value: '<port>',
    env: 'WORTH_MOCK_PORT',
    default: 4010,
    help: 'port to listen on (default 4010; 0 = any free port)',
    parse: integer(0, 65535),
  }),
  row({
    key: 'host',
    flag: '--host',
    value: '<host>',
    env: 'WORTH_MOCK_HOST',
    default: '127.0.0.1',
    help: 'address to bind (default 127.0.0.1); anything but loopback needs --admin-token',
    parse: host,
  }),
  row({
    key: 'basePath',
    flag: '--base-path',
    value: '<path>',
    env: 'WORTH_MOCK_BASE_PATH',
    default: undefined,
    help: "base path of the operation (default: the spec's servers[0] path, /auth/api/v1)",
    parse: basePath,
  }),
  row({
    key: 'alg',
    flag: '--alg',
    value: '<alg>',
    env: 'WORTH_MOCK_ALG',
    default: 'RS256',
    help: 'signing algorithm of issued tokens (default RS256)',
    choices: ALGORITHMS,
    parse: oneOf(ALGORITHMS),
  }),
  row({
    key: 'tokenTtlSeconds',
    flag: '--token-ttl',
    value: '<duration>',
    env: 'WORTH_MOCK_TOKEN_TTL',
    default: 3600,
    help: 'lifetime of issued id and access tokens: seconds, or 90s, 5m, 1h (default 1h)',
    parse: seconds(1, TEN_YEARS_S),
  }),
  row({
    key: 'refreshTtlSeconds',
    flag: '--refresh-ttl',
    value: '<duration>',
    env: 'WORTH_MOCK_REFRESH_TTL',
    default: 24 * 3600,
    help: 'lifetime of refresh tokens, as --token-ttl; a logout is remembered at least this long (default 24h)',
    parse: seconds(1, TEN_YEARS_S),
  }),
  row({
    key: 'issuer',
    flag: '--issuer',
    value: '<url>',
    env: 'WORTH_MOCK_ISSUER',
    default: undefined,
    help: "iss of issued tokens (default: the mock's own URL)",
    parse: optional(url),
  }),
  row({
    key: 'clientId',
    flag: '--client-id',
    value: '<id>',
    env: 'WORTH_MOCK_CLIENT_ID',
    default: 'worthmockclient0000000000',
    help: 'client_id / aud of issued tokens',
    parse: text,
  }),
  row({
    key: 'idempotentLogout',
    flag: '--idempotent-logout',
    env: 'WORTH_MOCK_IDEMPOTENT_LOGOUT',
    default: false,
    help: 'a repeated logout answers 200 instead of 401',
    parse: bool,
  }),
  row({
    key: 'detailedErrors',
    flag: '--detailed-errors',
    env: 'WORTH_MOCK_DETAILED_ERRORS',
    default: false,
    help: 'put the reason for an error in the body\'s "message" (default: the spec\'s example)',
    parse: bool,
  }),
  row({
    key: 'badRequestCode',
    flag: '--bad-request-code',
    value: '<code>',
    env: 'WORTH_MOCK_BAD_REQUEST_CODE',
    default: undefined,
    help: "errorCode of 400 bodies (e.g. INVALID, as sibling endpoints use; default: the spec's)",
    parse: optional(text),
  }),
  row({
    key: 'log',
    flag: '--log',
    value: '<format>',
    env: 'WORTH_MOCK_LOG',
    default: 'off',
    help: 'one line per request (default pretty)',
    choices: LOG_FORMATS,
    parse: oneOf(LOG_FORMATS),
  }),
  row({
    key: 'specPath',
    flag: '--spec',
    value: '<file>',
    env: 'WORTH_MOCK_SPEC',
    default: undefined,
    help: 'the OpenAPI document (default: the bundled spec/auth-service.openapi.yaml)',
    parse: optional(text),
  }),
  row({
    key: 'journalSize',
    flag: '--journal-size',
    value: '<n>',
    env: 'WORTH_MOCK_JOURNAL_SIZE',
    default: 1000,
    help: 'requests kept in the journal (default 1000)',
    parse: integer(0, 1_000_000),
  }),
  row({
    key: 'maxBodyBytes',
    flag: '--max-body',
    value: '<bytes>',
    env: 'WORTH_MOCK_MAX_BODY',
    default: 64 * 1024,
    help: 'largest body a contract operation accepts, in bytes (default 65536)',
    parse: integer(0, 16 * 1024 * 1024),
  }),
  row({
    key: 'clockToleranceSeconds',
    flag: '--clock-tolerance',
    value: '<duration>',
    env: 'WORTH_MOCK_CLOCK_TOLERANCE',
    default: 0,
    help: 'leeway for exp/nbf/iat, as --token-ttl, for replicas whose clocks differ (default 0: the mock issues and checks on one clock)',
    parse: seconds(0, 3600),
  }),
  row({
    key: 'keyFile',
    flag: '--key-file',
    value: '<file>',
    env: 'WORTH_MOCK_KEY_FILE',
    default: undefined,
    help: 'load signing keys from this file, creating it (0600) when absent, so tokens survive restarts',
    parse: optional(text),
  }),
  row({
    key: 'stateFile',
    flag: '--state-file',
    value: '<file>',
    env: 'WORTH_MOCK_STATE_FILE',
    default: undefined,
    help: 'keep state in this file (crash-safe)',
    parse: optional(text),
  }),
  row({
    key: 'redis',
    flag: '--redis',
    value: '<url>',
    env: 'WORTH_MOCK_REDIS',
    default: undefined,
    help: 'keep state in Redis, shared by replicas (redis://host:6379)',
    parse: optional(redisUrl),
  }),
  row({
    key: 'redisPrefix',
    flag: '--redis-prefix',
    value: '<prefix>',
    env: 'WORTH_MOCK_REDIS_PREFIX',
    default: 'worth-auth-mock',
    help: 'namespace of the Redis keys',
    parse: text,
  }),
  row({
    key: 'faultsFile',
    flag: '--faults',
    value: '<file>',
    env: 'WORTH_MOCK_FAULTS',
    default: undefined,
    help: 'arm the faults in this JSON file at start',
    parse: optional(text),
  }),
  row({
    key: 'adminToken',
    flag: '--admin-token',
    value: '<secret>',
    env: 'WORTH_MOCK_ADMIN_TOKEN',
    default: undefined,
    help: 'require this secret (X-Mock-Admin-Token) on every /__mock call',
    parse: optional(text),
  }),
  row({
    key: 'unsafeOpenAdmin',
    flag: '--unsafe-open-admin',
    env: 'WORTH_MOCK_UNSAFE_OPEN_ADMIN',
    default: false,
    help: 'allow a non-loopback --host without --admin-token',
    parse: bool,
  }),
  row({
    key: 'usersFile',
    flag: '--users',
    value: '<file>',
    env: 'WORTH_MOCK_USERS',
    default: undefined,
    help: 'users who can sign in: a JSON array of { email, password, role?, sub?, … } (default: one demo customer)',
    parse: optional(text),
  }),
  row({
    key: 'signInFailure',
    flag: '--sign-in-failure',
    value: '<status>',
    env: 'WORTH_MOCK_SIGN_IN_FAILURE',
    default: 400,
    help: 'what wrong credentials answer at sign-in: 400, or 500 as the real service leaks Cognito (default 400)',
    choices: ['400', '500'],
    parse: (value, flag) => (oneOf(['400', '500'] as const)(String(value), flag) === '500' ? 500 : 400),
  }),
  row({
    key: 'signInWrap',
    flag: '--sign-in-wrap',
    value: '<shape>',
    env: 'WORTH_MOCK_SIGN_IN_WRAP',
    default: 'single',
    help: "sign-in 200 shape: single (the schema's data.id_token) or double (the page example's data.data.id_token)",
    choices: ['single', 'double'],
    parse: oneOf(['single', 'double'] as const),
  }),
  row({
    key: 'refreshCookie',
    flag: '--refresh-cookie',
    value: '<name>',
    env: 'WORTH_MOCK_REFRESH_COOKIE',
    default: 'refresh_token',
    help: 'name of the HttpOnly cookie holding the refresh token, set at sign-in and read by refresh (default refresh_token)',
    parse: cookieName,
  }),
  row({
    key: 'seed',
    flag: '--seed',
    value: '<n>',
    env: 'WORTH_MOCK_SEED',
    default: 1,
    help: 'seed of fault probabilities (same seed, same run)',
    parse: integer(0, 2 ** 32 - 1),
  }),
];

/** Defaults: the documented ones from DESIGN.md, from the table. */
export const DEFAULTS: Config = Object.freeze(Object.fromEntries(OPTIONS.map((o) => [o.key, o.default])) as Config);

/** The CLI flag that sets each key, so that errors name what the user typed. */
export const FLAGS: { readonly [K in keyof Config]: string } = Object.freeze(
  Object.fromEntries(OPTIONS.map((o) => [o.key, o.flag])) as { [K in keyof Config]: string },
);

/**
 * Validates and freezes a configuration: every option parsed by its row (unset, null or undefined → the
 * default). Throws ConfigError naming the flag that is wrong, or the pair that cannot go together.
 */
export function loadConfig(input: ConfigInput = {}): Config {
  const config = {} as Record<keyof Config, unknown>;
  for (const option of OPTIONS) {
    const given = input[option.key];
    config[option.key] = given === undefined || given === null ? option.default : option.parse(given, option.flag);
  }
  // A state file keeps logouts; the signing keys beside it keep the tokens those logouts are about.
  if (config.keyFile === undefined && typeof config.stateFile === 'string') config.keyFile = `${config.stateFile}.key.json`;
  const done = config as Config;
  if (done.stateFile && done.redis) {
    throw new ConfigError(FLAGS.stateFile, `${FLAGS.stateFile} and ${FLAGS.redis} cannot be used together: pick one store`);
  }
  if (!isLoopback(done.host) && !done.adminToken && !done.unsafeOpenAdmin) {
    throw new ConfigError(
      FLAGS.adminToken,
      `--host ${done.host} (WORTH_MOCK_HOST) exposes the control API beyond this machine: give --admin-token <secret> or WORTH_MOCK_ADMIN_TOKEN=<secret> (or --unsafe-open-admin / WORTH_MOCK_UNSAFE_OPEN_ADMIN=1 to accept the risk)`,
    );
  }
  return Object.freeze(done);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
