// What the path modules share: the context each is built from, where each server takes an operation, bare Node's
// body, run bounds, and the two-core rate of a path's signing work.
import { fileURLToPath } from 'node:url';
import type { Contract } from '../src/contract/contract.ts';
import type { Bound } from './load.ts';
import type { MockStarter, PathSetup, PathSizes, SigningWork } from './path-types.ts';
import { ROOT, runChild } from './servers.ts';

/** The mounted document of the gate paths: the Case Service, as the docs' recipes mount it (a fresh clone has it). */
export const CASE_DOCUMENT = `${ROOT}test/fixtures/case-service.openapi.yaml`;

/** What every path is built from: how to start a mock, the sizes, the Auth Service's spec and the mounted document's. */
export type PathContext = {
  readonly startMock: MockStarter;
  readonly sizes: PathSizes;
  readonly auth: Contract;
  readonly mounted: Contract;
};

/** A run bounded in time. */
export const timed = (connections: number, seconds: number): Bound => ({ connections, seconds });

/** A run of `count` requests (for traffic that uses each thing once), a whole number per connection. */
export const counted =
  (count: number) =>
  (connections: number): Bound => ({ connections, amount: Math.floor(count / connections) * connections });

/** Nothing to undo. */
export const noop = async () => {};

/**
 * Where each kind of server takes `operation` of `contract`, its path parameters filled from `params` (one left out
 * stays `{name}`, for traffic that fills it per request): the mock under the document's base path, Prism at the
 * document's own path, bare Node at the mock's (it answers any).
 */
export function routeOf(contract: Contract, operation: string, params: Record<string, string> = {}): PathSetup['at'] {
  const found = contract.operations.get(operation);
  if (!found) throw new Error(`bench: ${contract.title} has no operation ${operation}`);
  const path = found.path.replace(/\{([^}]+)\}/g, (whole, param: string) => params[param] ?? whole);
  return { mock: `${contract.basePath}${path}`, bare: `${contract.basePath}${path}`, prism: path };
}

/** The operation's 200 example as a JSON text: what bare Node answers on that operation's path. */
export function example200(contract: Contract, operation: string): string {
  const example = contract.operations.get(operation)?.examples.get(200);
  if (example === undefined) throw new Error(`bench: ${contract.title}'s ${operation} has no 200 example`);
  return JSON.stringify(example);
}

/**
 * The two-core rate of the signing work one request of a path needs, per second: two processes (bench/signing-rate.ts)
 * each doing it one piece after the other, at the same time, their rates added (each one core's worth: while its
 * thread-pool thread signs, its main thread waits).
 */
export async function signingRate(work: SigningWork, seconds: number): Promise<number> {
  const script = fileURLToPath(new URL('./signing-rate.ts', import.meta.url));
  const once = async () => (JSON.parse(await runChild([script, work, String(seconds)])) as { perSecond: number }).perSecond;
  const [a, b] = await Promise.all([once(), once()]);
  return a + b;
}
