import { isIP } from 'node:net';
import { ConfigError } from './errors.ts';

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
};

/** What callers may pass: any subset, as typed values or as the strings argv and env give. */
export type ConfigInput = { [K in keyof Config]?: Config[K] | string | null };

/** Defaults: the documented ones from DESIGN.md. */
export const DEFAULTS: Config = Object.freeze({
  port: 4010,
  host: '127.0.0.1',
  basePath: undefined,
  alg: 'RS256',
  tokenTtlSeconds: 3600,
  refreshTtlSeconds: 24 * 3600,
  issuer: undefined,
  clientId: 'worthmockclient0000000000',
  idempotentLogout: false,
  detailedErrors: false,
  badRequestCode: undefined,
  log: 'off',
  specPath: undefined,
  journalSize: 1000,
  maxBodyBytes: 64 * 1024,
  clockToleranceSeconds: 5,
  keyFile: undefined,
  stateFile: undefined,
  redis: undefined,
  redisPrefix: 'worth-auth-mock',
  faultsFile: undefined,
  adminToken: undefined,
  unsafeOpenAdmin: false,
  seed: 1,
});

/** The CLI flag that sets each key, so that errors name what the user typed. */
export const FLAGS: { readonly [K in keyof Config]: string } = {
  port: '--port',
  host: '--host',
  basePath: '--base-path',
  alg: '--alg',
  tokenTtlSeconds: '--token-ttl',
  refreshTtlSeconds: '--refresh-ttl',
  issuer: '--issuer',
  clientId: '--client-id',
  idempotentLogout: '--idempotent-logout',
  detailedErrors: '--detailed-errors',
  badRequestCode: '--bad-request-code',
  log: '--log',
  specPath: '--spec',
  journalSize: '--journal-size',
  maxBodyBytes: '--max-body',
  clockToleranceSeconds: '--clock-tolerance',
  keyFile: '--key-file',
  stateFile: '--state-file',
  redis: '--redis',
  redisPrefix: '--redis-prefix',
  faultsFile: '--faults',
  adminToken: '--admin-token',
  unsafeOpenAdmin: '--unsafe-open-admin',
  seed: '--seed',
};

/** Validates and freezes a configuration; throws ConfigError naming the flag that is wrong. */
export function loadConfig(input: ConfigInput = {}): Config {
  const get = <K extends keyof Config>(key: K) => (input[key] === undefined || input[key] === null ? DEFAULTS[key] : input[key]);
  const config: Config = {
    port: integer('port', get('port'), 0, 65535),
    host: host(get('host')),
    basePath: basePath(get('basePath')),
    alg: oneOf('alg', get('alg'), ALGORITHMS),
    tokenTtlSeconds: integer('tokenTtlSeconds', get('tokenTtlSeconds'), 1, 10 * 365 * 24 * 3600),
    refreshTtlSeconds: integer('refreshTtlSeconds', get('refreshTtlSeconds'), 1, 10 * 365 * 24 * 3600),
    issuer: optionalUrl('issuer', get('issuer')),
    clientId: text('clientId', get('clientId')),
    idempotentLogout: bool('idempotentLogout', get('idempotentLogout')),
    detailedErrors: bool('detailedErrors', get('detailedErrors')),
    badRequestCode: optionalText('badRequestCode', get('badRequestCode')),
    log: oneOf('log', get('log'), LOG_FORMATS),
    specPath: optionalText('specPath', get('specPath')),
    journalSize: integer('journalSize', get('journalSize'), 0, 1_000_000),
    maxBodyBytes: integer('maxBodyBytes', get('maxBodyBytes'), 0, 16 * 1024 * 1024),
    clockToleranceSeconds: integer('clockToleranceSeconds', get('clockToleranceSeconds'), 0, 3600),
    // A state file keeps logouts; the signing keys beside it keep the tokens those logouts are about.
    keyFile: optionalText('keyFile', get('keyFile')) ?? (input.stateFile ? `${text('stateFile', input.stateFile)}.key.json` : undefined),
    stateFile: optionalText('stateFile', get('stateFile')),
    redis: optionalRedisUrl(get('redis')),
    redisPrefix: text('redisPrefix', get('redisPrefix')),
    faultsFile: optionalText('faultsFile', get('faultsFile')),
    adminToken: optionalText('adminToken', get('adminToken')),
    unsafeOpenAdmin: bool('unsafeOpenAdmin', get('unsafeOpenAdmin')),
    seed: integer('seed', get('seed'), 0, 2 ** 32 - 1),
  };
  if (config.stateFile && config.redis) {
    throw new ConfigError(FLAGS.stateFile, `${FLAGS.stateFile} and ${FLAGS.redis} cannot be used together: pick one store`);
  }
  if (!isLoopback(config.host) && !config.adminToken && !config.unsafeOpenAdmin) {
    throw new ConfigError(
      FLAGS.adminToken,
      `--host ${config.host} (WORTH_MOCK_HOST) exposes the control API beyond this machine: give --admin-token <secret> or WORTH_MOCK_ADMIN_TOKEN=<secret> (or --unsafe-open-admin / WORTH_MOCK_UNSAFE_OPEN_ADMIN=1 to accept the risk)`,
    );
  }
  return Object.freeze(config);
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function fail(key: keyof Config, message: string): never {
  throw new ConfigError(FLAGS[key], `${FLAGS[key]} ${message}`);
}

function integer(key: keyof Config, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(key, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function bool(key: keyof Config, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  }
  return fail(key, `must be true or false, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(key: keyof Config, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

function text(key: keyof Config, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') fail(key, 'must be a non-empty string');
  return value;
}

function optionalText(key: keyof Config, value: unknown): string | undefined {
  return value === undefined ? undefined : text(key, value);
}

function optionalUrl(key: keyof Config, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const s = text(key, value);
  if (!URL.canParse(s)) fail(key, `must be an absolute URL, got ${JSON.stringify(s)}`);
  return s;
}

function optionalRedisUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const s = text('redis', value);
  if (!/^rediss?:\/\//.test(s) || !URL.canParse(s)) fail('redis', `must be a redis:// or rediss:// URL, got ${JSON.stringify(s)}`);
  return s;
}

function host(value: unknown): string {
  const s = text('host', value);
  if (isIP(s) === 0 && !/^[a-zA-Z0-9.-]+$/.test(s)) fail('host', `must be an IP address or host name, got ${JSON.stringify(s)}`);
  return s;
}

function basePath(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (value !== '' && !/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(value))) {
    fail('basePath', `must be empty or a path starting with /, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}
