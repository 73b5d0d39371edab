import fc from 'fast-check';
import { expect } from 'vitest';
import type { FaultOperation } from '../../src/faults/fault.ts';
import type { Mock } from '../../src/mock.ts';
import { type Answer, read, violations } from './mock.ts';

// The pieces the contract property tests build requests from: overrides, faults, content types and body shapes any
// operation may meet, a request sent and its answer checked against the spec with Prism's validator.

/** `arbitrary` one time in `1 + rest`, else undefined (fc.option's `freq` is the other way round: nil one time in freq). */
export const sometimes = <T>(arbitrary: fc.Arbitrary<T>, rest: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: rest }, { arbitrary, weight: 1 });

/** A `Prefer` header now and then: `code=` for each of `documented` and for statuses the spec does not have, and values that are not codes. */
export const preferFor = (documented: readonly number[]): fc.Arbitrary<string | undefined> =>
  sometimes(
    fc.constantFrom(
      ...documented.map((status) => `code=${status}`),
      'code=404',
      'code=418',
      'code=201',
      'code=abc',
      'delay=0',
      'return=minimal',
      'code=500, delay=0',
    ),
    2,
  );

/** The content types a client may send a body with (JSON most of the time), or none. */
export const CONTENT_TYPE = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  undefined,
);

/** A real token, not the spec example's placeholder that `Prefer: code=200` would answer. */
export const isJwt = (value: unknown): boolean => typeof value === 'string' && value.startsWith('eyJ');

/** A fault the request meets: its status (undefined: it only delays), and the operation it is armed for (or `*`). */
export type FaultChoice = { readonly status: number | undefined; readonly operation: FaultOperation } | undefined;

/** The statuses a fault armed for every operation (`*`) may have: those every operation documents. */
const SHARED_STATUSES: readonly number[] = [200, 400, 401, 403, 500];

/**
 * An armed fault for `operation` (or for every one) now and then: one of `statuses`, or one that only delays. A status
 * not every operation documents (get-customer-user's 404) is armed for `operation` itself: `*` would refuse it.
 */
export const faultFor = (operation: FaultOperation, statuses: readonly number[]): fc.Arbitrary<FaultChoice> =>
  sometimes(
    fc
      .record({ status: fc.constantFrom(...statuses, undefined), operation: fc.constantFrom(operation, '*') })
      .map((fault) => (fault.status !== undefined && !SHARED_STATUSES.includes(fault.status) ? { ...fault, operation } : fault)),
    5,
  );

/** Arms the request's fault on `target` (the caller clears it after the request). */
export async function armFault(target: Mock, fault: FaultChoice): Promise<void> {
  if (!fault) return;
  await target.faults.arm(
    fault.status === undefined ? { delayMs: 1, match: { operation: fault.operation } } : { status: fault.status, match: { operation: fault.operation } },
  );
}

/** How a body is sent: its fields as a JSON object, none, any text or JSON, the fields in an array, or cut off. */
export type BodyShape = 'object' | 'none' | 'garbage' | 'array' | 'truncated';

/** A body shape, an object most of the time. */
export const BODY_SHAPE = fc.constantFrom<BodyShape>('object', 'object', 'object', 'object', 'none', 'garbage', 'array', 'truncated');

/** Any text, or any JSON value: what a `garbage` body holds. */
export const GARBAGE = fc.oneof(fc.string({ maxLength: 40 }), fc.json());

/** The body `shape` makes of `fields` (`garbage` for the garbage shape). */
export function bodyOf(shape: BodyShape, fields: Record<string, unknown>, garbage: unknown): string | undefined {
  switch (shape) {
    case 'object':
      return JSON.stringify(fields);
    case 'none':
      return undefined;
    case 'garbage':
      return typeof garbage === 'string' ? garbage : JSON.stringify(garbage);
    case 'array':
      return JSON.stringify([fields]);
    case 'truncated':
      return JSON.stringify(fields).slice(0, -1);
  }
}

/** The object of the fields given a value (a field left `undefined` is left out, as a client that omits it). */
export function fieldsOf(given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
}

/** An operation's URL template (`mock.urls[name]`) with its path parameters filled in (each encoded). */
export function pathOf(template: string, params: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (params[name] === undefined ? whole : encodeURIComponent(params[name])));
}

/** Sends one request and reads the answer (a non-JSON body stays text: itself a violation Prism reports). */
export async function send(method: string, url: string, headers: readonly [string, string][], body: string | undefined): Promise<Answer> {
  return read(await fetch(url, { method, headers: [...headers], body }));
}

/** The answer matches the spec for `operation` (Prism finds no violation) and carries `Cache-Control: no-store`. */
export async function expectValid(answer: Answer, operation: string): Promise<void> {
  expect(await violations(answer, operation), `${operation} ${answer.status} ${answer.text}`).toEqual([]);
  expect(answer.headers.get('cache-control')).toBe('no-store');
}

/** The statuses the spec documents for `operation`, ascending. */
export function documented(mock: Mock, operation: string): number[] {
  const found = mock.contract.operations.get(operation);
  if (!found) throw new Error(`the spec has no operation ${operation}`);
  return [...found.statuses];
}

/**
 * Runs a property over `arbitrary` against `target`: each request's world is prepared (`prepare`: users, tokens,
 * links it needs, made before its fault is armed, so the fault meets only the request), its fault armed (then
 * cleared), its answer checked with `expectValid` and its status recorded. Resolves the statuses seen, ascending.
 */
export async function answersHold<R extends { readonly fault: FaultChoice }, P = undefined>(options: {
  readonly operation: string;
  readonly arbitrary: fc.Arbitrary<R>;
  readonly numRuns: number;
  readonly seed: number;
  readonly target: (request: R) => Mock;
  readonly prepare?: (request: R, target: Mock) => Promise<P>;
  readonly request: (request: R, target: Mock, prepared: P) => Promise<Answer>;
  /** Called with every valid answer (after the check), e.g. to note that a real success happened. */
  readonly seen?: (answer: Answer, request: R) => void;
}): Promise<number[]> {
  const statuses = new Set<number>();
  await fc.assert(
    fc.asyncProperty(options.arbitrary, async (r) => {
      const target = options.target(r);
      const prepared = (await options.prepare?.(r, target)) as P;
      await armFault(target, r.fault);
      try {
        const answer = await options.request(r, target, prepared);
        statuses.add(answer.status);
        await expectValid(answer, options.operation);
        options.seen?.(answer, r);
      } finally {
        await target.faults.clear();
      }
    }),
    { numRuns: options.numRuns, seed: options.seed },
  );
  return [...statuses].sort((a, b) => a - b);
}
