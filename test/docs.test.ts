// Every page of the docs stays true: the command reference is the CLI's --help, and the front page shows the
// set-up commands CI runs.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS_PAGE, refreshed } from '../scripts/docs-help.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const text = (page: string) => readFileSync(join(ROOT, page), 'utf8');

describe('the command reference', () => {
  it('in docs/commands.md is exactly what --help prints (run `npm run docs` to refresh it)', async () => {
    const page = await readFile(COMMANDS_PAGE, 'utf8');
    expect(await refreshed(page)).toBe(page);
  });
});

describe('the front page', () => {
  it('shows the two set-up commands, and .ci/run calls the same test command', () => {
    const readme = text('README.md');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    expect(text('.ci/run')).toMatch(/^npm ci && npm test$/m);
  });
});
