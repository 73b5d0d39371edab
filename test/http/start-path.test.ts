import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// `start` runs in a Node of its own: what it loads is read from process.moduleLoadList once it is listening.
const START = `
const { main } = await import('./src/cli/main.ts');
const controller = new AbortController();
let loaded = [];
const code = await main(['start', '--port', '0', '--log', 'off'], {
  stdout: () => {},
  stderr: (text) => process.stderr.write(text),
  color: false,
  signal: controller.signal,
  onStarted: () => {
    loaded = process.moduleLoadList;
    controller.abort();
  },
});
process.stdout.write(JSON.stringify({ code, loaded }));
`;

describe('what `start` loads (start-up: bench/startup.ts, the installed bin row)', () => {
  it('never loads undici: node:http is taken with process.getBuiltinModule, not an ES import (whose facade reads its WebSocket getters)', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', START], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    const { code, loaded } = JSON.parse(stdout) as { code: number; loaded: string[] };
    expect(code).toBe(0);
    expect(loaded.some((name) => name.includes('node:http') || name.endsWith(' http'))).toBe(true);
    expect(loaded.filter((name) => name.includes('undici'))).toEqual([]);
  });
});
