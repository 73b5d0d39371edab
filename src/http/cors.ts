import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers a browser may read from our answers (`Access-Control-Expose-Headers`). */
export const EXPOSED_HEADERS = 'WWW-Authenticate, X-Mock-Reason, X-Mock-Fault';
/** Request headers a preflight allows when the browser names none we can echo. */
export const ALLOWED_HEADERS = 'Authorization, Content-Type, Prefer, X-Mock-Session, X-Mock-Admin-Token';

/**
 * The CORS headers of an answer to a request from `origin`, as flat name/value pairs: the origin reflected
 * with credentials allowed (any localhost app works), our headers exposed, `Vary: Origin`. None without an Origin.
 */
export function corsHeaders(origin: string | undefined): string[] {
  if (origin === undefined) return [];
  return [
    'access-control-allow-origin',
    origin,
    'access-control-allow-credentials',
    'true',
    'access-control-expose-headers',
    EXPOSED_HEADERS,
    'vary',
    'Origin',
  ];
}

/** The most of a raw request that `originInRaw` reads, in bytes. */
const RAW_SCAN_BYTES = 64 * 1024;
/** An `Origin` (RFC 6454 §7): `null`, or scheme://host[:port] in printable ASCII, at most 2048 characters. */
const ORIGIN = /^(?:null|[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[!$&-.0-9;=A-Z[\]_a-z~:@-]{1,2000})$/;
const ORIGIN_LINE = /(?:^|\n)origin[ \t]*:[ \t]*([^\r\n]*)/gi;

/**
 * The `Origin` header in the raw bytes of a request Node could not parse (its `rawPacket`), for answers written
 * outside the app: the last one in the first 64 KiB, and only when it is a well-formed origin (printable ASCII, no
 * path), so nothing unchecked reaches a header line. Undefined when none is there.
 */
export function originInRaw(raw: Buffer | undefined): string | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const text = raw.subarray(0, RAW_SCAN_BYTES).toString('latin1');
  let origin: string | undefined;
  for (const match of text.matchAll(ORIGIN_LINE)) origin = match[1]?.trim();
  return origin !== undefined && ORIGIN.test(origin) ? origin : undefined;
}

/** `corsHeaders(origin)` as `name: value` lines, for an answer written as raw text. */
export function corsHeaderLines(origin: string | undefined): string[] {
  const flat = corsHeaders(origin);
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 2) lines.push(`${flat[i]}: ${flat[i + 1]}`);
  return lines;
}

/** Flat name/value pairs as a headers object. */
export function headerObject(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Answers a CORS preflight (`OPTIONS`): 204 allowing `methods` (the ones the path takes) and the requested headers, cached 10 minutes. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse, methods: readonly string[]): void {
  const requested = req.headers['access-control-request-headers'];
  const headers = [
    ...corsHeaders(req.headers.origin),
    'access-control-allow-methods',
    methods.join(', '),
    'access-control-allow-headers',
    requested && /^[\w\-, ]{1,1024}$/.test(requested) ? requested : ALLOWED_HEADERS,
    'access-control-max-age',
    '600',
    'content-length',
    '0',
  ];
  if (req.headers['access-control-request-private-network'] === 'true') headers.push('access-control-allow-private-network', 'true');
  res.writeHead(204, headers);
  res.end();
}
