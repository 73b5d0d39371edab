// The bundled OpenAPI document as Prism reads it: the twelve Auth Service operations by operationId, and every example
// of a request or response body either valid against its schema or named in its media type's x-example-fails-schema.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHttpOperationsFromSpec } from '@stoplight/prism-http';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_SPEC_PATH } from '../../src/contract/document.ts';
import { AUTH_OPERATION_NAMES } from '../../src/operations/index.ts';
import { mockOn } from '../support/mock.ts';
import { checkExamples, EXAMPLE_NOTE, type ExampleReading, type MediaTypeExamples, notePointers } from '../support/spec-examples.ts';

/** Each operation as its reference page gives it: operationId (the mock's name), method, path, security scheme. */
const OPERATIONS = [
  ['sign-in', 'post', '/customer/sign-in', undefined],
  ['refresh', 'post', '/refresh-token/customer', undefined],
  ['logout', 'post', '/customer/logout', 'bearerAuth'],
  ['forgot-password', 'post', '/forgot-password', undefined],
  ['reset-password', 'post', '/reset-password', undefined],
  ['accept-invitation', 'post', '/invite/{inviteToken}/accept', undefined],
  ['get-customer-users', 'get', '/customers/{customerID}/users', 'bearerAuth'],
  ['create-customer-user', 'post', '/customers/{customerID}/users', 'bearerAuth'],
  ['get-customer-user', 'get', '/customers/{customerID}/users/{userID}', 'bearerAuth'],
  ['update-customer-user', 'patch', '/customers/{customerID}/users/{userID}', 'bearerAuth'],
  ['resend-invitation', 'post', '/customers/{customerID}/users/{userID}/resend-invite', 'bearerAuth'],
  ['get-customer-subroles', 'get', '/customers/{customerID}/subroles', 'bearerAuth'],
] as const;

type PrismOperation = { iid?: string; method: string; path: string; security?: { key: string }[][] };

let operations: PrismOperation[];
beforeAll(async () => {
  operations = (await getHttpOperationsFromSpec(DEFAULT_SPEC_PATH)) as unknown as PrismOperation[];
});

describe('Prism loads the document', () => {
  it('and finds exactly the twelve operationIds, each with the method and path of its page', () => {
    const found = operations.map((o) => [o.iid, o.method, o.path]);
    expect(found.toSorted()).toEqual(OPERATIONS.map(([id, method, path]) => [id, method, path]).toSorted());
  });

  it("and the mock's list of operations names each of them once, by its operationId", () => {
    expect(AUTH_OPERATION_NAMES.toSorted()).toEqual(operations.map((o) => o.iid).toSorted());
  });

  it.each(OPERATIONS)('%s: security as the page gives it (%s %s: %s)', (id, _method, _path, scheme) => {
    const operation = operations.find((o) => o.iid === id);
    expect(operation?.security?.map((alternative) => alternative.map((s) => s.key))).toEqual(scheme === undefined ? [] : [[scheme]]);
  });
});

/** A media type's verdict in a form whose diff reads well: where, what the note names, what fails. */
const verdict = (m: MediaTypeExamples) => ({ media: m.media, noted: m.noted.toSorted(), failing: m.failures.map((f) => f.path).toSorted() });

describe(`every example of a body validates against its schema, or ${EXAMPLE_NOTE} names it`, () => {
  it('as Prism reads the document: each note names exactly the failing values (no stale entry), and sits on a media type', async () => {
    const media = await checkExamples(DEFAULT_SPEC_PATH, 'prism');
    // The walk reached every operation's bodies, and the notes are not all empty.
    expect(new Set(media.flatMap((m) => m.operations))).toEqual(new Set(OPERATIONS.map(([id]) => id)));
    expect(media.some((m) => m.noted.length > 0)).toBe(true);
    expect(media.map(verdict).filter((v) => v.noted.join('\n') !== v.failing.join('\n'))).toEqual([]);
    const where = new Set(media.map((m) => m.media));
    expect((await notePointers(DEFAULT_SPEC_PATH)).filter((pointer) => !where.has(pointer))).toEqual([]);
  });

  it('a plain JSON Schema 2020-12 reading also fails the nulls under `nullable: true`, and nothing else (Prism reads them as a null type)', async () => {
    const failing = async (reading: ExampleReading) =>
      (await checkExamples(DEFAULT_SPEC_PATH, reading)).flatMap((m) => m.failures.map((f) => `${m.operations.join(',')} ${f.path}`));
    const underPrism = new Set(await failing('prism'));
    const onlyStrict = (await failing('json-schema-2020-12')).filter((where) => !underPrism.has(where));
    expect(onlyStrict.toSorted()).toEqual(
      [
        'get-customer-users /example/data/records/0/mobile',
        'get-customer-user /example/data/mobile',
        'get-customer-user /example/data/company_details/contact_number',
      ].toSorted(),
    );
  });
});

describe('a document given with --spec', () => {
  it('that leaves out a status an operation answers with is refused at start, naming the operation and the status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wam-spec-'));
    try {
      const spec = parseYaml(await readFile(DEFAULT_SPEC_PATH, 'utf8'));
      delete spec.paths['/customer/logout'].post.responses['403'];
      const specPath = join(dir, 'spec.yaml');
      await writeFile(specPath, stringifyYaml(spec));
      await expect(mockOn({ specPath })).rejects.toThrow('logout must document 403: its decision answers with them');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
