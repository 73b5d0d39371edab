import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_SPEC_PATH } from '../../src/contract/document.ts';
import { NETWORK_FAULTS } from '../../src/faults/fault.ts';
import type { Mock } from '../../src/mock.ts';
import { AUTH_OPERATION_NAMES } from '../../src/operations/index.ts';
import { TOKEN_KINDS } from '../../src/tokens/issuer.ts';
import { DEMO_USER } from '../../src/users/user.ts';
import { CHROMIUM_ARGS, findChromium, launchChromium } from '../support/chromium.ts';
import { type CustomerApp, startCustomerApp } from '../support/customer-app.ts';
import { type Answer, logout, mockOn, read } from '../support/mock.ts';

const SCREENSHOT = fileURLToPath(new URL('../../docs/panel.png', import.meta.url));
/** Set by `npm run screenshots`: only then is docs/panel.png rewritten, so a plain test run leaves the work tree clean. */
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';
const VIEWPORT = { width: 1280, height: 800 };
const WAIT = { timeout: 10_000 };

let browser: Browser;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A mock, the customer app on another origin, and a fresh browser context; all closed after the test. */
async function setUp(options: Parameters<typeof mockOn>[0] = {}): Promise<{ mock: Mock; app: CustomerApp; context: BrowserContext; problems: string[] }> {
  const mock = await mockOn(options);
  cleanups.push(() => mock.close());
  const app = await startCustomerApp(mock.urls.logout);
  cleanups.push(() => app.close());
  const context = await browser.newContext({ viewport: VIEWPORT });
  cleanups.push(() => context.close());
  context.setDefaultTimeout(WAIT.timeout);
  // Console errors include CSP refusals, CORS refusals and failed loads. The panel must cause none; the
  // app may only log the error statuses it was sent on purpose (Chromium logs every 4xx/5xx fetch).
  const problems: string[] = [];
  context.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.page()?.url() ?? '';
    if (url.startsWith(app.origin) && /^Failed to load resource: the server responded with a status of \d+/.test(message.text())) return;
    problems.push(`${url}: ${message.text()}`);
  });
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  return { mock, app, context, problems };
}

async function openPanel(context: BrowserContext, mock: Mock, path = '/__mock/'): Promise<Page> {
  const panel = await context.newPage();
  await panel.goto(`${mock.url}${path}`);
  await panel.locator('#connection[data-state="live"]').waitFor();
  return panel;
}

async function openApp(context: BrowserContext, app: CustomerApp, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(app.url);
  await page.getByLabel('Access token').fill(token);
  return page;
}

/** Clicks the app's "Log out" and reads what its `fetch` saw (attempt `n`, 1-based). */
async function logOutFromApp(page: Page, n: number): Promise<{ state: string | null; status: number; reason: string | null; fault: string | null }> {
  await page.getByRole('button', { name: 'Log out' }).click();
  return attempt(page, n);
}

async function attempt(page: Page, n: number) {
  const item = page.locator(`#attempts li:nth-child(${n}):not([data-state="pending"])`);
  await item.waitFor();
  return {
    state: await item.getAttribute('data-state'),
    status: Number(await item.getAttribute('data-status')),
    reason: await item.getAttribute('data-reason'),
    fault: await item.getAttribute('data-fault'),
  };
}

/** The panel's journal row cells, as a QA engineer reads them. */
async function journalRow(
  panel: Page,
  hasText: string,
  nth = 0,
): Promise<{ operation: string; status: string; reason: string; fault: string; customer: string; session: string }> {
  const row = panel.locator('#journal-rows tr', { hasText }).nth(nth);
  await row.waitFor();
  const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
  // The fault is named in the reason cell; the row carries its id.
  const fault = (await row.getAttribute('data-fault')) ?? '—';
  return { operation: cells[1]!, status: cells[2]!, reason: cells[3]!, fault, customer: cells[4]!, session: cells[5]! };
}

function sessionStatus(panel: Page, hasText: string) {
  return panel.locator('#sessions-rows tr', { hasText }).getByRole('cell').nth(4);
}

/** A cell of the armed faults' row for this fault: 0 #, 1 fault, 2 answer, 3 left, 4 scope, 5 hits, 6 expires. */
function faultCell(panel: Page, id: string, cell: number) {
  return panel.locator('#faults-rows tr', { hasText: id }).getByRole('cell').nth(cell);
}

/** A real POST to the mock's sign-in URL, as an app's login screen sends it. */
async function signIn(mock: Mock, email: string, password: string): Promise<Answer> {
  const response = await fetch(mock.urls['sign-in']!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return read(response);
}

/** A real POST to the mock's refresh URL with the refresh token in the body. */
async function refresh(mock: Mock, refreshToken: string): Promise<Answer> {
  const response = await fetch(mock.urls.refresh!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  return read(response);
}

describe('QA panel, in Chromium', () => {
  it('arms a 500 from the panel (keyboard); the customer app on another origin gets it and the journal shows it', async () => {
    const { mock, app, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const { token } = await mock.issueToken({ sub: 'cust-500' });

    await panel.getByLabel('Times').fill('1');
    await panel.getByRole('button', { name: 'Arm 500' }).focus();
    await panel.keyboard.press('Enter');

    // The page armed it through the public control API: a script sees exactly that fault.
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    const [fault] = await mock.faults.list();
    expect(fault).toMatchObject({ status: 500, network: null, remaining: 1, match: {} });
    const faultRow = panel.locator('#faults-rows tr', { hasText: fault!.id });
    await expect.poll(() => faultCell(panel, fault!.id, 3).textContent(), WAIT).toBe('1×');

    const customer = await openApp(context, app, token);
    const seen = await logOutFromApp(customer, 1);
    expect(seen).toEqual({ state: 'done', status: 500, reason: `fault ${fault!.id} armed`, fault: fault!.id });

    const row = await journalRow(panel, fault!.id);
    expect(row).toMatchObject({ operation: 'logout', status: '500', fault: fault!.id, customer: 'cust-500', session: 'customer-app' });
    // Spent: the fault leaves the armed list, and the next logout is the normal one.
    await faultRow.waitFor({ state: 'detached' });
    await expect(panel.locator('#faults-empty').isVisible()).resolves.toBe(true);
    expect((await logOutFromApp(customer, 2)).status).toBe(200);
    expect((await journalRow(panel, 'logged out')).status).toBe('200');
    expect(problems).toEqual([]);
  });

  it('mints a token in the panel, copies it, and the app logs it out twice: 200 then 401', async () => {
    const { mock, app, context, problems } = await setUp();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: mock.url });
    const panel = await openPanel(context, mock);

    const mint = panel.locator('#mint-form');
    await mint.getByLabel('Customer (sub)').fill('cust-minted');
    await mint.getByLabel('Kind').selectOption('valid');
    await panel.getByRole('button', { name: 'Mint token' }).click();
    const bearer = panel.getByLabel('Bearer token');
    await expect.poll(() => bearer.inputValue(), WAIT).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const token = await bearer.inputValue();
    await panel.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => panel.evaluate('navigator.clipboard.readText()'), WAIT).toBe(token);
    await expect.poll(() => sessionStatus(panel, 'cust-minted').textContent(), WAIT).toBe('active');

    const customer = await openApp(context, app, token);
    expect(await logOutFromApp(customer, 1)).toMatchObject({ state: 'done', status: 200, fault: '' });
    expect(await logOutFromApp(customer, 2)).toMatchObject({ state: 'done', status: 401, reason: 'token has been revoked' });

    // Newest first: the 401 above the 200, both for this customer and this browser's session cookie.
    expect(await journalRow(panel, 'token has been revoked')).toMatchObject({ status: '401', customer: 'cust-minted', session: 'customer-app' });
    expect(await journalRow(panel, 'cust-minted', 1)).toMatchObject({ status: '200', customer: 'cust-minted' });
    await expect.poll(() => sessionStatus(panel, 'cust-minted').textContent(), WAIT).toBe('logged out');
    expect(problems).toEqual([]);
  });

  it('holds a logout with "hang until disarmed" and lets it through when the fault is disarmed from the panel', async () => {
    const { mock, app, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const { token } = await mock.issueToken({ sub: 'cust-held' });

    await panel.getByRole('checkbox', { name: 'until disarmed' }).check();
    await panel.getByRole('button', { name: 'Arm network fault hang' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    const [fault] = await mock.faults.list();
    expect(fault).toMatchObject({ network: 'hang', remaining: null });
    const faultRow = panel.locator('#faults-rows tr', { hasText: fault!.id });
    await expect.poll(() => faultCell(panel, fault!.id, 3).textContent(), WAIT).toBe('∞ until disarmed');

    const customer = await openApp(context, app, token);
    await customer.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => faultCell(panel, fault!.id, 5).textContent(), WAIT).toBe('1');
    expect(await customer.locator('#attempts li').first().getAttribute('data-state')).toBe('pending');

    await panel.getByRole('button', { name: `Disarm ${fault!.id}` }).click();
    expect(await attempt(customer, 1)).toMatchObject({ state: 'done', status: 200, fault: fault!.id });
    await faultRow.waitFor({ state: 'detached' });
    expect(await mock.faults.list()).toEqual([]);
    expect(await journalRow(panel, fault!.id)).toMatchObject({ status: '200', customer: 'cust-held' });
    // The focused Disarm button went away with its row: focus lands on the section, not on <body>.
    expect(await panel.evaluate('document.activeElement.id')).toBe('faults-heading');
    expect(problems).toEqual([]);
  });

  it('builds its buttons from the spec the mock was started with (a status added there appears), escaping what the spec says', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'panel-spec-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const spec = parseYaml(await readFile(DEFAULT_SPEC_PATH, 'utf8'));
    const responses = spec.paths['/customer/logout'].post.responses;
    const hostile = 'Too Many </script><img src=x onerror=alert(1)> Requests';
    responses['429'] = { description: hostile, content: { 'application/json': { example: { message: 'Too Many Requests', errorCode: 'ERR_RATE_LIMIT' } } } };
    const specPath = join(dir, 'spec.yaml');
    await writeFile(specPath, stringifyYaml(spec));

    const { mock, context, problems } = await setUp({ specPath });
    const panel = await openPanel(context, mock);
    const statusesOffered = async (legend: string) => {
      const buttons = await panel.getByRole('group', { name: legend }).getByRole('button').all();
      return Promise.all(buttons.map((b) => b.getAttribute('data-status')));
    };
    const statuses = await statusesOffered('Answer with a documented Logout status');
    expect(statuses.map(Number)).toEqual([...mock.contract.operations.get('logout')!.statuses]);
    expect(statuses).toEqual(['200', '400', '401', '403', '429', '500']);
    await expect(panel.getByRole('button', { name: `Arm 429 ${hostile}` }).count()).resolves.toBe(1);
    await expect(panel.locator('img').count()).resolves.toBe(0);
    // The buttons follow the chosen operation: sign-in does not document 429, so neither it nor "every operation" offers it.
    const operation = panel.getByLabel('Operation', { exact: true });
    // Every operation the mock serves, the one a fault targets when it names none first, then every operation (*).
    expect(await operation.locator('option').evaluateAll((options) => options.map((o) => o.getAttribute('value')))).toEqual([
      'logout',
      ...AUTH_OPERATION_NAMES.filter((name) => name !== 'logout'),
      '*',
    ]);
    await operation.selectOption('sign-in');
    expect(await statusesOffered('Answer with a documented Sign In status')).toEqual(['200', '400', '401', '403', '500']);
    await operation.selectOption('*');
    expect(await statusesOffered('Answer with a status all operations document')).toEqual(['200', '400', '401', '403', '500']);
    await operation.selectOption('logout');

    const network = await Promise.all((await panel.locator('[data-network]').all()).map((b) => b.getAttribute('data-network')));
    expect(network).toEqual([...NETWORK_FAULTS]);
    const kinds = await Promise.all((await panel.getByLabel('Kind').locator('option').all()).map((o) => o.getAttribute('value')));
    expect(kinds).toEqual([...TOKEN_KINDS]);

    await panel.getByRole('button', { name: 'Arm 429' }).click();
    await expect.poll(async () => (await mock.faults.list()).map((f) => f.status), WAIT).toEqual([429]);
    expect(problems).toEqual([]);
  });

  it('asks for the admin token when the mock has one, sends it on every call and keeps it for the tab', async () => {
    const adminToken = 'panel-admin-secret';
    const { mock, context, problems } = await setUp({ adminToken });
    const panel = await context.newPage();
    const refused: number[] = [];
    panel.on('response', (response) => {
      if (response.status() === 401 && response.url().includes('/__mock/')) refused.push(401);
    });
    await panel.goto(`${mock.url}/__mock`);
    await panel.locator('#connection[data-state="locked"]').waitFor();
    await panel.getByRole('alert').waitFor();
    expect(refused.length).toBeGreaterThan(0);

    await panel.getByRole('button', { name: 'Arm 401' }).click();
    await panel.locator('#arm-message.error').waitFor();
    expect(await mock.faults.list()).toEqual([]);

    await panel.getByLabel('Admin token').fill(adminToken);
    await panel.getByRole('button', { name: 'Use', exact: true }).click();
    await panel.locator('#connection[data-state="live"]').waitFor();
    await expect(panel.getByRole('alert').isVisible()).resolves.toBe(false);
    await panel.getByRole('button', { name: 'Arm 401' }).click();
    await expect.poll(async () => (await mock.faults.list()).map((f) => f.status), WAIT).toEqual([401]);

    await panel.reload();
    await panel.locator('#connection[data-state="live"]').waitFor();
    await expect(panel.locator('#faults-rows tr').count()).resolves.toBe(1);
    // The 401s logged before the token was given are the only console errors allowed here.
    expect(problems.filter((p) => !p.includes('401'))).toEqual([]);
  });

  it('never shows LIVE while its calls are refused for want of the admin token (the 401 of a mock that has one), over several polls', async () => {
    const { mock, context } = await setUp({ adminToken: 'panel-admin-secret' });
    const panel = await context.newPage();
    const answers: number[] = [];
    panel.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/__mock/') && path !== '/__mock/') answers.push(response.status());
    });
    await panel.goto(`${mock.url}/__mock/`);
    const states = new Set<string | null>();
    // Two poll rounds at least (every 3 s while locked).
    for (let i = 0; i < 16; i++) {
      states.add(await panel.locator('#connection').getAttribute('data-state'));
      await panel.waitForTimeout(250);
    }
    expect(answers.length).toBeGreaterThanOrEqual(10);
    expect(new Set(answers)).toEqual(new Set([401]));
    expect(states.has('live')).toBe(false);
    expect(await panel.locator('#connection-text').textContent()).toBe('admin token needed');
    expect(await panel.getByRole('alert').textContent()).toMatch(/enter it in “Admin token” above/);
  });

  it('reached by a name not of this machine, a mock without an admin token refuses its calls (403): the panel says why and how, never LIVE', async () => {
    const mock = await mockOn();
    cleanups.push(() => mock.close());
    // A name that is not loopback, as a colleague's machine or a container network would reach the mock by.
    const remote = await chromium.launch({
      executablePath: findChromium(),
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP qa-mock.test 127.0.0.1'],
      headless: true,
    });
    cleanups.push(() => remote.close());
    const panel = await (await remote.newContext()).newPage();
    const answers: number[] = [];
    panel.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/__mock/') && path !== '/__mock/') answers.push(response.status());
    });
    await panel.goto(`http://qa-mock.test:${mock.port}/__mock/`);
    await panel.locator('#connection[data-state="locked"]').waitFor(WAIT);
    const states = new Set<string | null>();
    for (let i = 0; i < 16; i++) {
      states.add(await panel.locator('#connection').getAttribute('data-state'));
      await panel.waitForTimeout(250);
    }
    expect(new Set(answers)).toEqual(new Set([403]));
    expect(states).toEqual(new Set(['locked']));
    expect(await panel.locator('#connection-text').textContent()).toBe('refused: not this machine');
    const alert = (await panel.getByRole('alert').textContent()) ?? '';
    expect(alert).toContain(`http://127.0.0.1:${mock.port}/__mock/`);
    expect(alert).toContain('--admin-token');
  });

  it('can be used from the keyboard alone: every control is reached by Tab, in reading order, with a visible focus', async () => {
    const { mock, context, problems } = await setUp();
    await mock.issueToken({ sub: 'cust-tab' });
    await mock.faults.arm({ status: 400, times: 2 });
    const panel = await openPanel(context, mock);
    await panel.locator('#sessions-rows tr').first().waitFor();
    await panel.locator('#faults-rows tr').first().waitFor();

    const stops: { id: string; label: string; outline: string }[] = [];
    for (let i = 0; i < 150; i++) {
      await panel.keyboard.press('Tab');
      const stop = (await panel.evaluate(`(() => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        return { id: e.id, label: e.getAttribute('aria-label') || e.textContent.trim() || e.id, outline: getComputedStyle(e).outlineStyle };
      })()`)) as { id: string; label: string; outline: string } | null;
      if (stop === null || (stops.length > 0 && stop.label === stops[0]!.label && stop.id === stops[0]!.id)) break;
      stops.push(stop);
    }
    const reachable =
      (await panel.evaluate(`[...document.querySelectorAll('a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex="0"]')]
      .filter((e) => e.getClientRects().length > 0).length`)) as number;
    expect(stops.length).toBe(reachable);
    expect(stops.filter((s) => s.outline === 'none')).toEqual([]);
    const at = (label: string) => stops.findIndex((s) => s.label.startsWith(label) || s.id === label);
    const order = [
      'Skip to the journal',
      'admin-token',
      'arm-operation',
      'arm-times',
      'arm-ttl-unit',
      'arm-session',
      'Arm 200',
      'Arm network fault reset',
      'mint-sub',
      'Mint token',
      'Scope faults to customer',
      'Remove user',
      'user-email',
      'user-password',
      'Add user',
      'Disarm all',
      'Pause',
      'Scope faults to sign-in',
      'Expire sign-in',
      'clock-amount',
      'clock-unit',
      'Advance clock',
    ].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(problems).toEqual([]);
  });

  it('arms a sign-in fault from the panel: the buttons follow the operation, the next sign-in answers that status, logout is untouched', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const { token } = await mock.issueToken({ sub: 'cust-signin' });

    await panel.getByLabel('Operation', { exact: true }).selectOption('sign-in');
    // The hints are the sign-in operation's own descriptions from the spec (logout's 400 says "Invalid Request").
    const signInContract = mock.contract.operations.get('sign-in')!;
    await panel.getByRole('button', { name: `Arm 400 ${signInContract.descriptions.get(400)}` }).waitFor();
    await expect(panel.locator('#arm-scope').textContent()).resolves.toBe('Next fault: every Customer Sign In request.');
    await panel.getByRole('button', { name: 'Arm 401' }).click();

    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    const [fault] = await mock.faults.list();
    expect(fault).toMatchObject({ status: 401, remaining: 1, match: { operation: 'sign-in' } });
    await expect.poll(() => faultCell(panel, fault!.id, 4).textContent(), WAIT).toBe('sign-in every request');

    // Logout does not take a sign-in fault; the next sign-in does, and the one after is the normal one.
    expect((await logout(mock, { token })).status).toBe(200);
    const refused = await signIn(mock, DEMO_USER.email, DEMO_USER.password);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-mock-reason')).toBe(`fault ${fault!.id} armed`);
    expect((await signIn(mock, DEMO_USER.email, DEMO_USER.password)).status).toBe(200);

    expect(await journalRow(panel, fault!.id)).toMatchObject({ operation: 'sign-in', status: '401', customer: DEMO_USER.email });
    expect(await journalRow(panel, 'signed in')).toMatchObject({ operation: 'sign-in', status: '200', customer: DEMO_USER.email });
    expect(await journalRow(panel, 'logged out')).toMatchObject({ operation: 'logout', status: '200', customer: 'cust-signin' });
    expect(problems).toEqual([]);
  });

  it('adds a user in the panel, who then signs in with a real POST; the password is never shown; Remove stops the sign-in', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const email = 'qa-ann@example.com';
    const password = 'Panel-Secret-9!';

    await panel.getByLabel('Email', { exact: true }).fill(email);
    await panel.getByLabel('Password', { exact: true }).fill(password);
    await panel.getByLabel('Role', { exact: true }).last().fill('customer');
    await panel.getByRole('button', { name: 'Add user' }).click();
    const row = panel.locator('#users-rows tr', { hasText: email });
    await row.waitFor();
    await expect(panel.locator('#users-result').textContent()).resolves.toBe(`Added ${email} (customer): it can sign in now.`);
    await expect(panel.getByLabel('Password', { exact: true }).inputValue()).resolves.toBe('');
    const [user] = (await mock.users.list()).filter((u) => u.email === email);
    expect(user).toMatchObject({ email, role: 'customer', source: 'runtime' });

    const answer = await signIn(mock, email, password);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ data: { user_details: { email } } });
    expect(await journalRow(panel, email)).toMatchObject({ operation: 'sign-in', status: '200', customer: email });
    await expect.poll(() => sessionStatus(panel, user!.sub).textContent(), WAIT).toBe('active');
    // Nowhere on the page, not even in a form field.
    expect(await panel.content()).not.toContain(password);
    expect(await panel.evaluate(`[...document.querySelectorAll('input')].some((i) => i.value === ${JSON.stringify(password)})`)).toBe(false);

    // A refused user names its field: the email input is marked, the message says what was wrong.
    await panel.getByLabel('Email', { exact: true }).fill('not-an-email');
    await panel.getByLabel('Password', { exact: true }).fill('x');
    await panel.getByRole('button', { name: 'Add user' }).click();
    await panel.locator('#users-result.error').waitFor();
    expect(await panel.locator('#users-result').textContent()).toMatch(/^Not added: email must be an email address/);
    expect(await panel.getByLabel('Email', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await panel.getByRole('button', { name: `Remove user ${email}` }).click();
    await row.waitFor({ state: 'detached' });
    expect((await signIn(mock, email, password)).status).toBe(400);
    // The one console error is Chromium logging the refused POST /__mock/users.
    expect(problems).toEqual([expect.stringMatching(/\/__mock\/: Failed to load resource: the server responded with a status of 400/)]);
  });

  it("shows each user's customer, subrole and status (invited, active, deactivated), and the outbox with the invitation's link, which opens", async () => {
    const { mock, context, problems } = await setUp({ appUrl: 'http://127.0.0.1:9/app' });
    const panel = await openPanel(context, mock);
    const owner = await signIn(mock, 'customer@example.com', 'Sandbox-Password-1');
    const { id_token: bearer, customer_details: customer } = (owner.body as { data: { id_token: string; customer_details: { id: string } } }).data;
    const subroles = await fetch(mock.urls['get-customer-subroles']!.replace('{customerID}', customer.id), { headers: { authorization: `Bearer ${bearer}` } });
    const cro = ((await subroles.json()) as { data: { id: string; code: string; label: string }[] }).data.find((r) => r.code === 'cro');
    const email = 'invitee@example.com';
    const created = await fetch(mock.urls['create-customer-user']!.replace('{customerID}', customer.id), {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ first_name: 'Ivy', last_name: 'Invitee', email, subrole: cro }),
    });
    expect(created.status).toBe(200);
    const userId = ((await created.json()) as { data: { user_id: string } }).data.user_id;

    const row = panel.locator('#users-rows tr', { hasText: email });
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).slice(1, 4)).toEqual(['Sandbox', 'cro', 'invited']);
    const mailed = panel.locator('#outbox-rows tr', { hasText: email });
    await mailed.waitFor();
    expect(await mailed.locator('td').nth(1).textContent()).toBe('invitation');
    const [message] = await mock.outbox({ recipient: email });
    expect(await mailed.getByRole('link', { name: 'Open' }).getAttribute('href')).toBe(message!.link);
    expect(message!.link).toMatch(/^http:\/\/127\.0\.0\.1:9\/app/);

    const patched = await fetch(mock.urls['update-customer-user']!.replace('{customerID}', customer.id).replace('{userID}', userId), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'INACTIVE' }),
    });
    expect(patched.status).toBe(200);
    await expect.poll(() => row.locator('td').nth(3).textContent(), WAIT).toBe('deactivated');
    expect(problems).toEqual([]);
  });

  it('advances the mock clock from the panel: a token minted before answers 401 at logout, and the panel shows the offset', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const { token } = await mock.issueToken({ sub: 'cust-clock' });
    await expect.poll(() => sessionStatus(panel, 'cust-clock').textContent(), WAIT).toBe('active');
    await expect(panel.locator('#clock-offset').textContent()).resolves.toBe('(real time)');

    // Refused input names the field and moves nothing.
    await panel.getByLabel('Advance by', { exact: true }).fill('0');
    await panel.getByRole('button', { name: 'Advance clock' }).click();
    await panel.locator('#clock-result.error').waitFor();
    expect(await panel.locator('#clock-result').textContent()).toMatch(/^Not moved: advanceSeconds must be a whole number of seconds/);
    expect(await panel.getByLabel('Advance by', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(Math.abs(mock.clock.now() - Date.now())).toBeLessThan(5_000);

    await panel.getByLabel('Advance by', { exact: true }).fill('90');
    await panel.getByLabel('Advance by unit').selectOption('minutes');
    await panel.getByRole('button', { name: 'Advance clock' }).click();
    await expect.poll(() => panel.locator('#clock-offset').textContent(), WAIT).toBe('(real time + 1 h 30 min)');
    await expect(panel.locator('#clock-result').textContent()).resolves.toBe("Moved the mock's clock forward 1 h 30 min.");
    expect(Math.round((mock.clock.now() - Date.now()) / 60_000)).toBe(90);

    const answer = await logout(mock, { token });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expect.poll(() => sessionStatus(panel, 'cust-clock').textContent(), WAIT).toBe('tokens expired');
    // The journal says the logout's time is the mock's: 1 h 30 min ahead of the real time.
    const mockTime = panel.locator('#journal-rows tr td.time[data-mock-time]');
    await expect.poll(() => mockTime.count(), WAIT).toBe(1);
    expect(await mockTime.textContent()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \+1 h 30 min$/);
    expect(await mockTime.getAttribute('title')).toMatch(/mock time, 1 h 30 min ahead of the real time/);
    // The one console error is Chromium logging the refused POST /__mock/clock.
    expect(problems).toEqual([expect.stringMatching(/\/__mock\/: Failed to load resource: the server responded with a status of 400/)]);
  });

  it('"Expire now" expires only that sign-in: its tokens answer 401, its refresh token still works, another sign-in of the customer is untouched', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const first = await mock.issueToken({ sub: 'cust-twice' });
    const second = await mock.issueToken({ sub: 'cust-twice' });
    const rowOf = (sid: string) => panel.locator(`#sessions-rows tr[data-sid="${sid}"]`);
    await rowOf(second.claims.origin_jti).waitFor();

    await panel.getByRole('button', { name: `Expire sign-in ${first.claims.origin_jti} now` }).click();
    await expect.poll(() => rowOf(first.claims.origin_jti).getByRole('cell').nth(4).textContent(), WAIT).toBe('tokens expired');
    await expect(rowOf(second.claims.origin_jti).getByRole('cell').nth(4).textContent()).resolves.toBe('active');
    await expect(panel.locator('#sessions-result').textContent()).resolves.toMatch(
      /^Expired 2 tokens of cust-twice's sign-in .* its refresh token still works\.$/,
    );
    // Only a live sign-in can be expired; focus stays in the row.
    await expect(panel.getByRole('button', { name: `Expire sign-in ${first.claims.origin_jti} now` }).isDisabled()).resolves.toBe(true);
    expect(await panel.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(`Scope faults to sign-in ${first.claims.origin_jti}`);

    expect((await logout(mock, { token: first.token })).status).toBe(401);
    expect((await refresh(mock, first.refreshToken)).status).toBe(200);
    expect((await logout(mock, { token: second.token })).status).toBe(200);
    expect(problems).toEqual([]);
  });

  it('"Target" replaces the scope (the armed fault has only the sid, and fires); the scope line says what the next fault will match', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const target = await mock.issueToken({ sub: 'cust-target' });
    const sid = target.claims.origin_jti;

    // Chosen: the scope fields keep their values after arming, and the line above the buttons always says the scope.
    const form = panel.locator('#arm-form');
    await form.getByLabel('Customer (sub)').fill('someone-else');
    await form.getByLabel('Client session').fill('qa-old');
    await expect(panel.locator('#arm-scope').textContent()).resolves.toBe(
      'Next fault: Customer Logout requests of customer someone-else and client session qa-old.',
    );
    await panel.getByRole('button', { name: `Scope faults to sign-in ${sid}` }).click();
    await expect(form.getByLabel('Customer (sub)').inputValue()).resolves.toBe('');
    await expect(form.getByLabel('Client session').inputValue()).resolves.toBe('');
    await expect(form.getByLabel('Sign-in (sid)').inputValue()).resolves.toBe(sid);
    await expect(panel.locator('#arm-scope').textContent()).resolves.toBe(`Next fault: Customer Logout requests of sign-in ${sid}.`);
    expect(await panel.evaluate('document.activeElement.id')).toBe('arm-sid');

    await panel.getByRole('button', { name: 'Arm 500' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    const [fault] = await mock.faults.list();
    expect(fault!.match).toEqual({ sid });
    await expect(form.getByLabel('Sign-in (sid)').inputValue()).resolves.toBe(sid);
    expect((await logout(mock, { token: target.token })).status).toBe(500);

    // A sign-in request has no sign-in yet: for sign-in the sid is left out (and the line says so), never armed to miss.
    await panel.getByLabel('Operation', { exact: true }).selectOption('sign-in');
    await expect(form.getByLabel('Sign-in (sid)').isDisabled()).resolves.toBe(true);
    await expect(panel.locator('#arm-scope').textContent()).resolves.toBe(
      'Next fault: every Customer Sign In request. The sign-in id is left out: a sign-in request has none yet.',
    );
    // "Target" on a user scopes to that customer's sub, alone.
    const [demo] = await mock.users.list();
    await panel.getByRole('button', { name: `Scope faults to customer ${demo!.email}` }).click();
    await expect(form.getByLabel('Customer (sub)').inputValue()).resolves.toBe(demo!.sub);
    await expect(form.getByLabel('Sign-in (sid)').inputValue()).resolves.toBe('');
    await panel.getByRole('button', { name: 'Arm 403' }).click();
    // The sid fault fired once and is spent: only the new one is armed.
    await expect.poll(async () => (await mock.faults.list()).map((f) => f.match), WAIT).toEqual([{ sub: demo!.sub, operation: 'sign-in' }]);
    expect((await signIn(mock, demo!.email, DEMO_USER.password)).status).toBe(403);

    await panel.getByRole('button', { name: 'Clear scope' }).click();
    await expect(panel.locator('#arm-scope').textContent()).resolves.toBe('Next fault: every Customer Sign In request.');
    expect(problems).toEqual([]);
  });

  it('lists armed faults newest first and numbered (the one a request meets first on top), with durations in their units', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const { token } = await mock.issueToken({ sub: 'cust-order' });

    await panel.getByRole('checkbox', { name: 'until disarmed' }).check();
    await panel.getByRole('button', { name: 'Arm 500' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    await panel.getByRole('checkbox', { name: 'until disarmed' }).uncheck();
    await panel.getByLabel('Delay', { exact: true }).fill('0.25');
    await panel.getByLabel('Delay unit').selectOption('s');
    await panel.getByLabel('Expires after', { exact: true }).fill('2');
    await panel.getByLabel('Expires after unit').selectOption('min');
    await panel.getByRole('button', { name: 'Arm 403' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(2);
    const [older, newer] = await mock.faults.list();
    // What the panel sent, in the API's milliseconds.
    expect(newer).toMatchObject({ status: 403, delayMs: 250 });
    expect(newer!.expiresAt! - newer!.createdAt).toBe(120_000);
    // The store has the fault as soon as the mock answered; the page writes its message once it has read the answer.
    await expect
      .poll(() => panel.locator('#arm-message').textContent(), WAIT)
      .toBe(`Armed ${newer!.id}: 403 Forbidden, 1×, after 250 ms, expires in 2 min, for every Customer Logout request.`);

    await expect.poll(() => panel.locator('#faults-rows tr').count(), WAIT).toBe(2);
    const rows = panel.locator('#faults-rows tr');
    expect((await rows.nth(0).getByRole('cell').allTextContents()).slice(0, 3)).toEqual(['1', newer!.id, '403 Forbidden after 250 ms']);
    expect((await rows.nth(1).getByRole('cell').allTextContents()).slice(0, 3)).toEqual(['2', older!.id, '500 Internal Server Error']);
    await expect(panel.locator('#faults-order').textContent()).resolves.toBe('Newest first: where several match one request, the lowest number fires.');
    // #1 is what the next logout gets; once it is spent, #2 moves up.
    const answer = await logout(mock, { token });
    expect([answer.status, answer.headers.get('x-mock-reason')]).toEqual([403, `fault ${newer!.id} armed`]);
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    await expect(rows.nth(0).getByRole('cell').nth(0).textContent()).resolves.toBe('1');
    expect(problems).toEqual([]);
  });

  it('shows the warnings an arming answer carries next to the armed fault, as text', async () => {
    const { mock, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    await mock.issueToken({ sub: 'cust-known' });
    // The mock warns when a scope matches no known sign-in or customer. This route passes the mock's real answer
    // through and adds one more warning, so the page's handling of any warning text (here, markup) is checked too.
    const hostile = 'check this <img src=x onerror=alert(1)> scope';
    const answers: { warnings?: string[] }[] = [];
    await panel.route('**/__mock/faults', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const response = await route.fetch();
      const body = (await response.json()) as { warnings?: string[] };
      answers.push(body);
      await route.fulfill({ response, json: { ...body, warnings: [...(body.warnings ?? []), hostile] } });
    });

    const unknownSid = '9f87…';
    await panel.locator('#arm-form').getByLabel('Sign-in (sid)').fill(unknownSid);
    await panel.getByRole('button', { name: 'Arm 401' }).click();
    await expect.poll(() => answers.length, WAIT).toBe(1);
    const shown = [...(answers[0]!.warnings ?? []), hostile];
    await expect.poll(() => panel.locator('#arm-warnings li').allTextContents(), WAIT).toEqual(shown);
    await expect(panel.locator('#arm-warnings').isVisible()).resolves.toBe(true);
    const [fault] = await mock.faults.list();
    expect(fault!.match).toEqual({ sid: unknownSid });
    await expect.poll(() => panel.locator('#faults-rows tr', { hasText: fault!.id }).locator('.warnings li').allTextContents(), WAIT).toEqual(shown);
    await expect(panel.locator('img').count()).resolves.toBe(0);

    // The next arming without warnings clears the list; the armed fault keeps its own.
    await panel.unroute('**/__mock/faults');
    await panel.locator('#arm-form').getByLabel('Sign-in (sid)').fill('');
    await panel.getByRole('button', { name: 'Arm 500' }).click();
    await expect.poll(() => panel.locator('#arm-warnings').isVisible(), WAIT).toBe(false);
    await expect(panel.locator('#faults-rows tr', { hasText: fault!.id }).locator('.warnings li').count()).resolves.toBe(shown.length);
    expect(problems).toEqual([]);
  });

  it('serves the page with no-store and a nonce-only CSP, a fresh nonce each time', async () => {
    const mock = await mockOn();
    cleanups.push(() => mock.close());
    const pages = await Promise.all(['/__mock/', '/__mock'].map((path) => fetch(`${mock.url}${path}`)));
    const nonces: string[] = [];
    for (const response of pages) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-store');
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("connect-src 'self'");
      const html = await response.text();
      // Every executable script and every style carries the nonce; the data block is JSON, not script.
      const scripts = html.match(/<script(?![^>]*application\/json)[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(1);
      expect(new Set(scripts)).toEqual(new Set([`<script nonce="${nonce}">`]));
      expect(new Set(html.match(/<style[^>]*>/g))).toEqual(new Set([`<style nonce="${nonce}">`]));
      const data = JSON.parse(/<script type="application\/json" id="panel-data">([^<]*)<\/script>/.exec(html)![1]!);
      // Each served operation with its path and documented statuses, from the contract; then "every operation".
      const served = data.operations.map((o: { name: string; method: string; path: string }) => [o.name, o.method, o.path]);
      expect(served.slice(0, 3)).toEqual([
        ['logout', 'POST', '/auth/api/v1/customer/logout'],
        ['sign-in', 'POST', '/auth/api/v1/customer/sign-in'],
        ['refresh', 'POST', '/auth/api/v1/refresh-token/customer'],
      ]);
      expect(served).toContainEqual(['update-customer-user', 'PATCH', '/auth/api/v1/customers/{customerID}/users/{userID}']);
      expect(served.at(-1)).toEqual(['*', '', '/auth/api/v1/…']);
      expect(served).toHaveLength(AUTH_OPERATION_NAMES.length + 1);
      for (const operation of data.operations.slice(0, -1)) {
        const contract = mock.contract.operations.get(operation.name)!;
        expect(operation.statuses).toEqual(contract.statuses.map((status) => ({ status, description: contract.descriptions.get(status) })));
      }
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('inlines every panel*.css and panel*.browser.js, unchanged, as its only styles and scripts (the kit first, panel.browser.js last)', async () => {
    const mock = await mockOn();
    cleanups.push(() => mock.close());
    const response = await fetch(`${mock.url}/__mock/`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    const html = await response.text();
    const folder = new URL('../../src/control/panel/', import.meta.url);
    const source = (name: string) => readFile(new URL(name, folder), 'utf8');
    const files = (await readdir(folder)).filter((name) => name.startsWith('panel'));
    const styles = [...html.matchAll(/<style nonce="([^"]*)">([\s\S]*?)<\/style>/g)];
    expect(new Set(styles.map((m) => m[1]))).toEqual(new Set([nonce]));
    expect(styles.map((m) => m[2])).toEqual(await Promise.all(['panel.css', 'panel-parts.css'].map(source)));
    expect(styles).toHaveLength(files.filter((name) => name.endsWith('.css')).length);
    const scripts = [...html.matchAll(/<script nonce="([^"]*)">([\s\S]*?)<\/script>/g)];
    expect(new Set(scripts.map((m) => m[1]))).toEqual(new Set([nonce]));
    const scriptFiles = files.filter((name) => name.endsWith('.browser.js'));
    expect(scripts).toHaveLength(scriptFiles.length);
    const inlined = scripts.map((m) => m[2]);
    expect(inlined[0]).toBe(await source('panel-kit.browser.js'));
    expect(inlined.at(-1)).toBe(await source('panel.browser.js'));
    expect(new Set(inlined)).toEqual(new Set(await Promise.all(scriptFiles.map(source))));
    expect(html).not.toMatch(/__PANEL_\w+__/);
  });

  it(`renders a readable panel at ${VIEWPORT.width}×${VIEWPORT.height}: the README screenshot (written with UPDATE_SCREENSHOTS=1)`, async () => {
    const { mock, app, context, problems } = await setUp();
    const panel = await openPanel(context, mock);
    const bob = await mock.issueToken({ sub: 'cust-bob' });
    await mock.issueToken({ sub: 'staff-admin', kind: 'non-customer' });

    // A QA session: mint Ada's token in the panel and log her out twice …
    await panel.locator('#mint-form').getByLabel('Customer (sub)').fill('cust-ada');
    await panel.getByRole('button', { name: 'Mint token' }).click();
    await expect.poll(() => panel.getByLabel('Bearer token').inputValue(), WAIT).not.toBe('');
    const ada = await openApp(context, app, await panel.getByLabel('Bearer token').inputValue());
    await logOutFromApp(ada, 1);
    await logOutFromApp(ada, 2);
    // … the demo customer signs in and refreshes …
    const signedIn = await signIn(mock, DEMO_USER.email, DEMO_USER.password);
    expect((await refresh(mock, (signedIn.body as { data: { refresh_token: string } }).data.refresh_token)).status).toBe(200);
    // … then make Bob's next three logouts fail and break sign-in for one client session.
    const scope = panel.locator('#arm-form');
    await scope.getByLabel('Times').fill('3');
    await scope.getByLabel('Customer (sub)').fill('cust-bob');
    await panel.getByRole('button', { name: 'Arm 500' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    await scope.getByLabel('Customer (sub)').fill('');
    await scope.getByLabel('Client session').fill('qa-anna');
    await scope.getByRole('checkbox', { name: 'until disarmed' }).check();
    await panel.getByLabel('Operation', { exact: true }).selectOption('sign-in');
    await panel.getByRole('button', { name: 'Arm network fault reset' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(2);
    const bobApp = await openApp(context, app, bob.token);
    await logOutFromApp(bobApp, 1);
    await bobApp.getByLabel('Access token').fill('');
    await logOutFromApp(bobApp, 2);
    await bobApp.close();
    await ada.close();

    await panel.bringToFront();
    await expect.poll(() => panel.locator('#journal-rows tr').count(), WAIT).toBe(6);
    await expect.poll(() => sessionStatus(panel, 'cust-ada').textContent(), WAIT).toBe('logged out');
    await expect.poll(() => panel.locator('#faults-rows tr', { hasText: 'cust-bob' }).getByRole('cell').nth(5).textContent(), WAIT).toBe('1');
    // Nothing wider than a laptop screen, and the three things QA watches are on the first screen.
    expect(await panel.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(VIEWPORT.width);
    for (const heading of ['Arm a fault', 'Armed faults', 'Journal']) {
      const box = await panel.getByRole('heading', { name: heading }).boundingBox();
      expect(box && box.y + box.height <= VIEWPORT.height).toBe(true);
    }
    await panel.evaluate('document.activeElement.blur(); window.scrollTo(0, 0)');
    await panel.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
    const png = await panel.screenshot({ animations: 'disabled' });
    if (process.env.PANEL_LOOK) await writeFile(process.env.PANEL_LOOK, png);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(problems).toEqual([]);
    // Written only when asked, and only once the page has passed every check above.
    if (UPDATE_SCREENSHOTS) {
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      await writeFile(SCREENSHOT, png);
    }
  });
});
