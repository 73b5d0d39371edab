import type { Config } from '../config/config.ts';
import { RECENT_KEPT, type RefreshTally, type RotationVerdict, type StormRule } from '../state/refresh-records.ts';
import type { Store } from '../state/store.ts';
import type { Issuer, RefreshGrant } from './issuer.ts';
import type { SignIns } from './sign-ins.ts';

/**
 * What the refresh policy makes of one refresh of a live sign-in: it refreshes (with the refresh token to answer when
 * rotation is on, and what the reason adds), or it is refused as a reused token; either way the storm detector's
 * warning when the refresh is part of a storm.
 */
export type RefreshJudgement =
  | { readonly ok: true; readonly refreshToken: string | undefined; readonly note: string; readonly warning: string | undefined }
  | { readonly ok: false; readonly reason: string; readonly warning: string | undefined };

/** The storm detector and rotation, over the store's refresh records (refresh-records.ts holds their rules). */
export type RefreshPolicy = {
  /**
   * Tallies one refresh of the grant's (live) sign-in and, with rotation on, judges its refresh token: current →
   * a new one; superseded within the grace → the current one again; else reused → refused (and with
   * `--refresh-reuse revoke` the whole sign-in revoked). `forced`: a fault or `Prefer: code=200` forces the 200, so a
   * reuse is answered with the current token and revokes nothing.
   */
  judge(grant: RefreshGrant, forced: boolean): Promise<RefreshJudgement>;
};

/** What createRefreshPolicy needs. */
export type RefreshPolicyDeps = {
  readonly config: Pick<Config, 'refreshStorm' | 'refreshRotation' | 'refreshGraceSeconds' | 'refreshReuse'>;
  readonly store: Store;
  readonly issuer: Issuer;
  readonly signIns: SignIns;
  readonly clock: () => number;
};

/** Builds the refresh policy. */
export function createRefreshPolicy(deps: RefreshPolicyDeps): RefreshPolicy {
  const { config, store, issuer, signIns, clock } = deps;
  const storm: StormRule | undefined = config.refreshStorm === 'off' ? undefined : config.refreshStorm;
  const graceMs = config.refreshGraceSeconds * 1000;
  const { refreshTtlSeconds, clockToleranceSeconds } = signIns.lifetime;

  return {
    async judge(grant, forced) {
      const now = clock();
      // Kept as long as the sign-in can refresh (its refresh token's lifetime from auth_time), at least one storm window.
      const refreshEndMs = Math.min(grant.authTime + refreshTtlSeconds, Math.floor(now / 1000) + refreshTtlSeconds) * 1000;
      const untilMs = Math.max(refreshEndMs + clockToleranceSeconds * 1000, now + (storm?.windowMs ?? 0) + 1000);
      const generation = grant.generation ?? 0;
      const { tally, rotation } = await store.refreshSignIn(grant.sid, {
        nowMs: now,
        untilMs,
        storm,
        rotation: config.refreshRotation ? { generation, graceMs } : undefined,
      });
      const warning = storm !== undefined && tally.stormy ? stormWarning(grant.sid, tally, storm) : undefined;
      if (rotation === undefined) return { ok: true, refreshToken: undefined, note: '', warning };
      const refreshToken = () => issuer.sealRefresh({ ...grant, generation: rotation.generation });
      switch (rotation.outcome) {
        case 'rotated':
          return { ok: true, refreshToken: await refreshToken(), note: ` (rotation: a new refresh token, #${rotation.generation})`, warning };
        case 'grace':
          return {
            ok: true,
            refreshToken: await refreshToken(),
            note: ` (rotation: a superseded refresh token within its ${config.refreshGraceSeconds} s grace; the current one, #${rotation.generation}, again)`,
            warning,
          };
        case 'reused': {
          if (forced)
            return {
              ok: true,
              refreshToken: await refreshToken(),
              note: ` (a reused refresh token: answered with the current one, #${rotation.generation})`,
              warning,
            };
          const why = `refresh token reused (${superseded(generation, rotation, graceMs, now)})`;
          if (config.refreshReuse === 'refuse')
            return { ok: false, reason: `${why}: refused; sign-in ${grant.sid} stays signed in (--refresh-reuse refuse)`, warning };
          await signIns.revokeGrant(grant);
          return { ok: false, reason: `${why}: sign-in ${grant.sid} revoked, all its tokens now answer 401 (--refresh-reuse revoke)`, warning };
        }
      }
    },
  };
}

/** How long ago a reused refresh token was superseded: since its first use, against the grace, for the one just superseded; else how many rotations ago. */
function superseded(generation: number, rotation: RotationVerdict, graceMs: number, now: number): string {
  if (generation === rotation.generation - 1 && rotation.rotatedAt !== undefined) {
    return `superseded by rotation ${duration(now - rotation.rotatedAt)} ago, grace ${graceMs / 1000} s`;
  }
  return `superseded ${rotation.generation - generation} rotations ago`;
}

/** The storm detector's warning: the sign-in, how many refreshes within how long, and how far apart. */
export function stormWarning(sid: string, tally: RefreshTally, rule: StormRule): string {
  const count = tally.inWindow >= RECENT_KEPT ? `${RECENT_KEPT}+` : String(tally.inWindow);
  const gap = tally.sinceLastMs === undefined ? '' : `, ${duration(tally.sinceLastMs)} after the one before`;
  return `refresh storm: sign-in ${sid} refreshed ${count} times in ${duration(tally.spanMs)}${gap} (a storm: ${rule.count} within ${duration(rule.windowMs)})`;
}

/** Under 10 s, seconds to two decimals; from 10 s on, to one (no trailing zeros, no grouping). */
const SHORT_SECONDS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, useGrouping: false });
const LONG_SECONDS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, useGrouping: false });

/** Milliseconds as people read them: `0 ms`, `850 ms`, `1 s` (for 1001 ms), `1.25 s`, `12.3 s`, `10 s`. */
function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${(seconds < 10 ? SHORT_SECONDS : LONG_SECONDS).format(seconds)} s`;
}
