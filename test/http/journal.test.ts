// The journal tells the truth (issue 15, case 5): what the mock decided even when nobody heard it, entries in the
// order they were answered, and requests to paths the contract does not have.
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/state/journal.ts';
import { logout, useMock } from '../support/mock.ts';

const lines: string[] = [];
// The request log hands over a turn's lines at once (batched): keep them one a line.
const mock = useMock({ log: 'json', logTo: (text) => lines.push(...text.split('\n').filter(Boolean)) });

/** Polls the journal until `found` picks an entry, for at most `ms`. */
async function entry(found: (entries: JournalEntry[]) => JournalEntry | undefined, ms = 5_000): Promise<JournalEntry> {
  const until = Date.now() + ms;
  for (;;) {
    const hit = found(await mock.requests());
    if (hit) return hit;
    if (Date.now() > until) throw new Error(`no such journal entry within ${ms} ms: ${JSON.stringify(await mock.requests())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the journal tells the truth', () => {
  it('a client that gives up during Prefer: delay=2000 is still logged out; the journal says 200, and that the client went away', async () => {
    const { token, claims } = await mock.issueToken({ sub: 'cust-gone' });
    const abort = new AbortController();
    const gone = fetch(mock.urls.logout, { method: 'POST', headers: { authorization: `Bearer ${token}`, prefer: 'delay=2000' }, signal: abort.signal });
    setTimeout(() => abort.abort(), 300);
    await expect(gone).rejects.toThrow();
    const logged = await entry((entries) => entries.find((e) => e.jti === claims.jti));
    expect(logged.status).toBe(200);
    expect(logged.reason).toMatch(/\(client went away before the answer\)$/);
    expect(logged.operation).toBe('logout');
    // Its retry is refused: the logout happened.
    const retry = await logout(mock, { token });
    expect(retry.status).toBe(401);
    expect(retry.headers.get('x-mock-reason')).toBe('token has been revoked');
  });

  it('a held request is listed when it is answered, stamped then, and ms reaches back to its arrival: newest last', async () => {
    const [held, quick] = await Promise.all([mock.issueToken({ sub: 'cust-held' }), mock.issueToken({ sub: 'cust-quick' })]);
    const arrived = Date.now();
    const slow = logout(mock, { token: held.token, headers: { prefer: 'delay=1500' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await logout(mock, { token: quick.token })).status).toBe(200);
    expect((await slow).status).toBe(200);
    const entries = (await mock.requests()).filter((e) => e.sub === 'cust-held' || e.sub === 'cust-quick');
    expect(entries.map((e) => e.sub)).toEqual(['cust-quick', 'cust-held']);
    const [first, last] = entries as [JournalEntry, JournalEntry];
    expect(Date.parse(last.at)).toBeGreaterThanOrEqual(Date.parse(first.at));
    expect(Date.parse(last.at)).toBeGreaterThanOrEqual(arrived + 1_400);
    expect(last.ms).toBeGreaterThanOrEqual(1_450);
    // Arrival (`at` − `ms`) was before the quick one arrived.
    expect(Date.parse(last.at) - last.ms).toBeLessThan(Date.parse(first.at) - first.ms);
  });

  it.each(['sign-out', 'signout', 'log-off', 'sign_out', 'logut'])(
    'POST …/customer/%s (a path the contract does not have) is in the log and the journal: operation other, 404, a hint to logout',
    async (name) => {
      const response = await fetch(`${mock.baseUrl}/customer/${name}`, { method: 'POST' });
      expect(response.status).toBe(404);
      const hint = `(did you mean POST ${new URL(mock.urls.logout).pathname}?)`;
      expect(((await response.json()) as { message: string }).message).toContain(hint);
      const journaled = await entry((entries) => entries.find((e) => e.path.endsWith(`/customer/${name}`)));
      expect(journaled).toMatchObject({ operation: 'other', status: 404, method: 'POST' });
      expect(journaled.reason).toContain(hint);
      // The log writes within ~10 ms of the answer: wait for the line rather than race it.
      const logged = () => lines.map((text) => JSON.parse(text) as JournalEntry).find((e) => e.path.endsWith(`/customer/${name}`));
      for (let i = 0; i < 100 && logged() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const line = logged();
      expect(line).toMatchObject({ operation: 'other', status: 404 });
      expect(line?.reason).toContain(hint);
    },
  );
});
