import { type Config, isLoopback } from '../config.ts';
import type { IssuedTokens } from '../control/services.ts';
import type { Fault } from '../faults/fault.ts';
import type { Io } from '../io.ts';
import type { JournalEntry } from '../state/journal.ts';

/** What the CLI prints: the start banner, faults and journal lines, colours only where `io.color` allows. */

/** The `start` banner: addresses, the store, a ready customer token and a curl that logs it out. */
export function banner(io: Io, mock: { url: string; baseUrl: string; logoutUrl: string; config: Config }, signIn: IssuedTokens): string {
  const store = mock.config.redis ? `redis (${mock.config.redisPrefix})` : mock.config.stateFile ? `file ${mock.config.stateFile}` : 'memory';
  const b = (s: string) => paint(io, 'bold', s);
  return [
    `${b('worth-auth-mock')} — Customer Logout mock, listening`,
    '',
    `  Base URL   ${paint(io, 'cyan', mock.baseUrl)}`,
    `  Logout     POST ${mock.logoutUrl}`,
    `  QA panel   ${mock.url}/__mock/`,
    `  JWKS       ${mock.url}/.well-known/jwks.json`,
    `  Store      ${store}`,
    ...(mock.config.redis && (!mock.config.issuer || !mock.config.keyFile)
      ? ['', paint(io, 'red', "  Replicas on one Redis must share --issuer and --key-file, or they refuse each other's tokens.")]
      : []),
    // Bound beyond loopback (a container's 0.0.0.0) with no --issuer: tokens name the bound address as iss.
    ...(!mock.config.issuer && !isLoopback(mock.config.host)
      ? [
          '',
          paint(
            io,
            'red',
            /^[0:.]+$/.test(mock.config.host)
              ? `  Tokens name ${mock.url} as their issuer (iss), an address no client uses: set --issuer (WORTH_MOCK_ISSUER) to the URL clients use.`
              : `  Tokens name ${mock.url} as their issuer (iss): if clients reach the mock by another URL, set --issuer (WORTH_MOCK_ISSUER) to it.`,
          ),
        ]
      : []),
    '',
    `A customer access token (sub ${signIn.claims.sub}, valid ${Math.round(mock.config.tokenTtlSeconds / 60)} min; \`worth-auth-mock token\` mints more):`,
    '',
    `  ${signIn.token}`,
    '',
    'Log it out (a second time answers 401):',
    '',
    `  curl -i -X POST ${mock.logoutUrl} -H "Authorization: Bearer ${signIn.token}"`,
    '',
    'Ctrl-C stops the mock.',
    '',
    '',
  ].join('\n');
}

/** One fault as `fault arm` and `fault list` print it: what it does, what it has left, its scope. */
export function describeFault(f: Fault): string {
  const what = f.network ? `network ${f.network}` : f.status !== null ? `status ${f.status}` : 'delay only';
  const left =
    f.remaining === null ? 'until cleared' : f.remaining === 0 && f.network === 'hang' ? 'spent, holding its requests until cleared' : `${f.remaining} left`;
  const parts = [what, left];
  if (f.delayMs) parts.push(`delay ${f.delayMs} ms`);
  if (f.skip) parts.push(`skipping ${f.skip} first`);
  if (f.probability < 1) parts.push(`p=${f.probability} seed=${f.seed}`);
  if (f.expiresAt !== null) parts.push(`expires ${new Date(f.expiresAt).toISOString()}`);
  const match = Object.entries(f.match).map(([k, v]) => `${k}=${v}`);
  if (match.length) parts.push(`only ${match.join(' ')}`);
  return parts.join(', ');
}

/** A journal entry's identity, for `requests --follow` to print each entry once. */
export function key(entry: JournalEntry): string {
  return `${entry.at}|${entry.method}|${entry.path}|${entry.status}|${entry.jti ?? ''}|${entry.ms}`;
}

const COLORS = { red: 31, cyan: 36, bold: 1 } as const;
/** `text` in a terminal colour when `io.color` (a TTY without NO_COLOR), else as it is. */
export function paint(io: Io, color: keyof typeof COLORS, text: string): string {
  return io.color ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text;
}
