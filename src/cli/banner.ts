import { isAbsolute, relative } from 'node:path';
import type { GateMode } from '../config/config.ts';
import { isLoopback } from '../config/load.ts';
import type { IssuedTokens } from '../control/services.ts';
import type { Io } from '../io.ts';
import type { Mock } from '../mock.ts';
import { DEMO_USER, type UserView } from '../users/user.ts';
import { DEFAULT_URL } from './client.ts';
import { paint } from './format.ts';

/** What the banner shows of a started mock (a `Mock` has all of it; without `apis`, no mounted document is listed). */
export type BannerMock = Pick<Mock, 'url' | 'baseUrl' | 'urls' | 'contract' | 'config'> & Partial<Pick<Mock, 'apis'>>;

/** What else the banner needs: the ready sign-in, the users who can sign in, and where the admin token came from. */
export type BannerFacts = {
  readonly signIn: IssuedTokens;
  readonly users: readonly UserView[];
  /** The admin token came from WORTH_MOCK_ADMIN_TOKEN (so a shell with that env var already reaches the mock). */
  readonly adminTokenFromEnv: boolean;
};

/**
 * The `start` banner: each operation it serves (method and URL, in the list's order), each mounted document (its title,
 * file, base path, gate and operations, and what was wrong with its examples), the store, how other shells reach this mock (the `export` lines, when
 * it is not on the default URL or has an admin token — never the secret), who can sign in and a curl that does,
 * a ready customer token and a curl that logs it out. Prints the demo customer's password (a published sandbox
 * value); never a password from `--users`.
 */
export function banner(io: Io, mock: BannerMock, facts: BannerFacts): string {
  const { config } = mock;
  const { signIn } = facts;
  const store = config.redis ? `redis (${config.redisPrefix})` : config.stateFile ? `file ${config.stateFile}` : 'memory';
  const b = (s: string) => paint(io, 'bold', s);
  const reach = reachLines(mock, facts);
  const signInUrl = mock.urls['sign-in'];
  const logoutUrl = mock.urls.logout;
  const mounted = (mock.apis ?? []).filter((api) => api.file !== undefined);
  const mountedNames = new Set(mounted.flatMap((api) => api.routes.map((route) => route.name)));
  const own = Object.entries(mock.urls).filter(([name]) => !mountedNames.has(name));
  const width = Math.max(...own.map(([name]) => name.length));
  return [
    `${b('worth-auth-mock')} — a stateful mock of the ${mock.contract.title}, listening`,
    '',
    `  Base URL   ${paint(io, 'cyan', mock.baseUrl)}`,
    `  QA panel   ${mock.url}/__mock/`,
    `  JWKS       ${mock.url}/.well-known/jwks.json`,
    `  Store      ${store}`,
    '',
    'Operations:',
    ...own.map(([name, url]) => `  ${name.padEnd(width)}  ${(mock.contract.operations.get(name)?.method ?? '').toUpperCase().padEnd(6)} ${url}`),
    ...mounted.flatMap((api) => mountedLines(io, mock.url, api)),
    ...warnings(io, mock),
    ...(reach.length
      ? ['', 'Other commands (`worth-auth-mock token`, `users`, `fault`, `requests`, …) reach this mock from a shell that has:', '', ...reach]
      : []),
    ...(signInUrl ? ['', ...signInLines(signInUrl, mock, facts)] : []),
    '',
    `A customer access token (sub ${signIn.claims.sub}, valid ${Math.round(config.tokenTtlSeconds / 60)} min; \`worth-auth-mock token\` mints more${reach.length ? ', with the exports above' : ''}):`,
    '',
    `  ${signIn.token}`,
    '',
    ...(logoutUrl ? ['Log it out (a second time answers 401):', '', `  curl -i -X POST ${logoutUrl} -H "Authorization: Bearer ${signIn.token}"`, ''] : []),
    'Ctrl-C stops the mock.',
    '',
    '',
  ].join('\n');
}

/** What each gate mode does, as the banner says it. */
const GATES: Record<GateMode, string> = {
  verify: 'tokens verified, the customer bound',
  presence: 'any bearer passes',
  off: 'no bearer asked',
};

/** A mounted document: its title, file, base path, gate and operations (method and URL), then its problems in yellow. */
function mountedLines(io: Io, root: string, api: NonNullable<BannerMock['apis']>[number]): string[] {
  const width = Math.max(...api.routes.map((route) => route.name.length));
  const count = `${api.operations} operation${api.operations === 1 ? '' : 's'}`;
  return [
    '',
    `${paint(io, 'bold', api.title)} (--api ${shownPath(api.file as string)}) under ${api.basePath || '/'}: gate ${api.gate} (${GATES[api.gate]}), ${count}:`,
    ...api.routes.map((route) => `  ${route.name.padEnd(width)}  ${route.method.padEnd(6)} ${root}${route.path}`),
    ...api.problems.map((problem) => paint(io, 'yellow', `  ! ${problem}`)),
  ];
}

/** A file as the user likely typed it: relative to the working directory when it is under it. */
function shownPath(file: string): string {
  const shown = relative(process.cwd(), file);
  return shown === '' || shown.startsWith('..') || isAbsolute(shown) ? file : shown;
}

/** The `export` lines a shell needs for the CLI to reach this mock: its URL when not the default, the admin token's name (not its value). */
function reachLines(mock: BannerMock, facts: BannerFacts): string[] {
  const lines: string[] = [];
  // Bound to every address (a container's 0.0.0.0): loopback on the same port reaches it, and 0.0.0.0 is no address to call.
  const url = /^[0:.]+$/.test(mock.config.host) ? `http://127.0.0.1:${new URL(mock.url).port}` : mock.url;
  if (url !== DEFAULT_URL) lines.push(`  export WORTH_MOCK_URL=${url}`);
  if (mock.config.adminToken !== undefined) {
    lines.push(
      facts.adminTokenFromEnv
        ? '  export WORTH_MOCK_ADMIN_TOKEN=…   # this shell has it already: the secret this mock started with (not printed)'
        : '  export WORTH_MOCK_ADMIN_TOKEN=…   # the secret given to --admin-token (not printed)',
    );
  }
  return lines;
}

/**
 * True when the demo customer (its published email and password) can sign in: started without `--users` (a users
 * file may give that email another password), and the seed user is there.
 */
export function isDemo(config: Pick<BannerMock['config'], 'usersFile'>, users: readonly UserView[]): boolean {
  return config.usersFile === undefined && users.some((u) => u.email === DEMO_USER.email && u.source === 'seed');
}

/** Who can sign in and a copy-paste curl that does: the demo customer's email and password, or the `--users` file's first email. */
function signInLines(signInUrl: string, mock: BannerMock, facts: BannerFacts): string[] {
  const demo = isDemo(mock.config, facts.users);
  const first = facts.users[0];
  const header = demo
    ? [
        `Demo customer (no --users):  email ${DEMO_USER.email}  password ${DEMO_USER.password}`,
        '',
        'Sign in as it (the answer holds its id, access and refresh tokens):',
      ]
    : first
      ? [`Users who can sign in: ${facts.users.length} (\`worth-auth-mock users list\`); sign in as one with its password:`]
      : ['No user can sign in yet: add one with `worth-auth-mock users add --email … --password …`, then:'];
  const email = demo ? DEMO_USER.email : (first?.email ?? 'someone@example.com');
  const password = demo ? DEMO_USER.password : 'its-password';
  // Single-quoted for the shell: an email may hold a quote (o'brien@example.com).
  const body = JSON.stringify({ email, password }).replaceAll("'", "'\\''");
  return [...header, '', `  curl -i -X POST ${signInUrl} -H 'Content-Type: application/json' -d '${body}'`];
}

/** Lines in red for a set-up that will surprise: replicas without a shared issuer/key, tokens naming an address clients do not use. */
function warnings(io: Io, mock: BannerMock): string[] {
  const { config } = mock;
  const lines: string[] = [];
  if (config.redis && (!config.issuer || !config.keyFile)) {
    lines.push('', paint(io, 'red', "  Replicas on one Redis must share --issuer and --key-file, or they refuse each other's tokens."));
  }
  // Bound beyond loopback (a container's 0.0.0.0) with no --issuer: tokens name the bound address as iss.
  if (!config.issuer && !isLoopback(config.host)) {
    lines.push(
      '',
      paint(
        io,
        'red',
        /^[0:.]+$/.test(config.host)
          ? `  Tokens name ${mock.url} as their issuer (iss), an address no client uses: set --issuer (WORTH_MOCK_ISSUER) to the URL clients use.`
          : `  Tokens name ${mock.url} as their issuer (iss): if clients reach the mock by another URL, set --issuer (WORTH_MOCK_ISSUER) to it.`,
      ),
    );
  }
  return lines;
}
