/**
 * Soak run: starts the real bin in a child process on loopback, drives it for a bounded time with many
 * concurrent clients mixing every path (logouts valid, repeated, without a token, with every canned bad
 * token and with garbage; per-request overrides; malformed requests; armed status and network faults;
 * control calls; and the users and passwords: invitations created, accepted and resent, users deactivated
 * and removed, forgotten passwords reset, the customer's users read — scripts/soak-users.ts), samples the
 * child's RSS and the store's size (start, middle, end), and prints what came back.
 *
 *   npx node scripts/soak.ts [--seconds 60] [--clients 64] [--sample-every 5] [--token-ttl 3600] [--refresh-ttl 86400] [--log pretty|json|off] [--json]
 *
 * The mock runs as users run it: its default request log (pretty) on, read from its stdout (`--log` to choose).
 * Exit 0 when every contract answer was documented, every decision was the expected one, no request
 * failed unless a network fault was armed for it, the mock is still up and serving, and (log on) its request
 * log, once it stopped on SIGTERM, holds a line for every logout answered, status by status; 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, type OutgoingHttpHeaders, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogLineCounter } from '../bench/log-lines.ts';
import { cpuOf, rssOf } from '../bench/servers.ts';
import { loadContract } from '../src/contract/contract.ts';
import { NETWORK_FAULTS } from '../src/faults/fault.ts';
import { TOKEN_KINDS } from '../src/tokens/issuer.ts';
import { type StoreSize, userSoak } from './soak-users.ts';

const BIN = fileURLToPath(new URL('../bin/worth-auth-mock.js', import.meta.url));
/** A request with no answer after this long is a hang (armed `hang` faults are abandoned much sooner). */
const HANG_MS = 10_000;
const HELD_MS = 250;
const CANNED = TOKEN_KINDS.filter((kind) => kind !== 'valid');
const NETWORK = NETWORK_FAULTS;

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    clients: { type: 'string', default: '64' },
    'sample-every': { type: 'string', default: '5' },
    'token-ttl': { type: 'string', default: '3600' },
    'refresh-ttl': { type: 'string', default: '86400' },
    log: { type: 'string', default: 'pretty' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = whole(args.seconds, '--seconds', 1, 24 * 3600);
const clients = whole(args.clients, '--clients', 1, 2000);
const sampleEvery = whole(args['sample-every'], '--sample-every', 1, 3600);
const tokenTtl = whole(args['token-ttl'], '--token-ttl', 1, 10 * 365 * 24 * 3600);
const refreshTtl = whole(args['refresh-ttl'], '--refresh-ttl', 1, 10 * 365 * 24 * 3600);
const logFormat = args.log as string;
if (!['pretty', 'json', 'off'].includes(logFormat)) {
  process.stderr.write(`soak: --log must be pretty, json or off, got ${JSON.stringify(logFormat)}\n`);
  process.exit(2);
}

function whole(value: string | undefined, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    process.stderr.write(`soak: ${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}

/** What one request got. */
type Reply = { status: number; body: string; ms: number; error?: string };

/** Tallies of the whole run. */
const tally = {
  requests: 0,
  contract: new Map<number, number>(),
  control: new Map<number, number>(),
  undocumented: { count: 0, first: [] as string[] },
  unexpected: { count: 0, first: [] as string[] },
  clientErrors: { count: 0, first: [] as string[] },
  expectedBreaks: 0,
  keepAliveRaces: 0,
  /** Held requests (`hang` faults) the client gave up on: clearing the fault may still answer one, 401, to nobody. */
  hangs: 0,
  latencies: [] as number[],
};
const count = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
/** Counts a problem, keeping the first few for the report. */
const note = (problems: { count: number; first: string[] }, what: string) => {
  problems.count++;
  if (problems.first.length < 20) problems.first.push(what);
};

const contract = await loadContract();
const logoutContract = contract.operations.get('logout');
if (!logoutContract) throw new Error('soak: the spec has no logout operation');
const examples = new Map([...logoutContract.examples].map(([status, example]) => [status, JSON.stringify(example)]));

const child = spawn(
  process.execPath,
  [BIN, 'start', '--host', '127.0.0.1', '--port', '0', '--log', logFormat, '--token-ttl', String(tokenTtl), '--refresh-ttl', String(refreshTtl)],
  {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let childOutput = '';
const logged = createLogLineCounter();
child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
  childOutput = (childOutput + chunk).slice(-20_000);
  logged.feed(chunk);
});
child.stderr.setEncoding('utf8').on('data', (chunk: string) => (childOutput = (childOutput + chunk).slice(-20_000)));
let exitedWith: string | undefined;
const exited = new Promise<void>((resolve) =>
  child.once('exit', (code, signal) => {
    exitedWith = signal ?? String(code);
    resolve();
  }),
);
const base = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the mock printed no banner within 15 s:\n${childOutput}`)), 15_000);
  child.stdout.on('data', () => {
    const found = /Base URL {3}(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(childOutput)?.[1];
    if (found) {
      clearTimeout(timer);
      resolve(found);
    }
  });
  child.once('exit', () => reject(new Error(`the mock exited at start:\n${childOutput}`)));
});
const root = new URL(base);
const port = Number(root.port);
const logoutPath = `${root.pathname}${logoutContract.path}`;
const agent = new Agent({ keepAlive: true, maxSockets: clients });

/**
 * One request; `fresh` uses its own connection (for requests whose connection a fault will break).
 * A request written on a pooled connection just as the mock closed it for idling (its keep-alive
 * timeout) never reached the mock: it is sent again once, on a new connection, as Node's docs advise.
 */
async function send(
  method: string,
  path: string,
  headers: OutgoingHttpHeaders = {},
  body?: string,
  options: { fresh?: boolean; abortAfterMs?: number } = {},
): Promise<Reply> {
  const reply = await sendOnce(method, path, headers, body, options);
  if (!reply.raced) return reply;
  tally.keepAliveRaces++;
  return sendOnce(method, path, headers, body, { ...options, fresh: true });
}

function sendOnce(
  method: string,
  path: string,
  headers: OutgoingHttpHeaders,
  body: string | undefined,
  options: { fresh?: boolean; abortAfterMs?: number },
): Promise<Reply & { raced?: boolean }> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (reply: Omit<Reply, 'ms'> & { raced?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...reply, ms: performance.now() - started });
    };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: options.fresh ? false : agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => done({ status: 0, body: '', error: error.message }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ status: 0, body: '', error: options.abortAfterMs ? 'held' : `no answer within ${HANG_MS} ms` });
    }, options.abortAfterMs ?? HANG_MS);
    req.on('error', (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      done({ status: 0, body: '', error: `${code ?? 'error'}: ${error.message}`, raced: req.reusedSocket && code === 'ECONNRESET' });
    });
    // Headers and body leave in separate writes: without this, Nagle plus delayed ACKs add ~40 ms to each POST with a body.
    req.setNoDelay(true);
    req.end(body);
  });
}

/** A logout: checks the answer is documented and the decision is the expected one. */
async function logout(what: string, expected: number, headers: OutgoingHttpHeaders = {}, body?: string, query = ''): Promise<void> {
  const reply = await send('POST', `${logoutPath}${query}`, headers, body);
  tally.requests++;
  if (reply.error) return note(tally.clientErrors, `${what}: ${reply.error}`);
  tally.latencies.push(reply.ms);
  count(tally.contract, reply.status);
  if (examples.get(reply.status) !== reply.body) note(tally.undocumented, `${what}: ${reply.status} ${reply.body.slice(0, 120)}`);
  else if (reply.status !== expected) note(tally.unexpected, `${what}: expected ${expected}, got ${reply.status}`);
}

/** A control call; anything but the expected status is unexpected. */
async function control(method: string, path: string, expected: number, body?: unknown): Promise<string | undefined> {
  const reply = await send(
    method,
    path,
    body === undefined ? {} : { 'content-type': 'application/json' },
    body === undefined ? undefined : JSON.stringify(body),
  );
  tally.requests++;
  if (reply.error) {
    note(tally.clientErrors, `${method} ${path}: ${reply.error}`);
    return undefined;
  }
  count(tally.control, reply.status);
  if (reply.status !== expected) note(tally.unexpected, `${method} ${path}: expected ${expected}, got ${reply.status} ${reply.body.slice(0, 120)}`);
  return reply.body;
}

async function mint(kind = 'valid'): Promise<{ token: string; idToken: string } | undefined> {
  const body = await control('POST', '/__mock/tokens', 201, { kind });
  return body === undefined ? undefined : (JSON.parse(body) as { token: string; idToken: string });
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** A header sent twice (node:http writes one line per array member). */
const twice = (name: string, first: string, second: string): OutgoingHttpHeaders => ({ [name]: [first, second] });
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T;

function garbageToken(pool: string[]): string {
  const roll = Math.random();
  if (roll < 0.3) return randomBytes(40 + Math.floor(Math.random() * 400)).toString('base64url');
  if (roll < 0.6) return [0, 1, 2].map(() => randomBytes(8 + Math.floor(Math.random() * 200)).toString('base64url')).join('.');
  const token = pick(pool);
  const at = token.lastIndexOf('.') + 1 + Math.floor(Math.random() * 40);
  return `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
}

/** The scenarios and how often each runs, as a QA floor's traffic might mix them. */
type Scenario = (pool: Pool) => Promise<void>;
type Pool = { canned: Map<string, string>; valid: string[] };
const SCENARIOS: [weight: number, name: string, run: Scenario][] = [
  [
    6,
    'valid logout, then a repeat',
    async () => {
      const signIn = await mint();
      if (!signIn) return;
      await logout('valid logout', 200, bearer(Math.random() < 0.8 ? signIn.token : signIn.idToken));
      await logout('repeated logout', 401, bearer(signIn.token));
    },
  ],
  [4, 'no token', () => logout('no token', 401)],
  [
    5,
    'a canned bad token',
    async (pool) => {
      const kind = pick(CANNED);
      await logout(`canned ${kind}`, kind === 'non-customer' ? 403 : 401, bearer(pool.canned.get(kind) as string));
    },
  ],
  [
    4,
    'a garbage token',
    (pool) => logout('garbage token', 401, { authorization: `${pick(['Bearer', 'bearer', 'Bearer', 'Basic'])} ${garbageToken(pool.valid)}` }),
  ],
  [
    2,
    'a per-request override',
    async () => {
      const status = pick(logoutContract.statuses);
      if (Math.random() < 0.5) await logout(`Prefer code=${status}`, status, { prefer: `code=${status}` });
      else await logout(`?__code=${status}`, status, {}, undefined, `?__code=${status}`);
    },
  ],
  [
    2,
    'a malformed request',
    async (pool) => {
      if (Math.random() < 0.5)
        await logout('body that does not parse', 400, { ...bearer(pick(pool.valid)), 'content-type': 'application/json' }, '{"refreshToken":');
      else await logout('two Authorization headers', 400, twice('authorization', `Bearer ${pick(pool.valid)}`, 'Bearer x.y.z'));
    },
  ],
  [
    2,
    'an armed status fault for one session',
    async () => {
      const session = `soak-${randomUUID()}`;
      const status = pick(logoutContract.statuses);
      if ((await control('POST', '/__mock/faults', 201, { status, match: { session } })) === undefined) return;
      await logout(`armed ${status}`, status, { 'x-mock-session': session });
    },
  ],
  [
    2,
    'an armed network fault for one session',
    async () => {
      const session = `soak-${randomUUID()}`;
      const network = pick(NETWORK);
      const armed = await control('POST', '/__mock/faults', 201, { network, match: { session } });
      if (armed === undefined) return;
      const reply = await send('POST', logoutPath, { 'x-mock-session': session }, undefined, {
        fresh: true,
        ...(network === 'hang' ? { abortAfterMs: HELD_MS } : {}),
      });
      tally.requests++;
      if (reply.error) tally.expectedBreaks++;
      else note(tally.unexpected, `armed network ${network}: got ${reply.status} instead of a broken connection`);
      if (network === 'hang') {
        tally.hangs++;
        await control('DELETE', `/__mock/faults/${(JSON.parse(armed) as { id: string }).id}`, 200);
      }
    },
  ],
  [
    2,
    'control calls',
    async () => {
      const roll = Math.random();
      if (roll < 0.3) await control('GET', '/__mock/health', 200);
      else if (roll < 0.6) await control('GET', '/__mock/requests?limit=20', 200);
      else if (roll < 0.9) await control('GET', '/__mock/faults', 200);
      else if (roll < 0.97) await control('GET', '/__mock/no-such-route', 404);
      else await control('GET', '/__mock/sessions', 200);
    },
  ],
];
// The users and passwords, mixed in: each scenario removes what it creates, as an operator would.
const users = userSoak({
  send: async (method, path, headers, body) => {
    tally.requests++;
    return send(method, path, headers, body);
  },
  base: root.pathname.replace(/\/+$/, ''),
  unexpected: (what) => note(tally.unexpected, what),
  failed: (what) => note(tally.clientErrors, what),
});
for (const [weight, name, run] of users.scenarios) SCENARIOS.push([weight, name, () => run()]);
const totalWeight = SCENARIOS.reduce((sum, [weight]) => sum + weight, 0);
function scenario(): Scenario {
  let roll = Math.random() * totalWeight;
  for (const [weight, , run] of SCENARIOS) {
    roll -= weight;
    if (roll < 0) return run;
  }
  return (SCENARIOS[0] as (typeof SCENARIOS)[number])[2];
}

/** The child's resident set size in bytes, when it can be read. */
async function rss(pid: number): Promise<number | undefined> {
  const bytes = await rssOf(pid);
  return bytes > 0 ? bytes : undefined;
}

/** CPU seconds (user + system) the child has used so far (Linux /proc only). */
async function cpuSeconds(pid: number): Promise<number | undefined> {
  const us = await cpuOf(pid);
  return us === undefined ? undefined : us / 1e6;
}

const pool: Pool = { canned: new Map(), valid: [] };
for (const kind of CANNED) {
  const signIn = await mint(kind);
  if (signIn) pool.canned.set(kind, signIn.token);
}
for (let i = 0; i < 20; i++) {
  const signIn = await mint();
  if (signIn) pool.valid.push(signIn.token);
}

/** The store's size and the RSS at the start, the middle and the end of the run. */
const storeSizes: (StoreSize & { rss: number | undefined })[] = [];
const sampleStore = async (atSeconds: number) => {
  const [size, bytes] = await Promise.all([users.size(atSeconds), rss(child.pid as number)]);
  if (size) storeSizes.push({ ...size, rss: bytes });
};
const samples: { at: number; bytes: number }[] = [];
const loadBefore = loadavg()[0] as number;
const cpuBefore = await cpuSeconds(child.pid as number);
const startedAt = performance.now();
const sample = async () => {
  const bytes = await rss(child.pid as number);
  if (bytes !== undefined) samples.push({ at: (performance.now() - startedAt) / 1000, bytes });
};
await sample();
await sampleStore(0);
const sampler = setInterval(() => void sample(), sampleEvery * 1000);
let middle = Promise.resolve();
const halfway = setTimeout(() => (middle = sampleStore(seconds / 2)), (seconds * 1000) / 2);
const deadline = startedAt + seconds * 1000;
process.stderr.write(`soak: ${clients} clients for ${seconds} s against ${base} (pid ${child.pid})…\n`);

await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < deadline && exitedWith === undefined) await scenario()(pool);
  }),
);
clearInterval(sampler);
clearTimeout(halfway);
await middle;
await sample();
await sampleStore((performance.now() - startedAt) / 1000);
const elapsed = (performance.now() - startedAt) / 1000;
const cpuAfter = await cpuSeconds(child.pid as number);
const cpuUsed = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;

// After the storm: still up, and a fresh sign-in still logs out exactly once.
const after = await mint();
const afterFirst = after ? await send('POST', logoutPath, bearer(after.token)) : undefined;
const afterSecond = after ? await send('POST', logoutPath, bearer(after.token)) : undefined;
const alive = exitedWith === undefined;
agent.destroy();
child.kill('SIGTERM');
await exited;
logged.end();

// Stopped cleanly: the request log holds one line per logout answered, status by status (network faults aside).
const answeredLogouts = new Map(tally.contract);
for (const reply of [afterFirst, afterSecond]) if (reply && !reply.error) count(answeredLogouts, reply.status);
// The users' own sign-ins logged out (scripts/soak-users.ts) are logouts too.
for (const [status, n] of users.done.byOperation.get('logout') ?? []) answeredLogouts.set(status, (answeredLogouts.get(status) ?? 0) + n);
const logMismatches =
  logFormat === 'off'
    ? []
    : [...new Set([...answeredLogouts.keys(), ...logoutContract.statuses])]
        .sort((a, b) => a - b)
        .filter((status) => {
          const extra = logged.count(logoutPath, status) - (answeredLogouts.get(status) ?? 0);
          // A held request released by clearing its fault is decided again (no token: 401) after its client left.
          return status === 401 ? extra < 0 || extra > tally.hangs : extra !== 0;
        })
        .map((status) => `${status}: ${logged.count(logoutPath, status)} lines for ${answeredLogouts.get(status) ?? 0} answers`);
const logLines = [...answeredLogouts.keys()].reduce((sum, status) => sum + logged.count(logoutPath, status), 0);

const sorted = [...tally.latencies].sort((a, b) => a - b);
const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MB`);
const statuses = (map: Map<number, number>) =>
  [...map]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}: ${n.toLocaleString('en-US')}`)
    .join('  ');
const unexpectedErrors = tally.clientErrors.count;
const passed =
  tally.undocumented.count === 0 &&
  tally.unexpected.count === 0 &&
  unexpectedErrors === 0 &&
  alive &&
  afterFirst?.status === 200 &&
  afterSecond?.status === 401 &&
  logMismatches.length === 0;

const summary = {
  seconds: Number(elapsed.toFixed(1)),
  clients,
  tokenTtlSeconds: tokenTtl,
  node: process.version,
  cpus: cpus().length,
  loadAverage: { before: Number(loadBefore.toFixed(2)), after: Number((loadavg()[0] as number).toFixed(2)) },
  requests: tally.requests,
  requestsPerSecond: Math.round(tally.requests / elapsed),
  contractStatuses: Object.fromEntries(tally.contract),
  controlStatuses: Object.fromEntries(tally.control),
  undocumented: tally.undocumented.count,
  unexpectedDecisions: tally.unexpected.count,
  clientErrors: { unexpected: unexpectedErrors, expectedFromNetworkFaults: tally.expectedBreaks, keepAliveRacesRetried: tally.keepAliveRaces },
  mockCpuSeconds: cpuUsed === undefined ? undefined : Number(cpuUsed.toFixed(1)),
  latencyMs: { p50: Number(percentile(50).toFixed(2)), p99: Number(percentile(99).toFixed(2)), max: Number(percentile(100).toFixed(2)) },
  rss: { first: samples[0]?.bytes, last: samples.at(-1)?.bytes, max: Math.max(...samples.map((s) => s.bytes)) },
  rssOverTime: samples.map((s) => ({ atSeconds: Math.round(s.at), bytes: s.bytes })),
  store: storeSizes,
  usersAndPasswords: {
    ...users.done,
    byOperation: Object.fromEntries([...users.done.byOperation].map(([what, counts]) => [what, Object.fromEntries(counts)])),
  },
  after: { alive, firstLogout: afterFirst?.status, secondLogout: afterSecond?.status },
  requestLog: logFormat === 'off' ? 'off' : { format: logFormat, logoutLines: logLines, mismatches: logMismatches },
  passed,
};

if (args.json) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  const rows: [string, string][] = [
    ['duration', `${elapsed.toFixed(1)} s, ${clients} concurrent clients, token TTL ${tokenTtl} s`],
    [
      'machine',
      `${process.platform} ${process.arch}, ${cpus().length} CPUs, ${process.version}; load average ${summary.loadAverage.before} before, ${summary.loadAverage.after} after`,
    ],
    ['requests', `${tally.requests.toLocaleString('en-US')} (${summary.requestsPerSecond.toLocaleString('en-US')}/s)`],
    ['contract statuses', statuses(tally.contract)],
    ['control statuses', statuses(tally.control)],
    ['undocumented', String(tally.undocumented.count)],
    ['unexpected decisions', String(tally.unexpected.count)],
    [
      'client errors',
      `${unexpectedErrors} unexpected, ${tally.expectedBreaks.toLocaleString('en-US')} expected (armed network faults), ${tally.keepAliveRaces} keep-alive races retried`,
    ],
    [
      'mock CPU',
      cpuUsed === undefined ? 'n/a' : `${cpuUsed.toFixed(1)} s over ${elapsed.toFixed(1)} s (${Math.round((cpuUsed / elapsed) * 100)}% of one core)`,
    ],
    ['latency (contract)', `p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms, max ${summary.latencyMs.max} ms`],
    ['RSS', `first ${mb(summary.rss.first)}, last ${mb(summary.rss.last)}, max ${mb(summary.rss.max)}`],
    ['RSS over time', samples.map((s) => `${Math.round(s.at)}s ${mb(s.bytes)}`).join(' | ')],
    [
      'store (start, middle, end)',
      storeSizes
        .map((size) => `${size.atSeconds}s: ${size.users} users, outbox ${size.outbox}, ${size.tokens} tokens of ${size.signIns} sign-ins, RSS ${mb(size.rss)}`)
        .join(' | '),
    ],
    [
      'users and passwords',
      `${users.done.usersCreated.toLocaleString('en-US')} users made (invited or added), ${users.done.accepted.toLocaleString('en-US')} invitations accepted, ${users.done.deactivated.toLocaleString('en-US')} deactivated, ${users.done.usersRemoved.toLocaleString('en-US')} removed (kept as removed records: users are never pruned), ${users.done.resets.toLocaleString('en-US')} passwords reset, ${users.done.logouts.toLocaleString('en-US')} of their sign-ins logged out`,
    ],
    [
      'their operations',
      [...users.done.byOperation]
        .map(([what, counts]) => `${what} ${[...counts].map(([status, n]) => `${status}×${n.toLocaleString('en-US')}`).join(' ')}`)
        .join('; '),
    ],
    [
      'request log',
      logFormat === 'off'
        ? 'off'
        : logMismatches.length === 0
          ? `${logFormat}: a line for each of the ${logLines.toLocaleString('en-US')} logouts answered, after SIGTERM`
          : `${logFormat}: lines missing or extra — ${logMismatches.join('; ')}`,
    ],
    [
      'afterwards',
      `${alive ? 'still up' : `exited (${exitedWith})`}; a fresh sign-in logs out ${afterFirst?.status ?? 'n/a'}, then ${afterSecond?.status ?? 'n/a'}`,
    ],
    ['result', passed ? 'PASS' : 'FAIL'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`worth-auth-mock soak\n${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')}\n`);
  for (const [title, list] of [
    ['undocumented answers', tally.undocumented],
    ['unexpected decisions', tally.unexpected],
    ['client errors', tally.clientErrors],
  ] as const) {
    if (list.count > 0)
      process.stdout.write(`\n${title} (first ${list.first.length} of ${list.count}):\n${list.first.map((line) => `  ${line}`).join('\n')}\n`);
  }
}
if (!alive) process.stderr.write(`\nthe mock exited during the run; its last output:\n${childOutput}\n`);
process.exitCode = passed ? 0 : 1;
