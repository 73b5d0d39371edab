// The store contract, its refresh part: what every store keeps of a sign-in's refreshes (the storm detector's tally,
// rotation's current refresh token), judged by the one set of rules in refresh-records.ts. Same three stores as
// store-interface.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/state/journal.ts';
import { applyRefresh, RECENT_KEPT, type RefreshStep, type StormRule } from '../../src/state/refresh-records.ts';
import type { Store } from '../../src/state/store.ts';
import { storeBackends } from '../support/store-backends.ts';

const backends = storeBackends();

const T0 = 1_800_000_000_000;
const HOUR = 3_600_000;
const STORM: StormRule = { count: 2, windowMs: 10_000 };
/** A refresh at `T0 + ms`, kept an hour, under the default storm rule unless told otherwise. */
const at = (ms: number, extra: Partial<RefreshStep> = {}): RefreshStep => ({ nowMs: T0 + ms, untilMs: T0 + HOUR, storm: STORM, ...extra });
const rotating = (ms: number, generation: number, graceMs = 0): RefreshStep => at(ms, { rotation: { generation, graceMs } });

describe('the rules (applyRefresh), on their own', () => {
  it('counts refreshes within the window, their span and the gap since the last; a storm is a run of them past the count', () => {
    let record = applyRefresh(undefined, 's', at(0)).record;
    expect(record).toMatchObject({ refreshes: 1, storms: 0, recent: [T0] });
    const second = applyRefresh(record, 's', at(400));
    expect(second.result.tally).toEqual({ refreshes: 2, storms: 1, inWindow: 2, spanMs: 400, sinceLastMs: 400, stormy: true });
    record = applyRefresh(second.record, 's', at(9000)).record;
    expect(record.storm).toEqual({ from: T0, at: T0 + 9000, refreshes: 3 });
    expect(record.storms).toBe(1);
  });

  it('keeps at most RECENT_KEPT refresh times however fast they come', () => {
    let record = applyRefresh(undefined, 's', at(0)).record;
    for (let i = 1; i < RECENT_KEPT + 20; i++) record = applyRefresh(record, 's', at(i)).record;
    expect(record.recent).toHaveLength(RECENT_KEPT);
    expect(record.storm?.refreshes).toBe(RECENT_KEPT + 20);
  });
});

describe.each(backends)('$name store', (backend) => {
  const opened: Store[] = [];
  const open = async (namespace = backend.namespace()) => {
    const store = await backend.open(namespace);
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  describe('the storm detector’s tally', () => {
    it('counts every refresh; two within the window are a storm, a run of them one storm; a quiet window ends it', async () => {
      const store = await open();
      const tallies = [];
      for (const ms of [0, 1000, 3000, 30_000, 31_000]) tallies.push((await store.refreshSignIn('s-1', at(ms))).tally);
      expect(tallies.map((t) => [t.refreshes, t.storms, t.inWindow, t.stormy])).toEqual([
        [1, 0, 1, false],
        [2, 1, 2, true],
        [3, 1, 3, true],
        [4, 1, 1, false],
        [5, 2, 2, true],
      ]);
      expect(tallies[2]).toMatchObject({ spanMs: 3000, sinceLastMs: 2000 });
      expect(await store.listRefreshes(T0 + 31_000)).toEqual([
        expect.objectContaining({ sid: 's-1', refreshes: 5, storms: 2, storm: { from: T0 + 30_000, at: T0 + 31_000, refreshes: 2 } }),
      ]);
    });

    it('with the detector off (no rule) counts refreshes and finds no storm', async () => {
      const store = await open();
      await store.refreshSignIn('s-off', at(0, { storm: undefined }));
      const { tally } = await store.refreshSignIn('s-off', at(1, { storm: undefined }));
      expect(tally).toMatchObject({ refreshes: 2, storms: 0, stormy: false, sinceLastMs: 1 });
    });

    it('lists records by sign-in id, one when asked; forgets each at its until, and starts afresh after', async () => {
      const store = await open();
      await store.refreshSignIn('s-b', at(0, { untilMs: T0 + 5000 }));
      await store.refreshSignIn('s-a', at(0));
      await store.refreshSignIn('s-c', at(0));
      expect((await store.listRefreshes(T0)).map((r) => r.sid)).toEqual(['s-a', 's-b', 's-c']);
      expect((await store.listRefreshes(T0, 's-b')).map((r) => r.refreshes)).toEqual([1]);
      expect(await store.listRefreshes(T0, 's-none')).toEqual([]);
      expect((await store.listRefreshes(T0 + 5000)).map((r) => r.sid)).toEqual(['s-a', 's-c']);
      expect(await store.listRefreshes(T0 + 5000, 's-b')).toEqual([]);
      expect((await store.refreshSignIn('s-b', at(6000))).tally).toMatchObject({ refreshes: 1, stormy: false });
    });

    it('keeps a journal entry’s warning, and filters on whether one has it', async () => {
      const store = await open();
      const plain: JournalEntry = { at: new Date(T0).toISOString(), method: 'POST', path: '/r', status: 200, reason: 'refreshed', ms: 1 };
      const warned: JournalEntry = { ...plain, warning: 'refresh storm: sign-in s refreshed 2 times in 0.4 s' };
      await store.appendRequest(plain);
      await store.appendRequest(warned);
      expect(await store.listRequests({})).toEqual([plain, warned]);
      expect(await store.listRequests({ warned: true })).toEqual([warned]);
      expect(await store.listRequests({ warned: false })).toEqual([plain]);
    });
  });

  describe('rotation', () => {
    it('rotates the current refresh token; the superseded one is reused at once with no grace', async () => {
      const store = await open();
      expect((await store.refreshSignIn('s-r', rotating(0, 0))).rotation).toEqual({ outcome: 'rotated', generation: 1, rotatedAt: T0 });
      expect((await store.refreshSignIn('s-r', rotating(1, 0))).rotation).toEqual({ outcome: 'reused', generation: 1, rotatedAt: T0 });
      expect((await store.refreshSignIn('s-r', rotating(2, 1))).rotation).toMatchObject({ outcome: 'rotated', generation: 2 });
      expect((await store.refreshSignIn('s-r', rotating(3, 0))).rotation).toMatchObject({ outcome: 'reused', generation: 2 });
      expect(await store.listRefreshes(T0 + 3, 's-r')).toEqual([expect.objectContaining({ refreshes: 4, generation: 2, rotatedAt: T0 + 2 })]);
    });

    it('lets the superseded token refresh within the grace after its first use (the current one stands), not after', async () => {
      const store = await open();
      await store.refreshSignIn('s-g', rotating(0, 0, 5000));
      expect((await store.refreshSignIn('s-g', rotating(4999, 0, 5000))).rotation).toEqual({ outcome: 'grace', generation: 1, rotatedAt: T0 });
      expect((await store.refreshSignIn('s-g', rotating(5000, 0, 5000))).rotation).toMatchObject({ outcome: 'reused', generation: 1 });
      // Two generations back is reused whatever the grace.
      await store.refreshSignIn('s-g', rotating(6000, 1, 5000));
      expect((await store.refreshSignIn('s-g', rotating(6001, 0, 5000))).rotation).toMatchObject({ outcome: 'reused', generation: 2 });
    });

    it('takes a token newer than any it knows as current (a store reset or pruned meanwhile)', async () => {
      const store = await open();
      expect((await store.refreshSignIn('s-n', rotating(0, 5))).rotation).toMatchObject({ outcome: 'rotated', generation: 6 });
    });

    it('of 20 concurrent refreshes with one token, exactly one rotates it; every one is counted', async () => {
      const store = await open();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.refreshSignIn('s-race', rotating(0, 0))));
      expect(results.filter((r) => r.rotation?.outcome === 'rotated')).toHaveLength(1);
      expect(results.filter((r) => r.rotation?.outcome === 'reused')).toHaveLength(19);
      expect(await store.listRefreshes(T0, 's-race')).toEqual([expect.objectContaining({ refreshes: 20, storms: 1, generation: 1 })]);
    });
  });

  it('forgets refresh records on reset', async () => {
    const store = await open();
    await store.refreshSignIn('s-x', rotating(0, 0));
    await store.reset();
    expect(await store.listRefreshes(T0)).toEqual([]);
    expect((await store.refreshSignIn('s-x', rotating(1, 0))).rotation?.outcome).toBe('rotated');
  });

  if (backend.durable)
    it('keeps refresh records for the next store on the same namespace: which token is current, the storms', async () => {
      const namespace = backend.namespace();
      const first = await open(namespace);
      await first.refreshSignIn('s-d', rotating(0, 0));
      await first.refreshSignIn('s-d', rotating(100, 1));
      await first.close();
      const second = await open(namespace);
      expect(await second.listRefreshes(T0 + 100)).toEqual([expect.objectContaining({ sid: 's-d', refreshes: 2, storms: 1, generation: 2 })]);
      expect((await second.refreshSignIn('s-d', rotating(200, 1))).rotation?.outcome).toBe('reused');
    });

  if (backend.shared)
    it('shares refreshes between two stores on one namespace: one on each within the window is a storm; a rotation on one makes a reuse on the other', async () => {
      const namespace = backend.namespace();
      const [a, b] = [await open(namespace), await open(namespace)];
      expect((await a.refreshSignIn('s-two', rotating(0, 0))).tally.stormy).toBe(false);
      const onB = await b.refreshSignIn('s-two', rotating(500, 0));
      expect(onB.tally).toMatchObject({ refreshes: 2, storms: 1, stormy: true, sinceLastMs: 500 });
      expect(onB.rotation?.outcome).toBe('reused');
      const racing = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).refreshSignIn('s-two', rotating(600, 1))));
      expect(racing.filter((r) => r.rotation?.outcome === 'rotated')).toHaveLength(1);
      expect(await a.listRefreshes(T0 + 600)).toEqual(await b.listRefreshes(T0 + 600));
    });
});
