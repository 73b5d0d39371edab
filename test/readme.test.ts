import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { refreshed } from '../scripts/readme-help.ts';

describe('README', () => {
  it('documents every command and flag exactly as --help prints them (run `npm run docs` to refresh)', async () => {
    const text = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    expect(await refreshed(text)).toBe(text);
  });

  it('shows the two set-up commands, and .ci/run calls the same test command', async () => {
    const text = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const ci = await readFile(new URL('../.ci/run', import.meta.url), 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm ci && npm test');
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
