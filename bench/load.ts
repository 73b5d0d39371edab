import autocannon from 'autocannon';
import { median } from './startup.ts';

/**
 * What the connections send. `requests` is called once per connection, so requests that change per call
 * (a new token each time) get their own objects: autocannon keeps the built bytes on the request object.
 */
export type Traffic = {
  readonly name: string;
  requests(path: string): autocannon.Request[];
};

/** One measured run, as the report shows it. */
export type Measured = {
  /** Answered requests per second. */
  readonly rps: number;
  /** Latency percentiles in milliseconds. */
  readonly p50: number;
  readonly p99: number;
  /** Answers received, by status. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly answered: number;
  readonly seconds: number;
  /** Connection errors and timeouts (a healthy run has none). */
  readonly errors: number;
  /** The server's CPU time per answered request, in µs (robust to a busy load generator); when known. */
  readonly cpuUs?: number | undefined;
};

/** How long a run lasts: a time, or a number of requests (for traffic that uses each token once). */
export type Bound = { readonly connections: number; readonly seconds?: number; readonly amount?: number };

/** A request with no credentials (POST unless told): the 401 path. */
export function noToken(method: 'POST' | 'GET' = 'POST'): Traffic {
  return { name: 'no token', requests: (path) => [{ method, path }] };
}

/** Bearer tokens taken round-robin from a shared pool (each connection takes the next one). */
export function pooled(tokens: readonly string[], extraHeaders: Record<string, string> = {}): Traffic {
  if (tokens.length === 0) throw new Error('pooled traffic needs at least one token');
  let next = 0;
  return {
    name: 'pooled tokens',
    requests: (path) => [
      {
        method: 'POST',
        path,
        setupRequest: (req) => withBearer(req, tokens[next++ % tokens.length] as string, extraHeaders),
      },
    ],
  };
}

/** POSTs of JSON bodies (`Content-Type: application/json`), taken round-robin from `bodies`. */
export function jsonBodies(bodies: readonly string[]): Traffic {
  if (bodies.length === 0) throw new Error('JSON traffic needs at least one body');
  let next = 0;
  const requests = bodies.map((body) => ({ method: 'POST' as const, headers: { 'content-type': 'application/json' }, body }));
  return {
    name: 'JSON bodies',
    requests: (path) =>
      bodies.length === 1 ? [{ ...requests[0], path }] : [{ method: 'POST', path, setupRequest: (req) => ({ ...req, ...requests[next++ % requests.length] }) }],
  };
}

/** Each connection takes a token nobody has used, logs it out, then repeats that logout: 200, then 401. */
export function onceThenAgain(tokens: readonly string[]): Traffic {
  let next = 0;
  return {
    name: 'fresh tokens',
    requests: (path) => {
      let current = '';
      return [
        {
          method: 'POST',
          path,
          setupRequest: (req) => {
            // Wraps around only if a run asks for more than the pool holds; the statuses then show it.
            current = tokens[next++ % tokens.length] as string;
            return withBearer(req, current, {});
          },
        },
        { method: 'POST', path, setupRequest: (req) => withBearer(req, current, {}) },
      ];
    },
  };
}

/** A new bearer token for every request, from `next` (e.g. signed on the spot, so it can expire soon after). */
export function eachNew(next: () => string): Traffic {
  return {
    name: 'a new token each request',
    requests: (path) => [{ method: 'POST', path, setupRequest: (req) => withBearer(req, next(), {}) }],
  };
}

/** One shape of request, made for each request sent (see `shaped`). */
export type Shape = {
  readonly name: string;
  /** Default POST. */
  readonly method?: string;
  /** Bearer tokens taken round-robin (none: no Authorization header). */
  readonly tokens?: readonly string[];
  /** JSON bodies, round-robin, or made for the `n`-th request (`Content-Type: application/json`). */
  readonly bodies?: readonly string[] | ((n: number) => string);
  /** The request path of the `n`-th request, from the path the server takes the operation at (a path parameter filled in per request). */
  readonly pathOf?: (path: string, n: number) => string;
};

/**
 * Requests of one shape across every connection, the `n`-th request (counted over all connections) taking the `n`-th
 * token, body and path. Requests that change build their bytes per request in the load generator (as `pooled` does).
 */
export function shaped(shape: Shape): Traffic {
  const method = shape.method ?? 'POST';
  const { tokens, bodies, pathOf } = shape;
  if (tokens?.length === 0) throw new Error(`${shape.name}: no tokens`);
  if (Array.isArray(bodies) && bodies.length === 0) throw new Error(`${shape.name}: no bodies`);
  const json = bodies === undefined ? {} : { 'content-type': 'application/json' };
  const bodyOf = (n: number): string | undefined => (bodies === undefined ? undefined : typeof bodies === 'function' ? bodies(n) : bodies[n % bodies.length]);
  const fixed = tokens === undefined && pathOf === undefined && (bodies === undefined || (Array.isArray(bodies) && bodies.length === 1));
  let next = 0;
  return {
    name: shape.name,
    requests: (path) => {
      if (fixed) return [{ method: method as autocannon.Request['method'], path, headers: json, ...(bodies === undefined ? {} : { body: bodyOf(0) }) }];
      return [
        {
          method: method as autocannon.Request['method'],
          path,
          setupRequest: (req) => {
            const n = next++;
            const body = bodyOf(n);
            const headers =
              tokens === undefined ? { ...req.headers, ...json } : { ...req.headers, ...json, authorization: `Bearer ${tokens[n % tokens.length]}` };
            return { ...req, path: pathOf ? pathOf(path, n) : path, headers, ...(body === undefined ? {} : { body }) };
          },
        },
      ];
    },
  };
}

function withBearer(req: autocannon.Request, token: string, extra: Record<string, string>): autocannon.Request {
  return { ...req, headers: { ...req.headers, ...extra, authorization: `Bearer ${token}` } };
}

/** A server whose CPU time can be read (a child process under test). */
export type Measurable = { readonly origin: string; cpu(): Promise<number | undefined> };

/** `measure`, plus the server's CPU time per answered request. */
export async function measureOn(server: Measurable, path: string, traffic: Traffic, bound: Bound): Promise<Measured> {
  const before = await server.cpu();
  const m = await measure(server.origin, path, traffic, bound);
  const after = await server.cpu();
  return before === undefined || after === undefined || m.answered === 0 ? m : { ...m, cpuUs: (after - before) / m.answered };
}

/** Runs autocannon in this process against `origin + path`, bounded in time or count, and sums it up. */
export async function measure(origin: string, path: string, traffic: Traffic, bound: Bound): Promise<Measured> {
  // Latencies and the end time are taken from each response here: autocannon's own histogram keeps whole
  // milliseconds, and its run time is rounded up to its next sampling tick.
  const latencies: number[] = [];
  const started = performance.now();
  let last = started;
  const result = await autocannon({
    url: `${origin}${path}`,
    method: 'POST',
    connections: bound.connections,
    pipelining: 1,
    timeout: 10,
    sampleInt: 100,
    ...(bound.amount !== undefined ? { amount: bound.amount } : { duration: bound.seconds ?? 5 }),
    setupClient: (client) => {
      client.setRequests(traffic.requests(path));
      client.on('response', (_status: number, _bytes: number, ms: number) => {
        latencies.push(ms);
        last = performance.now();
      });
    },
  });
  const statuses: Record<string, number> = {};
  let answered = 0;
  for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = count;
    answered += count;
  }
  const seconds = (last - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    rps: seconds > 0 ? answered / seconds : 0,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    statuses,
    answered,
    seconds,
    errors: result.errors + result.timeouts,
  };
}

/** The value below which `q` of the sorted samples fall, to 0.01 ms. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
  return Math.round(value * 100) / 100;
}

/** Several runs of the same load as one figure: median rate and percentiles, summed counts. */
export function combine(runs: readonly Measured[]): Measured {
  const mid = (pick: (m: Measured) => number) => median(runs.map(pick));
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [status, n] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const sum = (pick: (m: Measured) => number) => runs.reduce((total, m) => total + pick(m), 0);
  const cpu = runs.every((m) => m.cpuUs !== undefined) ? mid((m) => m.cpuUs as number) : undefined;
  return {
    rps: mid((m) => m.rps),
    p50: mid((m) => m.p50),
    p99: mid((m) => m.p99),
    statuses,
    answered: sum((m) => m.answered),
    seconds: sum((m) => m.seconds),
    errors: sum((m) => m.errors),
    cpuUs: cpu,
  };
}

/** `401×1234 200×5` — what a run got back, for checking it measured the path it claims. */
export function formatStatuses(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
}
