import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../src/config/load.ts';
import { ConfigError } from '../../src/errors.ts';

describe('loadConfig', () => {
  it('defaults are the documented ones, frozen', () => {
    const config = loadConfig();
    expect(config).toMatchObject({ port: 4010, host: '127.0.0.1', alg: 'RS256', tokenTtlSeconds: 3600, idempotentLogout: false, log: 'off' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toEqual(DEFAULTS);
  });

  it.each([
    [{ port: '8080' }, { port: 8080 }],
    [{ port: 0 }, { port: 0 }],
    [{ idempotentLogout: 'yes' }, { idempotentLogout: true }],
    [{ idempotentLogout: 'false' }, { idempotentLogout: false }],
    [{ basePath: '/auth/api/v2/' }, { basePath: '/auth/api/v2' }],
    [{ basePath: '' }, { basePath: '' }],
    [{ alg: 'ES256' }, { alg: 'ES256' }],
    [
      { host: '0.0.0.0', adminToken: 's3cret' },
      { host: '0.0.0.0', adminToken: 's3cret' },
    ],
    [{ host: '::1' }, { host: '::1' }],
    [{ redis: 'redis://127.0.0.1:6379/2' }, { redis: 'redis://127.0.0.1:6379/2' }],
  ])('%j → %j', (input, expected) => {
    expect(loadConfig(input as never)).toMatchObject(expected);
  });

  it.each([
    [{ port: '80.5' }, '--port'],
    [{ port: -1 }, '--port'],
    [{ tokenTtlSeconds: '0' }, '--token-ttl'],
    [{ alg: 'none' }, '--alg'],
    [{ log: 'verbose' }, '--log'],
    [{ idempotentLogout: 'maybe' }, '--idempotent-logout'],
    [{ issuer: 'not a url' }, '--issuer'],
    [{ basePath: 'auth' }, '--base-path'],
    [{ host: 'bad host!' }, '--host'],
    [{ host: '0.0.0.0' }, '--admin-token'],
    [{ redis: 'mysql://x' }, '--redis'],
    [{ redis: 'redis://x', stateFile: 's.json' }, '--state-file'],
  ])('%j is refused, naming %s', (input, flag) => {
    try {
      loadConfig(input as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(flag);
      expect((error as ConfigError).message).toContain(flag);
    }
  });

  it('--unsafe-open-admin accepts a non-loopback host without a token', () => {
    expect(loadConfig({ host: '0.0.0.0', unsafeOpenAdmin: true }).host).toBe('0.0.0.0');
  });

  it.each([
    ['5m', 300],
    ['1h', 3600],
    ['90s', 90],
    ['3600', 3600],
    [' 2d ', 172_800],
  ])('--token-ttl %j is %d seconds: start durations take units like the rest of the CLI', (value, want) => {
    expect(loadConfig({ tokenTtlSeconds: value }).tokenTtlSeconds).toBe(want);
    expect(loadConfig({ refreshTtlSeconds: value }).refreshTtlSeconds).toBe(want);
  });

  it.each(['1500ms', 'soon', '5 minutes and a bit'])('--token-ttl %j is refused, naming the flag and the forms it takes', (value) => {
    expect(() => loadConfig({ tokenTtlSeconds: value })).toThrow(/--token-ttl must be whole seconds .* such as 90s, 5m, 1h/);
  });

  it('a negative duration is out of range, named', () => {
    expect(() => loadConfig({ tokenTtlSeconds: '-1m' })).toThrow(/--token-ttl must be a whole number from 1/);
  });
});
