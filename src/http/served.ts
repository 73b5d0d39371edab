import type { Config, GateMode } from '../config/config.ts';
import { type Bodies, createBodies } from '../contract/bodies.ts';
import type { Contract, OperationContract } from '../contract/contract.ts';
import { readMountable } from '../contract/document-answers.ts';
import { ConfigError, SpecError } from '../errors.ts';
import type { FaultTargets } from '../faults/fault.ts';
import type { HangRegistry } from '../faults/network.ts';
import { createDecision, type Decide } from '../operations/decision.ts';
import { gateOf } from '../operations/gate.ts';
import { AUTH_OPERATIONS } from '../operations/index.ts';
import { mountedOperation, preferringBodies } from '../operations/mounted.ts';
import type { Operation, OperationContext } from '../operations/operation.ts';
import type { Journal } from './journal-writer.ts';
import { createOperationHandler, type OperationHandler } from './operation-handler.ts';
import type { Route } from './router.ts';

/**
 * A document the mock serves: its title, base path and file (none for the bundled Auth Service spec), its gate, and
 * what was wrong with its examples when it was mounted (each replaced by a body generated from its schema).
 */
export type ServedDocument = {
  readonly title: string;
  readonly basePath: string;
  readonly file: string | undefined;
  readonly gate: GateMode;
  readonly problems: readonly string[];
  /** Each of its operations the mock serves: its name, method (upper-case) and full path template, in the document's order. */
  readonly routes: readonly ServedRoute[];
};

/** One operation of a served document, as the banner and `mock.apis` list it. */
export type ServedRoute = { readonly name: string; readonly method: string; readonly path: string };

/** The documents `served` comes from, each once, in the order first served, with how many of its operations are served. */
export function documentsOf(served: readonly Served[]): (ServedDocument & { readonly operations: number })[] {
  const counted = new Map<ServedDocument, number>();
  for (const { document } of served) counted.set(document, (counted.get(document) ?? 0) + 1);
  return [...counted].map(([document, operations]) => ({ ...document, operations }));
}

/** One operation as the mock serves it: its name, the value that decides it, its contract, its route, its document. */
export type Served = {
  readonly name: string;
  readonly operation: Operation;
  readonly contract: OperationContract;
  readonly route: Route<OperationHandler>;
  readonly document: ServedDocument;
};

/** What serving an operation needs of the HTTP side. */
export type ServingDeps = { readonly context: OperationContext; readonly hangs: HangRegistry; readonly journal: Journal };

/** The default path parameter that names the customer on a mounted document. */
const DEFAULT_BIND = 'customerID';

/**
 * The Auth Service's operations as the mock serves them, from the list and the spec: each found by its operationId,
 * decided by the shared scaffold and its own steps, routed by its method and path under `basePath`. Throws SpecError
 * naming the operations the spec lacks (by operationId), or what one of them needs.
 */
export function serveAuthOperations(contract: Contract, basePath: string, deps: ServingDeps): Served[] {
  const missing = AUTH_OPERATIONS.filter((operation) => !contract.operations.has(operation.name)).map((operation) => operation.name);
  if (missing.length > 0) {
    throw new SpecError(`the spec has no operation with the operationId ${missing.join(', ')}: the mock serves each Auth Service operation the spec names so`);
  }
  const routes: ServedRoute[] = [];
  const document: ServedDocument = { title: contract.title, basePath, file: undefined, gate: 'verify', problems: [], routes };
  return AUTH_OPERATIONS.map((operation) => {
    const found = contract.operations.get(operation.name) as OperationContract;
    const next = serve(operation, found, createBodies(found, deps.context.config), document, deps);
    routes.push({ name: next.name, method: next.route.method, path: next.route.path });
    return next;
  });
}

/**
 * Mounts other OpenAPI documents (`--api`) beside what is served: each under its `servers[0]` path, every operation
 * answered from its document (Prism's mocker, run once now: see document-answers.ts) behind the gate its settings
 * name (`--api-gate` by base path, or the in-process `gate`; default `verify`), bound to the customer by `bind`. A
 * status the document does not document (the gate's 401 or 403, a failed store's 500) has the Auth Service's shared
 * body, from `shared`. Throws ConfigError naming both documents for a route or an operation name two documents share;
 * naming `--api` and the file for a document that cannot be read, or is no OpenAPI document; naming `--api-gate` or
 * `--api-bind` for a base path no mounted document has, or a bound parameter no path of its document has.
 */
export async function mountDocuments(
  config: Pick<Config, 'apis' | 'apiGates' | 'apiBinds'>,
  already: readonly Served[],
  shared: Bodies,
  deps: ServingDeps,
): Promise<Served[]> {
  const served = [...already];
  const mountedBases: string[] = [];
  for (const mount of config.apis) {
    const { contract, mounted } = await readMountable(mount.path);
    const { basePath } = contract;
    mountedBases.push(basePath);
    const gate = mount.gate ?? config.apiGates[basePath] ?? 'verify';
    const bind = mount.bind ?? config.apiBinds[basePath];
    if (bind !== undefined) refuseUnknownParameter(contract, bind);
    const routes: ServedRoute[] = [];
    const document: ServedDocument = { title: contract.title, basePath, file: mount.path, gate, problems: mounted.problems, routes };
    const settings = { title: contract.title, basePath, gate, bind: bind ?? DEFAULT_BIND };
    for (const found of contract.operations.values()) {
      const answers = mounted.answers.get(found.id);
      if (answers === undefined) continue;
      const operation = mountedOperation(found.id, answers, settings);
      const bodies: Bodies = {
        of: (status, reason, message) => answers.of(status)?.body ?? shared.of(status, reason, message),
        documents: (status) => found.statuses.includes(status),
      };
      const next = serve(operation, found, bodies, document, deps, {
        gate: gateOf(gate, deps.context.authenticate),
        prefer: (decide) => preferringBodies(decide, answers, settings),
      });
      refuseClash(served, next);
      served.push(next);
      routes.push({ name: next.name, method: next.route.method, path: next.route.path });
    }
  }
  for (const [flag, byBase] of [
    ['--api-gate', config.apiGates],
    ['--api-bind', config.apiBinds],
  ] as const) {
    const unknown = Object.keys(byBase).find((base) => !mountedBases.includes(base));
    if (unknown !== undefined) {
      throw new ConfigError(
        flag,
        `${flag} ${unknown}: no mounted document has this base path (mounted: ${mountedBases.join(', ') || 'none; mount one with --api'})`,
      );
    }
  }
  return served;
}

/** Throws ConfigError naming `--api-bind` when no path of the document has the parameter `bind`. */
function refuseUnknownParameter(contract: Contract, bind: string): void {
  const names = new Set(
    [...contract.operations.values()].flatMap((operation) => [...operation.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string)),
  );
  if (names.has(bind)) return;
  throw new ConfigError(
    '--api-bind',
    `--api-bind ${contract.basePath}=${bind}: no path of ${contract.title} has the parameter {${bind}} (its path parameters: ${[...names].join(', ') || 'none'})`,
  );
}

/** What a fault may target: each served operation's documented statuses and the scopes its requests carry. */
export function faultTargets(served: readonly Served[]): FaultTargets {
  return new Map(served.map(({ name, operation, contract }) => [name, { statuses: contract.statuses, scopes: operation.scopes }]));
}

/** How a mounted operation is served unlike the Auth Service's: its document's gate, and the body `Prefer` picks on any answer. */
type MountedServing = { readonly gate: ReturnType<typeof gateOf>; readonly prefer: (decide: Decide) => Decide };

function serve(
  operation: Operation,
  contract: OperationContract,
  bodies: Bodies,
  document: ServedDocument,
  deps: ServingDeps,
  mounted?: MountedServing,
): Served {
  const { context } = deps;
  const decide = createDecision(operation, contract, context, mounted === undefined ? context.authenticate : mounted.gate);
  const handler = createOperationHandler({
    name: operation.name,
    decide: mounted === undefined ? decide : mounted.prefer(decide),
    body: operation.body,
    bodies,
    hangs: deps.hangs,
    journal: deps.journal,
    maxBodyBytes: context.config.maxBodyBytes,
  });
  const route = { method: contract.method.toUpperCase(), path: `${document.basePath}${contract.path}`, target: handler };
  return { name: operation.name, operation, contract, route, document };
}

/** Throws ConfigError when `next` has the name, or the method and path, of an operation already served. */
function refuseClash(served: readonly Served[], next: Served): void {
  const shape = (route: Route<OperationHandler>) => `${route.method} ${route.path.replace(/\{[^}]*\}/g, '{}')}`;
  const where = (each: Served) => `${each.document.title} (${each.document.file ?? 'the bundled spec'})`;
  for (const each of served) {
    if (each.name === next.name) {
      throw new ConfigError(
        '--api',
        `${where(next)} and ${where(each)} both have an operation named ${next.name}: mount one of them, or give one another operationId`,
      );
    }
    if (shape(each.route) === shape(next.route)) {
      throw new ConfigError(
        '--api',
        `${where(next)} and ${where(each)} both serve ${next.route.method} ${next.route.path}: mount one of them, or give one another servers[0] path`,
      );
    }
  }
}
