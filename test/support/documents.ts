import { fileURLToPath } from 'node:url';
import { type Contract, loadContract, type OperationContract } from '../../src/contract/contract.ts';
import { createSpecValidator, type SpecValidator } from '../../src/contract/validator.ts';
import type { Mock } from '../../src/mock.ts';
import { type Answer, DEMO, read, signedIn, violations } from './mock.ts';

/** The Case Service document the tests mount (seven transcribed pages; global `security: - bearer: []`). */
export const CASE_SERVICE = fileURLToPath(new URL('../fixtures/case-service.openapi.yaml', import.meta.url));
/** A tiny document of the tests' own: a scheme named `jwt`, the customer as `accountId`, every kind of `security`. */
export const WIDGET_SERVICE = fileURLToPath(new URL('../fixtures/widget-service.openapi.yaml', import.meta.url));

/** The demo customer's id (its owner is `customer@example.com`), and the other customer the Case examples name. */
export const DEMO_CUSTOMER = '00000000-0000-4000-8000-000000000003';
export const OTHER_CUSTOMER = '00000000-0000-4000-8000-000000000012';

const contracts = new Map<string, Promise<Contract>>();
const validators = new Map<string, Promise<SpecValidator>>();

/** A document's contract and Prism's validators over it, each loaded once per test file. */
function documentOf(file: string): { contract: Promise<Contract>; validator: Promise<SpecValidator> } {
  if (!contracts.has(file)) contracts.set(file, loadContract(file));
  if (!validators.has(file)) validators.set(file, createSpecValidator(file));
  return { contract: contracts.get(file) as Promise<Contract>, validator: validators.get(file) as Promise<SpecValidator> };
}

/** What these helpers read of a mock: its root, its operations' URLs, its documents. A Mock has them; `viewOf` reads them from one the CLI started. */
export type MockView = Pick<Mock, 'url' | 'urls' | 'apis'>;

/** The view of a running mock at `url` (from `GET /__mock/health`), its mounted documents' files among `files`. */
export async function viewOf(url: string, files: readonly string[]): Promise<MockView> {
  const health = (await (await fetch(`${url}/__mock/health`)).json()) as { apis: Mock['apis']; operations: { name: string; path: string }[] };
  const bases = new Map(await Promise.all(files.map(async (file) => [(await documentOf(file).contract).basePath, file] as const)));
  return {
    url,
    urls: Object.fromEntries(health.operations.map(({ name, path }) => [name, `${url}${path}`])) as Mock['urls'],
    apis: health.apis.map((api) => ({ ...api, file: api.title === 'Auth Service' ? undefined : bases.get(api.basePath) })),
  };
}

/** The mounted operation `name` as its document writes it, and the document's file, found through what the mock serves. */
async function mountedOperation(mock: MockView, name: string): Promise<{ file: string; found: OperationContract }> {
  const url = mock.urls[name];
  if (url === undefined) throw new Error(`the mock serves no operation named ${name}`);
  const path = new URL(url.replace(/[{}]/g, '_')).pathname;
  const document = mock.apis
    .filter((api) => api.file !== undefined && path.startsWith(`${api.basePath}/`))
    .sort((a, b) => b.basePath.length - a.basePath.length)[0];
  if (document?.file === undefined) throw new Error(`${name} is no mounted document's operation`);
  const found = (await documentOf(document.file).contract).operations.get(name);
  if (found === undefined) throw new Error(`${document.file} has no operation ${name}`);
  return { file: document.file, found };
}

/**
 * The violations Prism's validator finds in an answer of the mounted operation `name`, against its own document (empty
 * = it matches). A status the document does not document (the gate's 401 or 403) must say so in `X-Mock-Reason` and
 * carry the Auth Service's shared body for that status, which is then what it is checked against.
 */
export async function mountedViolations(mock: MockView, answer: Answer, name: string): Promise<string[]> {
  const { file, found } = await mountedOperation(mock, name);
  if (found.statuses.includes(answer.status)) {
    const validator = await documentOf(file).validator;
    return validator.validateResponse(found.method, found.path, { status: answer.status, headers: Object.fromEntries(answer.headers), body: answer.body });
  }
  const said = `(${answer.status} is not documented for ${name})`;
  const flagged = (answer.headers.get('x-mock-reason') ?? '').endsWith(said) ? [] : [`X-Mock-Reason does not end with "${said}"`];
  return [...flagged, ...(await violations(answer, 'logout'))];
}

/** What a call to a mounted operation carries: its path parameters, a bearer, more headers, a JSON body. */
export type MountedCall = { params?: Record<string, string>; token?: string; headers?: Record<string, string>; json?: unknown; method?: string };

/** Calls the mounted operation `name` (its method from its document, its URL from `mock.urls`) and reads the whole answer. */
export async function callMounted(mock: MockView, name: string, call: MountedCall = {}): Promise<Answer> {
  const { found } = await mountedOperation(mock, name);
  const url = (mock.urls[name] as string).replace(/\{([^}]+)\}/g, (_, param: string) => encodeURIComponent(call.params?.[param] ?? `${param}-1`));
  const headers: Record<string, string> = {
    ...(call.token === undefined ? {} : { authorization: `Bearer ${call.token}` }),
    ...(call.json === undefined ? {} : { 'content-type': 'application/json' }),
    ...call.headers,
  };
  const body = call.json === undefined ? undefined : JSON.stringify(call.json);
  return read(await fetch(url, { method: call.method ?? found.method.toUpperCase(), headers, body }));
}

/** Signs in as the demo customer through the mock's sign-in operation: its id, access and refresh tokens. */
export async function signInDemo(mock: MockView): Promise<{ idToken: string; accessToken: string; refreshToken: string }> {
  const answer = await fetch(mock.urls['sign-in'] as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO.email, password: DEMO.password }),
  });
  const { idToken, accessToken, refreshToken } = signedIn(await read(answer));
  return { idToken, accessToken, refreshToken };
}

/** An id token of another customer, minted by the control API (`POST /__mock/tokens`: its user is none the mock has). */
export async function otherCustomersToken(mock: MockView, customer: string): Promise<string> {
  const answer = await fetch(`${mock.url}/__mock/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customer_id: customer }),
  });
  if (!answer.ok) throw new Error(`POST /__mock/tokens answered ${answer.status}`);
  return ((await answer.json()) as { idToken: string }).idToken;
}
