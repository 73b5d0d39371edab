import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../config/load.ts';
import { AccessError } from '../errors.ts';

/** Who may call the control API: the admin token when there is one, else only this machine. */
export type AdminGuardOptions = {
  /** When set, every `/__mock` call must carry it in `X-Mock-Admin-Token` (compared in constant time). */
  readonly adminToken: string | undefined;
  /** `--unsafe-open-admin`: no admin token and no check of who calls. */
  readonly unsafeOpenAdmin?: boolean;
};

/**
 * Builds the control API's lock: a function that throws AccessError (`ERR_ADMIN_TOKEN` → 401 without the
 * admin token, `ERR_CROSS_SITE` → 403 for a caller not on this machine when there is no admin token).
 */
export function createAdminGuard(options: AdminGuardOptions): (headers: IncomingHttpHeaders) => void {
  const admin = options.adminToken === undefined ? undefined : digest(options.adminToken);
  return (headers) => {
    if (admin) {
      const given = headers['x-mock-admin-token'];
      if (typeof given !== 'string' || !timingSafeEqual(digest(given), admin)) {
        throw new AccessError(
          'ERR_ADMIN_TOKEN',
          'this mock was started with an admin token (--admin-token / WORTH_MOCK_ADMIN_TOKEN): send it in the X-Mock-Admin-Token header; the CLI takes it from --admin-token or WORTH_MOCK_ADMIN_TOKEN',
        );
      }
      return;
    }
    if (!options.unsafeOpenAdmin && !fromThisMachine(headers)) {
      throw new AccessError(
        'ERR_CROSS_SITE',
        'without an admin token the control API answers only this machine: call it by a loopback name (127.0.0.1, localhost) from a loopback origin, or start the mock with --admin-token',
      );
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * True when a request was addressed to a loopback name and, if a browser sent it, by a page on a
 * loopback origin. Without an admin token this is the lock: a web page the developer happens to visit
 * (a simple cross-site POST needs no preflight) or a DNS-rebinding host name cannot mint or arm.
 */
function fromThisMachine(headers: IncomingHttpHeaders): boolean {
  if (!isLoopbackName(hostnameOf(headers.host))) return false;
  const origin = headers.origin;
  return origin === undefined || isLoopbackName(hostnameOf(origin, true));
}

function hostnameOf(value: string | undefined, isOrigin = false): string | undefined {
  if (!value) return undefined;
  const text = isOrigin ? value : `http://${value}`;
  if (!URL.canParse(text)) return undefined;
  return new URL(text).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function isLoopbackName(hostname: string | undefined): boolean {
  return hostname !== undefined && (isLoopback(hostname) || hostname.endsWith('.localhost'));
}
