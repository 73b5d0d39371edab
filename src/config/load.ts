import { ConfigError } from '../errors.ts';
import type { Config, ConfigInput } from './config.ts';
import { OPTIONS } from './options.ts';

/** Defaults: the documented ones (docs/commands.md), from the table. */
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
  // Grace and reuse are rotation's: without it no refresh token is ever superseded, and the flag would silently do nothing.
  for (const key of ['refreshGraceSeconds', 'refreshReuse'] as const) {
    if (!done.refreshRotation && done[key] !== DEFAULTS[key]) {
      throw new ConfigError(
        FLAGS[key],
        `${FLAGS[key]} applies only with ${FLAGS.refreshRotation} (WORTH_MOCK_REFRESH_ROTATION=1): add it, or leave ${FLAGS[key]} out`,
      );
    }
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
