// The Playwright run test/playwright/fixture.test.ts makes: Debian's Chromium, headless, two workers, every test in
// parallel. It reaches the mock the vitest test started (WORTH_MOCK_URL, WORTH_MOCK_ADMIN_TOKEN) and the app page it
// serves (WAM_APP_URL); the JSON report goes to PLAYWRIGHT_JSON_OUTPUT_FILE.
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../support/chromium.ts';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: true,
  timeout: 30_000,
  reporter: [['list'], ['json']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
    baseURL: process.env.WAM_APP_URL,
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});
