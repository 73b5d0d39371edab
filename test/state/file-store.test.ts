// The file store as users meet it: the real bin killed with SIGKILL under load and restarted on the same
// files, and what start does with a state file that is torn, damaged, foreign or in use.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../src/faults/fault.ts';
import { createFileStore } from '../../src/state/file-store.ts';
import type { UserRecord } from '../../src/state/records.ts';
import type { Store } from '../../src/state/store.ts';
import { type BinProcess, spawnBin } from '../support/bin.ts';
import { runCli } from '../support/cli.ts';

let dir: string;
let n = 0;
const children = new Set<ChildProcess>();
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wam-file-'));
});
afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A mock started from the real bin as its own process. */
type MockProcess = BinProcess & { logoutUrl: string };

/** Starts the bin on `port` (default: any free one); a restart passes the port it had, as a real redeploy keeps its URL (and so the tokens' issuer). */
async function spawnMock(args: string[], port: number = 0): Promise<MockProcess> {
  const mock = await spawnBin(['--log', 'off', ...args], { port });
  children.add(mock.child);
  void mock.exited.then(() => children.delete(mock.child));
  return { ...mock, logoutUrl: `${mock.baseUrl}/customer/logout` };
}

type Issued = { token: string; claims: { jti: string; sub: string } };

async function issue(mock: MockProcess, body: Record<string, unknown> = {}): Promise<Issued> {
  const response = await fetch(`${mock.origin}/__mock/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(201);
  return (await response.json()) as Issued;
}

async function logoutStatus(mock: MockProcess, token: string): Promise<number> {
  const response = await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Logs the tokens out from 16 concurrent clients and sends SIGKILL once `killAfter` logouts got 200,
 * while others are still in flight. Resolves the tokens whose logout was acknowledged.
 */
async function logoutUntilKilled(mock: MockProcess, tokens: string[], killAfter: number): Promise<{ acked: string[]; unanswered: string[] }> {
  const acked: string[] = [];
  const unanswered: string[] = [];
  let next = 0;
  let killing: Promise<unknown> | undefined;
  const worker = async () => {
    while (next < tokens.length && !killing) {
      const token = tokens[next++] as string;
      try {
        const status = await logoutStatus(mock, token);
        expect(status, 'a logout before the kill').toBe(200);
        acked.push(token);
        if (acked.length >= killAfter) killing ??= mock.kill9();
      } catch (error) {
        if (!killing) throw error;
        unanswered.push(token);
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await killing;
  return { acked, unanswered };
}

describe('a mock with --state-file, killed with SIGKILL mid-load and restarted', () => {
  it('still answers 401 for every logout it acknowledged, keeps tokens, token records and faults', { timeout: 120_000 }, async () => {
    const stateFile = join(dir, 'crash-state.json');
    const args = ['--state-file', stateFile, '--key-file', join(dir, 'crash-key.json')];
    let mock = await spawnMock(args);
    const issued = await Promise.all(Array.from({ length: 300 }, () => issue(mock)));
    const spare = await issue(mock, { sub: 'never-logged-out' });
    const targeted = await issue(mock, { sub: 'fault-target' });
    const armed = await fetch(`${mock.origin}/__mock/faults`, { method: 'POST', body: JSON.stringify({ status: 403, match: { sub: 'fault-target' } }) });
    expect(armed.status).toBe(201);
    const faultId = ((await armed.json()) as { id: string }).id;

    const tokens = issued.map((i) => i.token);
    const acked: string[] = [];
    // Two crashes, each while 16 logouts are in flight; the second run starts from the first's recovery.
    for (const [round, slice] of [tokens.slice(0, 150), tokens.slice(150)].entries()) {
      const result = await logoutUntilKilled(mock, slice, 60 + round * 20);
      expect(result.acked.length).toBeGreaterThanOrEqual(60);
      acked.push(...result.acked);
      mock = await spawnMock(args, mock.port);
      for (const token of acked) expect(await logoutStatus(mock, token), 'an acknowledged logout after restart').toBe(401);
      for (const token of result.unanswered) expect([200, 401]).toContain(await logoutStatus(mock, token));
    }

    // The key survived: a token minted before both crashes still verifies and logs out once.
    expect(await logoutStatus(mock, spare.token)).toBe(200);
    // The fault armed before the crashes fires once, then the customer logs out normally.
    const faulted = await fetch(mock.logoutUrl, { method: 'POST', headers: { authorization: `Bearer ${targeted.token}` } });
    expect(faulted.status).toBe(403);
    expect(faulted.headers.get('x-mock-fault')).toBe(faultId);
    expect(await logoutStatus(mock, targeted.token)).toBe(200);
    // Token records survived too: the sessions list shows the acknowledged ones as logged out.
    const { sessions } = (await (await fetch(`${mock.origin}/__mock/sessions?limit=10000`)).json()) as { sessions: { jti: string; status: string }[] };
    const status = new Map(sessions.map((s) => [s.jti, s.status]));
    const ackedJtis = issued.filter((i) => acked.includes(i.token)).map((i) => i.claims.jti);
    expect(ackedJtis.map((jti) => status.get(jti))).toEqual(ackedJtis.map(() => 'logged-out'));
    expect(await mock.stop()).toBe(0);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  });
});

/** A user record as the operations put it (the digest is not checked by the store). */
const user = (email: string): UserRecord => ({
  id: `id-${email}`,
  sub: `sub-${email}`,
  email,
  passwordSalt: 'c2FsdA',
  passwordDigest: 'ZGlnZXN0',
  role: 'customer',
  givenName: 'Crash',
  familyName: 'Test',
  customerId: 'c-1',
  subrole: 'owner',
  status: 'ACTIVE',
  isEmailVerified: true,
  isFirstLogin: false,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_000,
  version: 1,
  source: 'runtime',
});

/**
 * A process that opens the file store and, from 8 concurrent loops, puts users and removes every fifth one right
 * after its put is acknowledged, printing `put <email>` / `removed <email>` as each call resolves.
 */
const USER_WRITER = `
const [, path, storeUrl] = process.argv;
const { createFileStore } = await import(storeUrl);
const store = await createFileStore({ path, journalSize: 10, warn: () => {} });
let next = 0;
const loop = async () => {
  for (;;) {
    const n = next++;
    const email = 'u' + n + '@example.com';
    const record = { ...${JSON.stringify(user(''))}, email, id: 'id-' + email, sub: 'sub-' + email };
    await store.putUser(record);
    process.stdout.write('put ' + email + '\\n');
    if (n % 5 === 0) {
      await store.putUser({ ...record, status: 'REMOVED', version: 2 }, 1);
      process.stdout.write('removed ' + email + '\\n');
    }
  }
};
await Promise.all(Array.from({ length: 8 }, loop));
`;

describe('users in a state file, written by a process killed with SIGKILL', () => {
  it('keeps every user put and every removal that was acknowledged', { timeout: 60_000 }, async () => {
    const path = join(dir, 'users-crash.json');
    const storeUrl = new URL('../../src/state/file-store.ts', import.meta.url).href;
    const child = spawn(process.execPath, ['--input-type=module', '-e', USER_WRITER, path, storeUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const put = new Set<string>();
    const removed = new Set<string>();
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (err += chunk));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fewer than 400 puts within 30 s: ${err}`)), 30_000);
      void exited.then(() => reject(new Error(`the writer exited by itself: ${err}`)));
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const lines = out.split('\n');
        out = lines.pop() as string;
        for (const text of lines) {
          const [what, email] = text.split(' ') as [string, string];
          (what === 'put' ? put : removed).add(email);
        }
        if (put.size >= 400) {
          clearTimeout(timer);
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    const store = await createFileStore({ path, journalSize: 10, warn: () => {} });
    try {
      const kept = new Set((await store.listUsers()).map((u) => u.email));
      const lost = [...put].filter((email) => !kept.has(email) && !/^u\d*[05]@/.test(email));
      expect(lost, 'acknowledged puts missing after the crash').toEqual([]);
      expect(
        [...removed].filter((email) => kept.has(email)),
        'acknowledged removals undone by the crash',
      ).toEqual([]);
      expect(removed.size).toBeGreaterThan(50);
      expect(await store.getUser({ email: 'u1@example.com' })).toEqual(user('u1@example.com'));
    } finally {
      await store.close();
    }
  });
});

describe('starting on a state file that is not clean', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });
  const fresh = () => join(dir, `state-${++n}.json`);
  const open = async (path: string, warnings: string[] = []) => {
    const store = await createFileStore({ path, journalSize: 10, warn: (message) => warnings.push(message) });
    opened.push(store);
    return store;
  };
  /** A file holding three revocations, closed cleanly. */
  const written = async (path: string) => {
    const store = await createFileStore({ path, journalSize: 10, warn: () => {} });
    const now = Date.now();
    for (const key of ['sid:1', 'sid:2', 'sid:3']) await store.revoke(key, now + 3_600_000, now);
    await store.close();
  };
  const record = (json: string) => `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;

  it('recovers every complete record before a torn last write, says so, and leaves a clean file', async () => {
    const path = fresh();
    await written(path);
    const torn = '1a2b3c4d {"t":"r","k":"sid:torn","u":99999999999';
    appendFileSync(path, torn);
    const warnings: string[] = [];
    const store = await open(path, warnings);
    expect(await store.isRevoked(['sid:1'], Date.now())).toBe(true);
    expect(await store.isRevoked(['sid:3'], Date.now())).toBe(true);
    expect(await store.isRevoked(['sid:torn'], Date.now())).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(String(Buffer.byteLength(torn)));
    await store.close();
    opened.length = 0;
    const again: string[] = [];
    await open(path, again);
    expect(again).toEqual([]);
  });

  it('treats a complete but damaged last record as the torn write it is', async () => {
    const path = fresh();
    await written(path);
    appendFileSync(path, record('{"t":"r","k":"sid:4","u":99999999999}').replace('sid:4', 'sid:5'));
    const warnings: string[] = [];
    const store = await open(path, warnings);
    expect(await store.isRevoked(['sid:1', 'sid:2', 'sid:3'], Date.now())).toBe(true);
    expect(await store.isRevoked(['sid:4', 'sid:5'], Date.now())).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  it('refuses a file damaged in the middle, naming --state-file, and leaves it untouched', async () => {
    const path = fresh();
    await written(path);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = (lines[2] as string).replace('sid:', 'sod:');
    const damaged = lines.join('\n');
    writeFileSync(path, damaged);
    await expect(open(path)).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--state-file' });
    expect(readFileSync(path, 'utf8')).toBe(damaged);
  });

  it.each([
    ['a JSON file of something else', '{"customers":[1,2,3]}\n'],
    ['a text file', 'hello\nworld\n'],
    ['a state file from a newer version', record('{"t":"h","app":"worth-auth-mock","v":99}')],
  ])('refuses %s and leaves it untouched', async (_, content) => {
    const path = fresh();
    writeFileSync(path, content);
    await expect(open(path)).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--state-file' });
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('loads a version 1 file (before users were kept), then keeps users in it as the current version (4)', async () => {
    const path = fresh();
    const now = Date.now();
    const token = { jti: 'j1', sid: 's1', sub: 'u1', tokenUse: 'access', role: 'customer', kind: 'valid', iat: 1, exp: 2 };
    writeFileSync(
      path,
      record('{"t":"h","app":"worth-auth-mock","v":1}') +
        record(JSON.stringify({ t: 'r', k: 'sid:old', u: now + 3_600_000 })) +
        record(JSON.stringify({ t: 'k', r: [token] })),
    );
    const warnings: string[] = [];
    const store = await open(path, warnings);
    expect(warnings).toEqual([]);
    expect(await store.isRevoked(['sid:old'], now)).toBe(true);
    expect(await store.listTokens()).toEqual([token]);
    expect(await store.listUsers()).toEqual([]);
    await store.putUser(user('new@example.com'));
    await store.close();
    opened.length = 0;
    expect(readFileSync(path, 'utf8').split('\n')[0]).toContain('"v":5');
    const reopened = await open(path);
    expect(await reopened.listUsers()).toEqual([user('new@example.com')]);
    expect(await reopened.firstRevoked(['jti:none', 'sid:old'], now)).toBe('sid:old');
  });

  it('loads a version 2 file: its users keyed by email become users by id, disabled ones INACTIVE, and it counts as seeded', async () => {
    const path = fresh();
    const earlier = (email: string, disabled: boolean) => ({
      email,
      passwordSalt: 'c2FsdA',
      passwordDigest: 'ZGlnZXN0',
      sub: `00000000-0000-4000-8000-0000000000${email.length}`,
      role: 'customer',
      givenName: 'Old',
      familyName: 'Format',
      customerId: '00000000-0000-4000-8000-000000000003',
      customerName: 'Sandbox',
      permissions: ['case:read'],
      disabled,
      source: 'seed',
    });
    writeFileSync(
      path,
      record('{"t":"h","app":"worth-auth-mock","v":2}') +
        record(JSON.stringify({ t: 'u', u: earlier('ann@example.com', true) })) +
        record(JSON.stringify({ t: 'u', u: earlier('bobby@example.com', false) })) +
        record(JSON.stringify({ t: 'U', e: 'bobby@example.com' })),
    );
    const store = await open(path);
    const [ann] = await store.listUsers();
    expect(await store.listUsers()).toHaveLength(1);
    expect(ann).toMatchObject({ id: ann?.sub, email: 'ann@example.com', status: 'INACTIVE', subrole: 'owner', permissions: ['case:read'] });
    // The earlier version seeded at every start: an operator's deactivation of a seed user survives the next seeding.
    await store.seed([], [{ ...(ann as UserRecord), status: 'ACTIVE' }]);
    expect((await store.getUser({ email: 'ann@example.com' }))?.status).toBe('INACTIVE');
  });

  it('starts empty from an empty file, and says so', async () => {
    const path = fresh();
    writeFileSync(path, '');
    const warnings: string[] = [];
    const store = await open(path, warnings);
    expect(await store.listTokens()).toEqual([]);
    expect(warnings).toHaveLength(1);
  });

  it('refuses a second mock on a file in use, and takes over a lock left by a dead process', async () => {
    const path = fresh();
    await open(path);
    await expect(createFileStore({ path, journalSize: 10, warn: () => {} })).rejects.toMatchObject({ code: 'ERR_CONFIG', field: '--state-file' });
    await opened.splice(0)[0]?.close();

    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: dead.pid, host: hostname(), at: new Date().toISOString() }));
    const warnings: string[] = [];
    await open(path, warnings);
    expect(warnings).toHaveLength(1);
  });

  it('removes what an interrupted compaction left behind', async () => {
    const path = fresh();
    await written(path);
    writeFileSync(`${path}.4242.tmp`, 'half a snapshot');
    const store = await open(path);
    expect(existsSync(`${path}.4242.tmp`)).toBe(false);
    expect(await store.isRevoked(['sid:2'], Date.now())).toBe(true);
  });

  it('rejects operations with ERR_STORE once closed', async () => {
    const path = fresh();
    const store = await createFileStore({ path, journalSize: 10, warn: () => {} });
    await store.close();
    await expect(store.revoke('sid:x', Date.now() + 1000, Date.now())).rejects.toMatchObject({ code: 'ERR_STORE' });
  });

  it('compacts a long log to its live state, dropping lapsed revocations', async () => {
    const path = fresh();
    const store = await open(path);
    const now = Date.now();
    await store.addFault(parseFault({ status: 500, times: null }, { targets: new Map([['logout', { statuses: [500], scopes: [] }]]), now, seed: 1 }));
    // 12,000 changes pass the compaction threshold; most revocations have lapsed by then.
    for (let i = 0; i < 12_000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => store.revoke(`sid:${i + j}`, i + j < 11_990 ? now + 1 : now + 3_600_000, now)));
    }
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThan(2_100);
    await store.close();
    opened.length = 0;
    const reopened = await open(path);
    expect(await reopened.isRevoked(['sid:11999'], now + 2)).toBe(true);
    expect(await reopened.isRevoked(['sid:5'], now + 2)).toBe(false);
    expect(await reopened.listFaults(now)).toHaveLength(1);
  });

  it('makes `start` exit 2 with a message naming --state-file for a damaged file', async () => {
    const path = fresh();
    await written(path);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = 'garbage';
    writeFileSync(path, lines.join('\n'));
    const run = await runCli(['start', '--port', '0', '--log', 'off', '--state-file', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--state-file');
  });
});

describe('an acknowledgement waits for the disk (issue 15, case 8: fsync and the write held back at will)', () => {
  /** FileHandle's fsyncs (node:fs/promises), wrapped so a test can hold them back: the real fsync still runs after. */
  type Gate = {
    /** Each fsync of statePath (or its snapshot) that was held: `<sync|datasync> <the file's path> <whether statePath existed then>`. */
    held: string[];
    hold(): void;
    release(): void;
    restore(): void;
  };

  async function gateFsync(statePath: string): Promise<Gate> {
    const probe = await open(join(dir, `probe-${n++}`), 'w');
    const proto = Object.getPrototypeOf(probe) as { sync(): Promise<void>; datasync(): Promise<void> };
    await probe.close();
    const real = { sync: proto.sync, datasync: proto.datasync };
    let gate: Promise<void> | undefined;
    let opened: (() => void) | undefined;
    const held: string[] = [];
    const wrap = (name: 'sync' | 'datasync') =>
      async function (this: { fd: number }) {
        // Only this test's state file and its snapshots: other files (key files, other tests' stores) sync freely.
        const file = readlinkSync(`/proc/self/fd/${this.fd}`);
        if (gate && file.startsWith(statePath)) {
          held.push(`${name} ${file} ${existsSync(statePath) ? 'state file exists' : 'no state file yet'}`);
          await gate;
        }
        return real[name].call(this);
      };
    proto.sync = wrap('sync');
    proto.datasync = wrap('datasync');
    const release = () => {
      gate = undefined;
      opened?.();
    };
    return {
      held,
      hold() {
        gate = new Promise((resolve) => {
          opened = resolve;
        });
      },
      release,
      restore() {
        release();
        proto.sync = real.sync;
        proto.datasync = real.datasync;
      },
    };
  }

  /** Whether `promise` settles within `ms`. */
  async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let settled = false;
    void promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await new Promise((resolve) => setTimeout(resolve, ms));
    return settled;
  }

  it('revoke() stays pending while its record is written but not yet fsynced, and resolves once the fsync completes', async () => {
    const path = join(dir, `held-${n++}.state`);
    const gate = await gateFsync(path);
    const store = await createFileStore({ path, journalSize: 10, warn: () => {} });
    try {
      gate.hold();
      const now = Date.now();
      const revoked = store.revoke('sid:held', now + 60_000, now);
      // However long the disk takes, no acknowledgement before it: the record is in the file, unsynced.
      expect(await settlesWithin(revoked, 500)).toBe(false);
      expect(readFileSync(path, 'utf8')).toContain('"k":"sid:held"');
      expect(gate.held).toEqual([`datasync ${path} state file exists`]);
      gate.release();
      expect(await revoked).toBe(true);
    } finally {
      gate.restore();
      await store.close();
    }
  });

  it("a logout's 200 is not sent before its revocation is fsynced", async () => {
    const stateFile = join(dir, `held-${n++}.state`);
    const gate = await gateFsync(stateFile);
    const { startMock } = await import('../../src/mock.ts');
    const mock = await startMock({ port: 0, log: 'off', stateFile, keyFile: join(dir, `held-${n++}.key.json`) });
    try {
      const { token } = await mock.issueToken();
      gate.hold();
      const answer = fetch(mock.urls.logout, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(await settlesWithin(answer, 500)).toBe(false);
      expect(gate.held.some((line) => line.startsWith(`datasync ${stateFile} `))).toBe(true);
      gate.release();
      expect((await answer).status).toBe(200);
    } finally {
      gate.restore();
      await mock.close();
    }
  });

  it('a compaction renames its snapshot over the state file only after the snapshot is fsynced', async () => {
    const path = join(dir, `held-${n++}.state`);
    const gate = await gateFsync(path);
    gate.hold();
    // Opening compacts at once (a new file is a snapshot written to <file>.<pid>.tmp, fsynced, renamed).
    const opening = createFileStore({ path, journalSize: 10, warn: () => {} });
    try {
      expect(await settlesWithin(opening, 500)).toBe(false);
      expect(gate.held).toEqual([`sync ${path}.${process.pid}.tmp no state file yet`]);
      gate.release();
      await (await opening).close();
      expect(existsSync(path)).toBe(true);
    } finally {
      gate.restore();
    }
  });
});
