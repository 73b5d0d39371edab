import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { VerificationReport } from '../../src/pact/report.ts';
import { BIN } from '../support/bin.ts';
import { startDriftingProvider } from '../support/drifting-provider.ts';
import { ALL_INTERACTIONS } from '../support/pact-interactions.ts';

// `verify` prints each interaction once: its verdict as it comes (with its reasons when it fails), then only the
// counts. Checked on what the real bin prints, both streams together as a terminal or a CI log shows them.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOTAL = ALL_INTERACTIONS.length;

type Output = { code: number | null; stdout: string; stderr: string; both: string };

/** Runs the real bin (`node bin/worth-auth-mock.js …`) in the repository, no colours; resolves what it printed. */
function runBin(args: string[], env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }): Promise<Output> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '', both: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    out.both += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    out.both += chunk;
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, ...out })));
}

/** How many lines of `text` name the interaction: its verdict lines (`✓ customer-web-app: …`, `✗ …`), or any mention. */
const count = (text: string, description: string) =>
  text.split('\n').filter((line) => line.endsWith(`customer-web-app: ${description}`) || line.includes(`customer-web-app: ${description} `)).length;

describe('verify prints each interaction once', () => {
  it('the real bin, stdout and stderr together: one line per interaction, then the counts', async () => {
    const run = await runBin(['verify']);
    expect(run.code).toBe(0);
    for (const description of ALL_INTERACTIONS) expect({ description, lines: count(run.both, description) }).toEqual({ description, lines: 1 });
    expect(run.both.match(/✓ customer-web-app: /g)).toHaveLength(TOTAL);
    expect(run.stdout).toContain(`${TOTAL} interactions: ${TOTAL} passed, 0 failed`);
  });

  it('the real bin with --json: the JSON report alone on stdout, each interaction once on stderr', async () => {
    const run = await runBin(['verify', '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as VerificationReport).summary.passed).toBe(TOTAL);
    for (const description of ALL_INTERACTIONS) expect({ description, lines: count(run.stderr, description) }).toEqual({ description, lines: 1 });
    expect(run.stderr).toContain(`${TOTAL} interactions: ${TOTAL} passed, 0 failed`);
  });

  it('the real bin, a failing interaction: its verdict and each of its reasons once', async () => {
    const provider = await startDriftingProvider('wrong-status');
    try {
      const run = await runBin(['verify', '--provider-base-url', provider.url, '--state-setup-url', provider.stateUrl]);
      expect(run.code).toBe(1);
      const breaks = 'a logout with an expired token';
      expect(run.stdout.match(new RegExp(`✗ customer-web-app: ${breaks} `, 'g'))).toHaveLength(1);
      const reasons = run.both.split('\n').filter((line) => /^ +status: /.test(line));
      expect(reasons).toHaveLength(1);
      for (const description of ALL_INTERACTIONS.filter((d) => d !== breaks)) expect(count(run.both, description)).toBe(1);
      expect(run.stdout).toContain(`${TOTAL} interactions: ${TOTAL - 1} passed, 1 failed`);
    } finally {
      await provider.close();
    }
  });

  it("on a terminal, the line of the interaction being verified fits 80 columns, so its verdict's erasing leaves no copy", async () => {
    const writes: string[] = [];
    const code = await main(['verify'], { stdout: (s) => void writes.push(s), stderr: () => {}, color: true, signal: new AbortController().signal });
    expect(code).toBe(0);
    const live = writes.filter((w) => w.includes(' … customer-web-app: '));
    expect(live).toHaveLength(TOTAL);
    for (const line of live) expect(Array.from(line).length).toBeLessThanOrEqual(79);
  });

  const hasScript = (() => {
    try {
      execFileSync('script', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasScript)('the real bin on an 80-column terminal (a pty): what stays on the screen names each interaction once', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NO_COLOR;
    const command = `stty cols 80 rows 50; exec "${process.execPath}" "${BIN}" verify`;
    const run = await new Promise<Output>((resolve) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let all = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => void (all += chunk));
      child.once('close', (code) => resolve({ code, stdout: all, stderr: '', both: all }));
    });
    expect(run.code).toBe(0);
    const screen = onScreen(run.both, 80);
    // A row left over from a wrapped live line is a cut copy of an interaction: its `[n/total]` shows twice.
    for (let n = 1; n <= TOTAL; n++) expect({ n, rows: screen.split(`[${n}/${TOTAL}]`).length - 1 }).toEqual({ n, rows: 1 });
    for (const description of ALL_INTERACTIONS) expect({ description, lines: count(screen, description) }).toEqual({ description, lines: 1 });
    expect(screen).toContain(`${TOTAL} interactions: ${TOTAL} passed, 0 failed`);
  });
});

/**
 * What a terminal `columns` wide keeps of `output`: colours out; on each line, a `\r` + `ESC[2K` erases the row the
 * cursor is on, so of a text that wrapped over several rows, the rows above stay (kept here as lines of their own).
 */
function onScreen(output: string, columns: number): string {
  const rows: string[] = [];
  for (const line of output.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/)) {
    const parts = line.replace(/\r$/, '').split('\r\x1b[2K');
    for (const erased of parts.slice(0, -1)) {
      const chars = Array.from(erased);
      // Every full row but the last one the text reached stays on the screen.
      for (let at = 0; at + columns < chars.length; at += columns) rows.push(chars.slice(at, at + columns).join(''));
    }
    rows.push(parts.at(-1) ?? '');
  }
  return rows.join('\n');
}
