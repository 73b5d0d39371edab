// What the mock shows of mounted documents: the banner lists each (title, file, base path, gate, operations with
// their methods, problems), GET /__mock/health and mock.apis list them, and the QA panel offers their operations.
import { describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { startCli } from '../support/cli.ts';
import { CASE_SERVICE, WIDGET_SERVICE } from '../support/documents.ts';
import { useMock } from '../support/mock.ts';

describe('the banner', () => {
  it('lists each mounted document with its gate, its operations (method and URL) and its problems, after the Auth Service’s', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off', '--api', CASE_SERVICE, '--api', WIDGET_SERVICE, '--api-gate', '/widgets/v2=presence']);
    try {
      const lines = cli.output().split('\n');
      const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
      const root = new URL(cli.url).origin;
      expect(lines[at(/^Operations:$/) + 1]).toMatch(new RegExp(`^ {2}sign-in +POST {3}${cli.baseUrl}/customer/sign-in$`));
      const caseAt = at(
        /^Case Service \(--api .*case-service\.openapi\.yaml\) under \/case\/api\/v1: gate verify \(tokens verified, the customer bound\), 7 operations:$/,
      );
      expect(caseAt).toBeGreaterThan(at(/^ {2}get-customer-subroles /));
      expect(lines.slice(caseAt + 1, caseAt + 8).map((line) => line.trim().split(/ +/))).toEqual([
        ['GetCustomerCases', 'GET', `${root}/case/api/v1/customers/{customerID}/cases`],
        ['GetCustomerCaseByID', 'GET', `${root}/case/api/v1/customers/{customerID}/cases/{caseID}`],
        ["GetCustomer'sBusinessCases", 'GET', `${root}/case/api/v1/customers/{customerID}/businesses/{businessID}/cases`],
        ['GetRelatedBusinesses', 'GET', `${root}/case/api/v1/customers/{customerID}/businesses/{businessID}/related-businesses`],
        ['SendBusinessInvite', 'POST', `${root}/case/api/v1/customers/{customerID}/businesses/invite`],
        ['GetCustomerBusinesses', 'GET', `${root}/case/api/v1/businesses/customers/{customerID}`],
        ['AddBusiness', 'POST', `${root}/case/api/v1/businesses/customers/{customerID}`],
      ]);
      expect(lines[caseAt + 8]).toMatch(
        /^ {2}! AddBusiness: the 400 example "default" fails its own schema \(.*\): a body generated from the schema is sent instead$/,
      );
      const widgetAt = at(/^Widget Service \(--api .*widget-service\.openapi\.yaml\) under \/widgets\/v2: gate presence \(any bearer passes\), 5 operations:$/);
      expect(widgetAt).toBeGreaterThan(caseAt);
      expect(lines[widgetAt + 3]).toMatch(
        new RegExp(`^ {2}get /accounts/\\{accountId\\}/widgets/\\{widgetId\\} +GET {4}${root}/widgets/v2/accounts/\\{accountId\\}/widgets/\\{widgetId\\}$`),
      );
      expect(lines[widgetAt + 4]).toMatch(/^ {2}deleteWidget +DELETE /);
      expect(lines[widgetAt + 6]).toBe('');
    } finally {
      expect((await cli.stop()).code).toBe(0);
    }
  });

  it('lists no document when none is mounted', async () => {
    const cli = await startCli(['--port', '0', '--log', 'off']);
    try {
      expect(cli.output()).not.toMatch(/--api|gate /);
    } finally {
      await cli.stop();
    }
  });
});

describe('mock.apis, GET /__mock/health and the QA panel', () => {
  const mock = useMock({ apis: [{ path: CASE_SERVICE }, { path: WIDGET_SERVICE, gate: 'off' }] });

  it('mock.apis and the health list each document, its gate and operations; mock.apis also each operation’s method and path', async () => {
    expect(mock.apis.map(({ title, basePath, gate, operations }) => ({ title, basePath, gate, operations }))).toEqual([
      { title: 'Auth Service', basePath: '/auth/api/v1', gate: 'verify', operations: 12 },
      { title: 'Case Service', basePath: '/case/api/v1', gate: 'verify', operations: 7 },
      { title: 'Widget Service', basePath: '/widgets/v2', gate: 'off', operations: 5 },
    ]);
    expect(mock.apis[2]?.routes).toContainEqual({ name: 'deleteWidget', method: 'DELETE', path: '/widgets/v2/accounts/{accountId}/widgets/{widgetId}' });
    const health = (await (await fetch(`${mock.url}/__mock/health`)).json()) as {
      apis: { title: string; gate: string; operations: number }[];
      operations: { name: string; method: string; path: string }[];
    };
    expect(health.apis.map(({ title, gate, operations }) => [title, gate, operations])).toEqual([
      ['Auth Service', 'verify', 12],
      ['Case Service', 'verify', 7],
      ['Widget Service', 'off', 5],
    ]);
    expect(health.operations).toContainEqual({
      name: 'get /accounts/{accountId}/widgets/{widgetId}',
      method: 'GET',
      path: '/widgets/v2/accounts/{accountId}/widgets/{widgetId}',
    });
    expect(health.operations).toHaveLength(24);
  });

  it("the panel's operation selector offers every mounted operation with its summary, method, path and documented statuses", async () => {
    const html = await (await fetch(`${mock.url}/__mock/`)).text();
    const data = JSON.parse(/<script type="application\/json" id="panel-data">([^<]*)<\/script>/.exec(html)?.[1] as string) as {
      operations: { name: string; summary: string; method: string; path: string; statuses: { status: number; description: string }[] }[];
    };
    const byName = new Map(data.operations.map((operation) => [operation.name, operation]));
    expect(byName.get('AddBusiness')).toMatchObject({
      summary: 'Add Business',
      method: 'POST',
      path: '/case/api/v1/businesses/customers/{customerID}',
      statuses: [{ status: 200 }, { status: 400 }, { status: 401 }],
    });
    expect(byName.get('get /accounts/{accountId}/widgets/{widgetId}')).toMatchObject({ summary: 'Get Widget', method: 'GET' });
    for (const route of mock.apis.flatMap((api) => api.routes)) expect(byName.has(route.name), route.name).toBe(true);
  });

  it('in a browser, the panel arms a fault on a mounted operation chosen in its selector', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${mock.url}/__mock/`);
      await page.locator('#connection[data-state="live"]').waitFor();
      const select = page.locator('#arm-operation');
      expect(await select.locator('option', { hasText: 'Add Business' }).getAttribute('title')).toBe('POST /case/api/v1/businesses/customers/{customerID}');
      await select.selectOption('AddBusiness');
      expect(await page.locator('#status-buttons button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-status')))).toEqual([
        '200',
        '400',
        '401',
      ]);
      await page.locator('#status-buttons button[data-status="401"]').click();
      await expect.poll(async () => (await mock.faults.list()).map((fault) => [fault.match.operation, fault.status])).toEqual([['AddBusiness', 401]]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await mock.faults.clear();
    }
  });
});
