// Every page of the docs stays true: the command reference is the CLI's --help, every link lands, and every shell
// recipe runs as written against a real mock on a port of its own.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS_PAGE, refreshed } from '../scripts/docs-help.ts';
import { BIN, type BinProcess, spawnBin } from './support/bin.ts';
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

/** How each page with recipes tells its reader to point them at a mock on the default port. */
const SET_DEFAULT_URL = 'export WORTH_MOCK_URL=http://127.0.0.1:4010';

/** The blocks a reader types into a shell. */
const SHELL = new Set(['sh', 'bash', 'shell']);
const shellBlocks = PAGES.flatMap((page) =>
  fencedBlocks(text(page))
    .filter((block) => SHELL.has(block.lang))
    .map((block) => ({ page, ...block })),
);

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

describe('the container page', () => {
  it("shows the repository's compose.yaml verbatim", () => {
    expect(text('docs/container.md')).toContain(`\`\`\`yaml\n${text('compose.yaml')}\`\`\``);
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

  const blocks = shellBlocks.filter((block) => block.page === page && !block.notRun);
  if (blocks.length > 0) {
    it('says near the top how to point its recipes at the mock (WORTH_MOCK_URL), and no recipe hard-codes the default port', () => {
      const page_ = text(page);
      const first = blocks[0]!;
      const upToFirstRecipe = page_
        .split('\n')
        .slice(0, first.line + first.body.split('\n').length)
        .join('\n');
      expect(upToFirstRecipe).toContain(SET_DEFAULT_URL);
      // Only the line that sets the default may name it: every other recipe works on whatever port the mock has.
      for (const block of blocks) expect(block.body.replaceAll(SET_DEFAULT_URL, ''), `${page}:${block.line}`).not.toMatch(/(127\.0\.0\.1|localhost):4010/);
    });
  }
});

describe('every shell recipe runs as written against a real mock', () => {
  let mock: BinProcess;
  let shims: string;
  let env: NodeJS.ProcessEnv;
  let litter: string;
  const gitStatus = () => execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT, encoding: 'utf8' });

  beforeAll(async () => {
    for (const tool of ['bash', 'curl', 'jq']) {
      expect(findOnPath(tool, process.env.PATH ?? ''), `the recipes use ${tool}: install it (Debian: apt-get install ${tool})`).toBeDefined();
    }
    litter = gitStatus();
    // `npx worth-auth-mock` and `worth-auth-mock` run this checkout's bin on this Node, as npx does from the
    // project root (checked on its own below), without npm's half second per call.
    shims = await mkdtemp(join(tmpdir(), 'wam-docs-'));
    const realNpx = findOnPath('npx', process.env.PATH ?? '');
    const run = `exec '${process.execPath}' '${BIN}' "$@"`;
    await writeFile(join(shims, 'worth-auth-mock'), `#!/bin/sh\n${run}\n`);
    // As npm's npx does, the bin runs in a child of npx's own process: `kill $!` on a backgrounded npx stops npx and
    // leaves the mock running (a recipe must stop its process group), which the check after each recipe catches.
    const child = `'${process.execPath}' '${BIN}' "$@"; exit $?`;
    await writeFile(
      join(shims, 'npx'),
      `#!/bin/sh\nif [ "$1" = worth-auth-mock ]; then shift; ${child}; fi\n${realNpx ? `exec '${realNpx}' "$@"` : 'echo "npx: not found" >&2; exit 127'}\n`,
    );
    await Promise.all(['worth-auth-mock', 'npx'].map((name) => chmod(join(shims, name), 0o755)));
    mock = await spawnBin(['--log', 'off']);
    const { WORTH_MOCK_ADMIN_TOKEN: _admin, ...rest } = process.env;
    env = { ...rest, NO_COLOR: '1', WORTH_MOCK_URL: mock.origin, PATH: [shims, dirname(process.execPath), process.env.PATH].join(delimiter) };
  });

  afterAll(async () => {
    await mock?.stop();
    if (shims) await rm(shims, { recursive: true, force: true });
  });

  beforeEach(async () => {
    const answer = await fetch(`${mock.origin}/__mock/reset`, { method: 'POST' });
    expect(answer.status).toBe(200);
  });

  it('the banner of a mock off the default port prints the export line the pages tell readers to copy', () => {
    expect(mock.output()).toContain(`export WORTH_MOCK_URL=${mock.origin}`);
  });

  it('`npx worth-auth-mock` from the project root runs this checkout, not a package from the registry', async () => {
    // npm's own npx, offline: were it to look for the package on the registry, it would fail (ENOTCACHED).
    const realNpx = findOnPath('npx', process.env.PATH ?? '');
    expect(realNpx).toBeDefined();
    const { code, stdout } = await runIn(realNpx!, ['worth-auth-mock', '--version'], { ...process.env, npm_config_offline: 'true' }, 60_000);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe((JSON.parse(text('package.json')) as { version: string }).version);
  }, 90_000);

  for (const block of shellBlocks) {
    const name = `${block.page}:${block.line}`;
    if (block.notRun) {
      it.skip(`${name} (not run: ${block.notRun})`, () => {});
      continue;
    }
    it(name, async () => {
      const marker = `${name}#${process.pid}`;
      const { code, stdout, stderr } = await runIn('bash', ['-euo', 'pipefail', '-c', block.body], { ...env, WAM_DOCS_RECIPE: marker }, 40_000);
      expect({ code, stderr }, `${name} exited ${code}\n--- the block\n${block.body}--- stdout\n${stdout}--- stderr\n${stderr}`).toMatchObject({ code: 0 });
      expect(await leftRunning(marker), `${name} left processes running after it ended`).toEqual([]);
    }, 45_000);
  }

  it('leaves nothing behind in the checkout', () => {
    expect(gitStatus()).toBe(litter);
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

/**
 * The processes a recipe started that are still running once it ended (their environment carries its marker), each
 * as `pid command`; they are killed. A process may take a moment to stop after its group was signalled.
 */
async function leftRunning(marker: string): Promise<string[]> {
  const needle = `WAM_DOCS_RECIPE=${marker}\0`;
  const scan = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid) => {
        try {
          if (!readFileSync(`/proc/${pid}/environ`, 'latin1').includes(needle)) return [];
          return [`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ').trim()}`];
        } catch {
          return []; // gone meanwhile, or not ours to read
        }
      });
  for (let i = 0; i < 20 && scan().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const left = scan();
  for (const line of left) {
    try {
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    } catch {}
  }
  return left;
}

/** The first executable called `name` on `path`. */
function findOnPath(name: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Runs a command in the checkout (its own process group, killed whole at the deadline) and collects its output. */
function runIn(command: string, args: string[], env: NodeJS.ProcessEnv, deadlineMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${deadlineMs} ms)`;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, deadlineMs);
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
