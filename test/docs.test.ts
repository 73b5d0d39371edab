// Every page of the docs stays true: the command reference is the CLI's --help, every link lands, every file
// it names is in the repository.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS_PAGE, refreshed } from '../scripts/docs-help.ts';
import { fencedBlocks, headingAnchors, links } from './support/markdown.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The pages: the front page, every page under docs/, the benchmark's and the changelog. */
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  'bench/README.md',
  ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => join('docs', file))
    .sort(),
];
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

  it('stays a front page (at most 20 KB) that links every page of docs/, the benchmark and the changelog', () => {
    const readme = text('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20_000);
    const linked = new Set(links(readme).map((link) => link.target.split('#')[0]));
    for (const page of PAGES.filter((p) => p !== 'README.md' && !p.startsWith('docs/decisions/0'))) expect(linked, page).toContain(page);
  });
});

describe.each(PAGES)('%s', (page) => {
  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const { target, line } of links(text(page))) {
      if (/^[a-z][a-z\d+.-]*:|^\/\//i.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(ROOT, page) : resolve(ROOT, dirname(page), decodeURI(path));
      if (!existsSync(file)) broken.push(`${page}:${line}: ${target} (no file ${relative(ROOT, file)})`);
      else if (anchor !== undefined && file.endsWith('.md') && !headingAnchors(readFileSync(file, 'utf8')).has(anchor))
        broken.push(`${page}:${line}: ${target} (no heading #${anchor} in ${relative(ROOT, file)})`);
    }
    expect(broken).toEqual([]);
  });

  it('names only files, scripts and npm scripts a clone has', () => {
    const page_ = text(page);
    const scripts = Object.keys((JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts);
    const missing: string[] = [];
    if (/DESIGN\.md|\.\.\/shared|\/work\//.test(page_)) missing.push('a file outside the repository (DESIGN.md, ../shared, /work/)');
    for (const [, name] of page_.matchAll(/npm run ([\w:-]+)/g)) if (!scripts.includes(name!)) missing.push(`npm run ${name}`);
    for (const [, path] of page_.matchAll(/`((?:src|test|scripts|bench|docs|spec|pacts|bin|\.ci)\/[\w./-]*)`/g))
      if (!existsSync(join(ROOT, path!))) missing.push(path!);
    expect(missing).toEqual([]);
  });
});

it('every fence closes and names its language, and every `<!-- not run: reason -->` sits right above a shell block', () => {
  const wrong: string[] = [];
  for (const page of PAGES) {
    for (const block of fencedBlocks(text(page))) {
      if (!block.closed) wrong.push(`${page}:${block.line}: the fence never closes`);
      if (block.lang === '') wrong.push(`${page}:${block.line}: a fence without a language (sh, text, ts, json, yaml, …)`);
    }
    const lines = text(page).split('\n');
    lines.forEach((line, index) => {
      if (/<!-- not run/.test(line) && !/^\s*(`{3,}|~{3,})\s*(sh|bash|shell)\s*$/.test(lines[index + 1] ?? '')) {
        wrong.push(`${page}:${index + 1}: a not-run mark that is not right above a shell block`);
      }
    });
  }
  expect(wrong).toEqual([]);
});
