/**
 * What every store keeps of a sign-in's refreshes, and the one set of rules that changes it (every store applies
 * `applyRefresh`; Redis swaps its result in with a compare-and-set, so the rules are never copied into Lua): the
 * storm detector's tally, and, with rotation on, which refresh token of the sign-in is current. One small record per
 * refreshed sign-in, kept until the sign-in's refresh token expires (`until`), then pruned.
 */

/** The storm detector's rule: `count` refreshes of one sign-in within `windowMs` are a storm. */
export type StormRule = { readonly count: number; readonly windowMs: number };

/** Refresh times kept per sign-in: enough to count a storm's refreshes within its window (a count past it reads "50+"). */
export const RECENT_KEPT = 50;

/** The latest storm of a sign-in: when its first and last refreshes came (epoch ms), and how many refreshes it has had. */
export type StormRecord = { readonly from: number; readonly at: number; readonly refreshes: number };

/** One sign-in's refreshes, as every store keeps it (JSON-safe). */
export type RefreshRecord = {
  /** The sign-in (`origin_jti`). */
  readonly sid: string;
  /** Refreshes of it the mock judged, all told (refused reuses included). */
  readonly refreshes: number;
  /** Storms: runs of refreshes, each within the window of the last, that reached the rule's count. */
  readonly storms: number;
  /** Its latest refreshes (epoch ms, oldest first): those within the storm window, at most RECENT_KEPT. */
  readonly recent: readonly number[];
  readonly storm?: StormRecord;
  /** Rotation: the generation of its current refresh token (0: the one sign-in gave). */
  readonly generation?: number;
  /** Rotation: when the current refresh token was minted, epoch ms: the first use of the one it superseded. */
  readonly rotatedAt?: number;
  /** Epoch ms from which it is forgotten: when the sign-in's refresh token has expired. */
  readonly until: number;
};

/** What one refresh asks of the store: when, until when its record is kept, the storm rule (none: off), and rotation's judgement. */
export type RefreshStep = {
  readonly nowMs: number;
  readonly untilMs: number;
  readonly storm?: StormRule;
  /** With rotation on: the generation of the refresh token presented, and how long a superseded one still refreshes after its first use. */
  readonly rotation?: { readonly generation: number; readonly graceMs: number };
};

/** The storm detector's view of one refresh. */
export type RefreshTally = {
  /** The sign-in's refreshes all told, and its storms, this one counted. */
  readonly refreshes: number;
  readonly storms: number;
  /** Refreshes within the storm window, this one included (at most RECENT_KEPT). */
  readonly inWindow: number;
  /** From the first refresh within the window to this one, ms. */
  readonly spanMs: number;
  /** Since the sign-in's refresh before this one, ms (undefined for its first). */
  readonly sinceLastMs: number | undefined;
  /** This refresh is part of a storm. */
  readonly stormy: boolean;
};

/**
 * Rotation's judgement of the refresh token presented: `rotated` (it was current, or newer than any the store knows:
 * a new one is current now), `grace` (it was superseded within the grace period: it refreshes, the current one stands),
 * `reused` (superseded before that). `generation` is the current one after this step.
 */
export type RotationVerdict = {
  readonly outcome: 'rotated' | 'grace' | 'reused';
  readonly generation: number;
  /** When the current refresh token was minted (epoch ms). */
  readonly rotatedAt: number | undefined;
};

/** What a refresh step answers: the tally, and rotation's verdict when it was asked for. */
export type RefreshResult = { readonly tally: RefreshTally; readonly rotation?: RotationVerdict };

/** Applies one refresh step to a sign-in's record (undefined: none kept): the record to keep, and what the step found. */
export function applyRefresh(record: RefreshRecord | undefined, sid: string, step: RefreshStep): { record: RefreshRecord; result: RefreshResult } {
  const now = step.nowMs;
  const windowMs = step.storm?.windowMs ?? 0;
  const previous = record?.recent.at(-1);
  const recent = [...(record?.recent ?? []).filter((at) => at > now - windowMs && at <= now), now].slice(-RECENT_KEPT);
  const first = recent[0] as number;
  const stormy = step.storm !== undefined && recent.length >= step.storm.count;
  const fresh = stormy && (record?.storm === undefined || now - record.storm.at > windowMs);
  const held = record?.storm;
  const storm: StormRecord | undefined = !stormy
    ? held
    : fresh || held === undefined
      ? { from: first, at: now, refreshes: recent.length }
      : { from: held.from, at: now, refreshes: held.refreshes + 1 };
  const storms = (record?.storms ?? 0) + (fresh ? 1 : 0);
  const refreshes = (record?.refreshes ?? 0) + 1;
  const tally: RefreshTally = {
    refreshes,
    storms,
    inWindow: recent.length,
    spanMs: Math.max(0, now - first),
    sinceLastMs: previous === undefined ? undefined : Math.max(0, now - previous),
    stormy,
  };
  let next: RefreshRecord = {
    sid,
    refreshes,
    storms,
    recent,
    ...(storm === undefined ? {} : { storm }),
    ...(record?.generation === undefined ? {} : { generation: record.generation }),
    ...(record?.rotatedAt === undefined ? {} : { rotatedAt: record.rotatedAt }),
    until: Math.max(record?.until ?? 0, step.untilMs),
  };
  if (step.rotation === undefined) return { record: next, result: { tally } };
  const rotation = judge(record, step.rotation, now);
  next = { ...next, generation: rotation.generation, ...(rotation.rotatedAt === undefined ? {} : { rotatedAt: rotation.rotatedAt }) };
  return { record: next, result: { tally, rotation } };
}

/** Rotation's rule: the current refresh token (or a newer one: the store forgot) rotates; the one before it refreshes within its grace; any other is reused. */
function judge(record: RefreshRecord | undefined, asked: NonNullable<RefreshStep['rotation']>, now: number): RotationVerdict {
  const current = record?.generation ?? 0;
  if (asked.generation >= current) return { outcome: 'rotated', generation: asked.generation + 1, rotatedAt: now };
  const rotatedAt = record?.rotatedAt;
  const inGrace = asked.generation === current - 1 && rotatedAt !== undefined && now < rotatedAt + asked.graceMs;
  return { outcome: inGrace ? 'grace' : 'reused', generation: current, rotatedAt };
}

/** A sign-in's refreshes as `GET /__mock/sessions` and `mock.refreshes()` show them (times as ISO strings). */
export type SignInRefreshes = {
  readonly sid: string;
  readonly refreshes: number;
  readonly storms: number;
  /** The latest storm: its first and last refresh, and how many refreshes it has had. */
  readonly lastStorm?: { readonly from: string; readonly at: string; readonly refreshes: number };
  /** With rotation on: the generation of the sign-in's current refresh token. */
  readonly generation?: number;
};

/** A record as `SignInRefreshes`. */
export function refreshesView(record: RefreshRecord): SignInRefreshes {
  const { sid, refreshes, storms, storm, generation } = record;
  return {
    sid,
    refreshes,
    storms,
    ...(storm === undefined
      ? {}
      : { lastStorm: { from: new Date(storm.from).toISOString(), at: new Date(storm.at).toISOString(), refreshes: storm.refreshes } }),
    ...(generation === undefined ? {} : { generation }),
  };
}

/** Refresh records held in memory by sign-in: what MemoryStore keeps, and what the file store replays its log into. */
export class RefreshRecords {
  #bySid = new Map<string, RefreshRecord>();

  /** Applies one step to `sid`'s record (see applyRefresh) and keeps the result. */
  apply(sid: string, step: RefreshStep): { record: RefreshRecord; result: RefreshResult } {
    const held = this.#bySid.get(sid);
    const applied = applyRefresh(held !== undefined && held.until > step.nowMs ? held : undefined, sid, step);
    this.#bySid.set(sid, applied.record);
    return applied;
  }

  /** Keeps a record as it is (replaying a log). */
  restore(record: RefreshRecord): void {
    this.#bySid.set(record.sid, record);
  }

  /** The records live at `nowMs` (of `sid` only, when given), ordered by sid: a sign-in id is a UUIDv7, so by when it began. */
  list(nowMs: number, sid?: string): RefreshRecord[] {
    if (sid !== undefined) {
      const one = this.#bySid.get(sid);
      return one !== undefined && one.until > nowMs ? [one] : [];
    }
    return [...this.#bySid.values()].filter((record) => record.until > nowMs).sort(bySid);
  }

  /** Drops every record expired at `nowMs`. */
  sweep(nowMs: number): void {
    for (const [sid, record] of this.#bySid) if (record.until <= nowMs) this.#bySid.delete(sid);
  }

  /** Every record held (live, or expired and not swept yet). */
  values(): IterableIterator<RefreshRecord> {
    return this.#bySid.values();
  }

  clear(): void {
    this.#bySid.clear();
  }
}

/** Orders records by sign-in id. */
export function bySid(a: { sid: string }, b: { sid: string }): number {
  return a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0;
}
