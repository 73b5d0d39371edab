import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { DEFAULT_SPEC_PATH } from '../../src/contract/spec.ts';
import { NETWORK_FAULTS } from '../../src/faults/fault.ts';
import type { Mock } from '../../src/mock.ts';
import { TOKEN_KINDS } from '../../src/tokens/issuer.ts';
import { launchChromium } from '../support/chromium.ts';
import { type CustomerApp, startCustomerApp } from '../support/customer-app.ts';
import { mockOn } from '../support/mock.ts';

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
  const app = await startCustomerApp(mock.logoutUrl);
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
): Promise<{ status: string; reason: string; fault: string; customer: string; session: string }> {
  const row = panel.locator('#journal-rows tr', { hasText }).nth(nth);
  await row.waitFor();
  const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
  return { status: cells[1]!, reason: cells[2]!, fault: cells[3]!, customer: cells[4]!, session: cells[5]! };
}

function sessionStatus(panel: Page, sub: string) {
  return panel.locator('#sessions-rows tr', { hasText: sub }).getByRole('cell').nth(4);
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
    await expect.poll(() => faultRow.getByRole('cell').nth(2).textContent(), WAIT).toBe('1×');

    const customer = await openApp(context, app, token);
    const seen = await logOutFromApp(customer, 1);
    expect(seen).toEqual({ state: 'done', status: 500, reason: `fault ${fault!.id} armed`, fault: fault!.id });

    const row = await journalRow(panel, fault!.id);
    expect(row).toMatchObject({ status: '500', fault: fault!.id, customer: 'cust-500', session: 'customer-app' });
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
    await expect.poll(() => faultRow.getByRole('cell').nth(2).textContent(), WAIT).toBe('∞ until disarmed');

    const customer = await openApp(context, app, token);
    await customer.getByRole('button', { name: 'Log out' }).click();
    await expect.poll(() => faultRow.getByRole('cell').nth(4).textContent(), WAIT).toBe('1');
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
    const statusButtons = panel.getByRole('group', { name: 'Answer with a documented status' }).getByRole('button');
    const statuses = await Promise.all((await statusButtons.all()).map((b) => b.getAttribute('data-status')));
    expect(statuses.map(Number)).toEqual([...mock.contract.statuses]);
    expect(statuses).toEqual(['200', '400', '401', '403', '429', '500']);
    await expect(panel.getByRole('button', { name: `Arm 429 ${hostile}` }).count()).resolves.toBe(1);
    await expect(panel.locator('img').count()).resolves.toBe(0);

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
    await panel.locator('#arm-result.error').waitFor();
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

  it('can be used from the keyboard alone: every control is reached by Tab, in reading order, with a visible focus', async () => {
    const { mock, context, problems } = await setUp();
    await mock.issueToken({ sub: 'cust-tab' });
    await mock.faults.arm({ status: 400, times: 2 });
    const panel = await openPanel(context, mock);
    await panel.locator('#sessions-rows tr').first().waitFor();
    await panel.locator('#faults-rows tr').first().waitFor();

    const stops: { id: string; label: string; outline: string }[] = [];
    for (let i = 0; i < 80; i++) {
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
      'arm-times',
      'Arm 200',
      'Arm network fault reset',
      'mint-sub',
      'Mint token',
      'Disarm all',
      'Pause',
      'Scope faults to sign-in',
    ].map(at);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
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
      // Every executable script carries the nonce; the data block is JSON, not script.
      expect(html.match(/<script(?![^>]*application\/json)[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
      const data = JSON.parse(/<script type="application\/json" id="panel-data">([^<]*)<\/script>/.exec(html)![1]!);
      expect(data.statuses.map((s: { status: number }) => s.status)).toEqual([...mock.contract.statuses]);
      expect(data.operation).toEqual({ method: 'POST', path: '/auth/api/v1/customer/logout' });
      nonces.push(nonce!);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('inlines panel.css and panel.browser.js, unchanged, as its only style and script', async () => {
    const mock = await mockOn();
    cleanups.push(() => mock.close());
    const response = await fetch(`${mock.url}/__mock/`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(response.headers.get('content-security-policy') ?? '')?.[1];
    const html = await response.text();
    const source = (name: string) => readFile(new URL(`../../src/control/${name}`, import.meta.url), 'utf8');
    const styles = [...html.matchAll(/<style([^>]*)>([\s\S]*?)<\/style>/g)];
    expect(styles.map((m) => [m[1], m[2]])).toEqual([[` nonce="${nonce}"`, await source('panel.css')]]);
    const scripts = [...html.matchAll(/<script nonce="([^"]*)">([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => [m[1], m[2]])).toEqual([[nonce, await source('panel.browser.js')]]);
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
    // … then make Bob's next three logouts fail and break the connection for one client session.
    const scope = panel.locator('#arm-form');
    await scope.getByLabel('Times').fill('3');
    await scope.getByLabel('Customer (sub)').fill('cust-bob');
    await panel.getByRole('button', { name: 'Arm 500' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(1);
    await scope.getByLabel('Customer (sub)').fill('');
    await scope.getByLabel('Client session').fill('qa-anna');
    await scope.getByRole('checkbox', { name: 'until disarmed' }).check();
    await panel.getByRole('button', { name: 'Arm network fault reset' }).click();
    await expect.poll(() => mock.faults.list(), WAIT).toHaveLength(2);
    const bobApp = await openApp(context, app, bob.token);
    await logOutFromApp(bobApp, 1);
    await bobApp.getByLabel('Access token').fill('');
    await logOutFromApp(bobApp, 2);
    await bobApp.close();
    await ada.close();

    await panel.bringToFront();
    await expect.poll(() => panel.locator('#journal-rows tr').count(), WAIT).toBe(4);
    await expect.poll(() => sessionStatus(panel, 'cust-ada').textContent(), WAIT).toBe('logged out');
    await expect.poll(() => panel.locator('#faults-rows tr', { hasText: 'cust-bob' }).getByRole('cell').nth(4).textContent(), WAIT).toBe('1');
    // Nothing wider than a laptop screen, and the three things QA watches are on the first screen.
    expect(await panel.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(VIEWPORT.width);
    for (const heading of ['Arm a fault', 'Armed faults', 'Journal']) {
      const box = await panel.getByRole('heading', { name: heading }).boundingBox();
      expect(box && box.y + box.height <= VIEWPORT.height).toBe(true);
    }
    await panel.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
    const png = await panel.screenshot({ animations: 'disabled' });
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(problems).toEqual([]);
    // Written only when asked, and only once the page has passed every check above.
    if (UPDATE_SCREENSHOTS) {
      await mkdir(join(SCREENSHOT, '..'), { recursive: true });
      await writeFile(SCREENSHOT, png);
    }
  });
});
