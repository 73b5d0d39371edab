// `check --api FILE`: per document to mount, the operations whose bearer requirement the gate answers with a status
// the document does not document (401 for all; 403 where {customerID} names the customer), and the examples that fail
// their own schema. Notes, not failures: the pact check's verdict is the pacts' alone.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/pact/check.ts';
import { runCli } from '../support/cli.ts';
import { CASE_SERVICE, WIDGET_SERVICE } from '../support/documents.ts';
import { COMMITTED_PACT, pactWith } from '../support/pact-edit.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'wam-check-apis-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const UNAUTHORIZED = { status: 401, why: 'a missing, invalid, expired or logged-out token' };
const FORBIDDEN = { status: 403, why: "another customer's {customerID}" };

describe('check --api', () => {
  it('notes, per document, the gate’s undocumented 401 and 403 by operation and the examples failing their schema; the verdict stays the pacts’', async () => {
    const run = await runCli(['check', '--pact', COMMITTED_PACT, '--api', CASE_SERVICE, '--api', WIDGET_SERVICE, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.result).toBe('passed');
    expect(report.apis).toEqual([
      {
        title: 'Case Service',
        file: relative(process.cwd(), CASE_SERVICE),
        basePath: '/case/api/v1',
        undocumented: [
          { operation: 'GetCustomerCases', statuses: [UNAUTHORIZED, FORBIDDEN] },
          { operation: 'GetCustomerCaseByID', statuses: [UNAUTHORIZED, FORBIDDEN] },
          // It documents the customer-mismatch 403 (AccessMiddlewareError).
          { operation: "GetCustomer'sBusinessCases", statuses: [UNAUTHORIZED] },
          { operation: 'GetRelatedBusinesses', statuses: [UNAUTHORIZED, FORBIDDEN] },
          { operation: 'SendBusinessInvite', statuses: [UNAUTHORIZED, FORBIDDEN] },
          // GetCustomerBusinesses is public; AddBusiness documents its 401.
          { operation: 'AddBusiness', statuses: [FORBIDDEN] },
        ],
        problems: [
          expect.stringMatching(/^AddBusiness: the 400 example "default" fails its own schema \(.+\): a body generated from the schema is sent instead$/),
        ],
      },
      {
        title: 'Widget Service',
        file: relative(process.cwd(), WIDGET_SERVICE),
        basePath: '/widgets/v2',
        // listWidgets documents its 401; createWidget (an API key will do) and getStatus are public; no path names {customerID}.
        undocumented: [
          { operation: 'get /accounts/{accountId}/widgets/{widgetId}', statuses: [UNAUTHORIZED] },
          { operation: 'deleteWidget', statuses: [UNAUTHORIZED] },
        ],
        problems: [],
      },
    ]);
  });

  it('prints the notes after the verdict', async () => {
    const run = await runCli(['check', '--pact', COMMITTED_PACT, '--api', CASE_SERVICE]);
    expect(run.code).toBe(0);
    const after = run.stdout.slice(run.stdout.indexOf('Pact check passed'));
    expect(after).toMatch(/^ {2}Case Service \(.*case-service\.openapi\.yaml\) under \/case\/api\/v1$/m);
    expect(after).toMatch(/^ {4}note: GetCustomerCases +401 \(a missing, invalid, expired or logged-out token\), 403 \(another customer's \{customerID\}\)$/m);
    expect(after).toMatch(/^ {4}note: AddBusiness +403 \(another customer's \{customerID\}\)$/m);
    expect(after).toMatch(/^ {4}note: AddBusiness: the 400 example "default" fails its own schema/m);
    expect(after).not.toMatch(/GetCustomerBusinesses/);
  });

  it('a failing pact still fails, with the notes printed; without --api, no notes', async () => {
    const pact = await pactWith(scratch, 'a logout without a token', (interaction) => void (interaction.response.status = 404));
    const run = await runCli(['check', '--pact', pact, '--api', WIDGET_SERVICE]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Pact check FAILED');
    expect(run.stdout).toMatch(/note: deleteWidget +401/);
    const plain = JSON.parse((await runCli(['check', '--pact', COMMITTED_PACT, '--json'])).stdout) as CheckReport;
    expect(plain.apis).toBeUndefined();
  });

  it('an --api that cannot be read exits 2, naming --api and the file', async () => {
    const file = join(scratch, 'not-openapi.yaml');
    await writeFile(file, 'just: a map\n');
    const run = await runCli(['check', '--pact', COMMITTED_PACT, '--api', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--api ${file}: not an OpenAPI document`);
  });
});
