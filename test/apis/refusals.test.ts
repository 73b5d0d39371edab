// What `start` refuses about mounted documents, through the real CLI: exit 2 and a message naming what is wrong.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { BIN } from '../support/bin.ts';
import { runCli } from '../support/cli.ts';
import { CASE_SERVICE, WIDGET_SERVICE } from '../support/documents.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'wam-apis-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

type Doc = { info: { title: string }; servers: { url: string }[]; paths: Record<string, Record<string, { operationId?: string }>> };

/** The Widget Service document changed by `change`, written to a scratch file: its path. */
async function widgetsWith(name: string, change: (doc: Doc) => void): Promise<string> {
  const doc = parse(await readFile(WIDGET_SERVICE, 'utf8')) as Doc;
  change(doc);
  const file = join(scratch, name);
  await writeFile(file, stringify(doc));
  return file;
}

const start = (...args: string[]) => runCli(['start', '--port', '0', '--log', 'off', ...args]);

describe('start refuses, with exit 2 and a message naming what is wrong', () => {
  it('a route two documents share, naming both', async () => {
    const gadgets = await widgetsWith('gadgets-same-paths.yaml', (doc) => {
      doc.info.title = 'Gadget Service';
      for (const item of Object.values(doc.paths))
        for (const operation of Object.values(item)) if (operation.operationId) operation.operationId += 'ForGadgets';
    });
    const run = await start('--api', WIDGET_SERVICE, '--api', gadgets);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Gadget Service (${gadgets}) and Widget Service (${WIDGET_SERVICE}) both serve GET /widgets/v2/accounts/{accountId}/widgets`);
  });

  it('an operation name two documents share, naming both', async () => {
    const gadgets = await widgetsWith('gadgets-same-names.yaml', (doc) => {
      doc.info.title = 'Gadget Service';
      doc.servers = [{ url: 'https://gadgets.example.com/gadgets/v1' }];
    });
    const run = await start('--api', WIDGET_SERVICE, '--api', gadgets);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Gadget Service (${gadgets}) and Widget Service (${WIDGET_SERVICE}) both have an operation named listWidgets`);
  });

  it('a route of the Auth Service, naming the bundled spec', async () => {
    const auth = await widgetsWith('under-auth.yaml', (doc) => {
      doc.servers = [{ url: 'http://localhost/auth/api/v1' }];
      doc.paths = { '/customer/logout': { post: { operationId: 'signOut', responses: { '200': { description: 'OK' } } } as never } };
    });
    const run = await start('--api', auth);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Widget Service (${auth}) and Auth Service (the bundled spec) both serve POST /auth/api/v1/customer/logout`);
  });

  it.each([
    ['a file that is not there', join('/nonexistent', 'case.yaml'), /cannot read the OpenAPI document/],
    ['a file that is not YAML', 'not-yaml.yaml', /is not valid YAML/],
    ['a YAML file that is no OpenAPI document', 'no-openapi.yaml', /not an OpenAPI document/],
    ['a text file (YAML reads it as one string)', 'hostname.txt', /is not an OpenAPI document: it reads as a string, not a mapping/],
  ])('an unreadable document (%s), naming --api and the file', async (_what, name, why) => {
    const file = name.startsWith('/') ? name : join(scratch, name);
    if (name === 'not-yaml.yaml') await writeFile(file, 'openapi: [3.1.0\n  paths: {');
    if (name === 'no-openapi.yaml') await writeFile(file, 'name: worth-auth-mock\nversion: 1.0.0\n');
    if (name === 'hostname.txt') await writeFile(file, 'build-host-17\n');
    const run = await start('--api', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--api ${file}: `);
    expect(run.stderr).toMatch(why);
  });

  it.each([
    ['a mode that is none of verify, presence, off', ['--api-gate', '/case/api/v1=strict'], '--api-gate must be one of verify, presence, off, got "strict"'],
    ['no base path', ['--api-gate', 'case=off'], '--api-gate must be <basePath>=<mode> (e.g. /case/api/v1=...), got "case=off"'],
    [
      'a base path no mounted document has',
      ['--api-gate', '/case/api/v2=off'],
      '--api-gate /case/api/v2: no mounted document has this base path (mounted: /case/api/v1)',
    ],
  ])('a bad --api-gate: %s', async (_what, flags, message) => {
    const run = await start('--api', CASE_SERVICE, ...flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it.each([
    ['no parameter', ['--api-bind', '/widgets/v2='], '--api-bind must be a non-empty string'],
    [
      'a base path no mounted document has',
      ['--api-bind', '/gadgets/v1=accountId'],
      '--api-bind /gadgets/v1: no mounted document has this base path (mounted: /widgets/v2)',
    ],
    [
      'a parameter no path of the document has',
      ['--api-bind', '/widgets/v2=accountID'],
      '--api-bind /widgets/v2=accountID: no path of Widget Service has the parameter {accountID} (its path parameters: accountId, widgetId)',
    ],
  ])('a bad --api-bind: %s', async (_what, flags, message) => {
    const run = await start('--api', WIDGET_SERVICE, ...flags);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

it('the real bin, spawned, exits 2 for a clash, naming both documents on stderr', async () => {
  const gadgets = await widgetsWith('gadgets-bin.yaml', (doc) => {
    doc.info.title = 'Gadget Service';
    doc.servers = [{ url: 'https://gadgets.example.com/gadgets/v1' }];
  });
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--api', WIDGET_SERVICE, '--api', gadgets], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain(`Gadget Service (${gadgets}) and Widget Service (${WIDGET_SERVICE}) both have an operation named listWidgets`);
});
