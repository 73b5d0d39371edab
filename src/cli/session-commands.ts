import type { ClockView, SessionsView, TokenView } from '../control/services.ts';
import type { Io } from '../io.ts';
import type { ControlClient } from './client.ts';
import { isoSeconds, relative, table } from './format.ts';

/** The statuses a sign-in can have, as `sessions --status` takes them. */
export const SIGN_IN_STATUSES = ['active', 'logged-out', 'expired'] as const;

/** A sign-in's status: one of SIGN_IN_STATUSES. */
export type SignInStatus = (typeof SIGN_IN_STATUSES)[number];

/** One sign-in (`origin_jti`) and the tokens it was issued, as `sessions` lists it. */
export type SignInView = {
  readonly sid: string;
  readonly sub: string;
  readonly role: string;
  /** `logged-out` once any of its tokens is; else `active` while one of its tokens is; else `expired`. */
  readonly status: SignInStatus;
  /** When its newest id or access token expires, epoch seconds. */
  readonly exp: number;
  /** Its tokens, oldest first: `jti`, `tokenUse` (`access`/`id`), `status`, `exp` (epoch seconds). */
  readonly tokens: readonly Pick<TokenView, 'jti' | 'tokenUse' | 'status' | 'exp'>[];
  /** How often it was refreshed, and how many refresh storms it had (the storm detector's counts). */
  readonly refreshes: number;
  readonly storms: number;
  /** Its latest storm: first and last refresh (ISO times) and how many refreshes. */
  readonly lastStorm?: SessionsView['signIns'][number]['lastStorm'];
};

/**
 * Groups the mock's issued-token list (`GET /__mock/sessions`, oldest first) into sign-ins, in the order each first
 * appears, with each one's refresh counts from the same answer's `signIns` (0 when it has none).
 */
export function signInsOf(tokens: readonly TokenView[], counts: SessionsView['signIns'] = []): SignInView[] {
  const countsOf = new Map(counts.map((c) => [c.sid, c]));
  const bySid = new Map<string, TokenView[]>();
  for (const token of tokens) bySid.set(token.sid, [...(bySid.get(token.sid) ?? []), token]);
  return [...bySid.entries()].map(([sid, list]) => {
    const first = list[0] as TokenView;
    const status: SignInStatus = list.some((t) => t.status === 'logged-out') ? 'logged-out' : list.some((t) => t.status === 'active') ? 'active' : 'expired';
    return {
      sid,
      sub: first.sub,
      role: first.role,
      status,
      exp: Math.max(...list.map((t) => t.exp)),
      tokens: list.map(({ jti, tokenUse, status, exp }) => ({ jti, tokenUse, status, exp })),
      refreshes: countsOf.get(sid)?.refreshes ?? 0,
      storms: countsOf.get(sid)?.storms ?? 0,
      ...(countsOf.get(sid)?.lastStorm === undefined ? {} : { lastStorm: countsOf.get(sid)?.lastStorm }),
    };
  });
}

/** `sessions`' options as commander parsed them. */
export type SessionsOptions = { sub?: string; status?: SignInStatus; json?: boolean };

/**
 * `sessions`: one row per sign-in under a header — sid, sub, status, when its tokens expire (and how far that is
 * from the mock's clock, or `expired early` after `sessions expire`), how often it was refreshed and its refresh
 * storms, its token jtis newest first; `--sub`/`--status` filter; `--json` prints the sign-ins.
 * Says so when there is none. Throws RemoteError when the mock is unreachable.
 */
export async function listSessions(client: ControlClient, opts: SessionsOptions, io: Io): Promise<void> {
  const [{ sessions, signIns: counts }, clock] = await Promise.all([
    client.request<Partial<SessionsView> & { sessions: TokenView[] }>('GET', '/__mock/sessions'),
    client.request<ClockView>('GET', '/__mock/clock').catch(() => undefined),
  ]);
  const signIns = signInsOf(sessions, counts).filter(
    (s) => (opts.sub === undefined || s.sub === opts.sub) && (opts.status === undefined || s.status === opts.status),
  );
  if (opts.json) return io.stdout(`${JSON.stringify(signIns, null, 2)}\n`);
  if (signIns.length === 0) {
    const filters = [opts.sub !== undefined ? `--sub ${opts.sub}` : '', opts.status !== undefined ? `--status ${opts.status}` : ''].filter(Boolean);
    return io.stdout(
      filters.length
        ? `no sign-ins match ${filters.join(' ')}\n`
        : 'no sign-ins yet: sign in (POST …/customer/sign-in) or mint one with `worth-auth-mock token`\n',
    );
  }
  const now = clock ? Date.parse(clock.now) : undefined;
  const rows = signIns.map((s) => [
    s.sid,
    s.sub,
    s.status,
    `${isoSeconds(s.exp * 1000)}${now === undefined ? '' : ` (${s.status === 'expired' && s.exp * 1000 > now ? 'expired early' : relative(s.exp * 1000, now)})`}`,
    s.storms === 0 ? String(s.refreshes) : `${s.refreshes} (${s.storms} storm${s.storms === 1 ? '' : 's'})`,
    [...s.tokens]
      .reverse()
      .map((t) => `${t.tokenUse}:${t.jti}`)
      .join(' '),
  ]);
  io.stdout(table(['SID', 'SUB', 'STATUS', 'EXPIRES', 'REFRESHES', 'TOKENS (newest first)'], rows));
}

/**
 * `sessions expire <sid>`: expires one sign-in's current id and access tokens now (`POST /__mock/sessions/{sid}/expire`);
 * its refresh token stays valid, so an app's refresh-on-401 path runs. Throws RemoteError (exit 1) when the sign-in
 * has no live token.
 */
export async function expireSession(client: ControlClient, sid: string, opts: { json?: boolean }, io: Io): Promise<void> {
  const answer = await client.request<{ sid: string; expired: string[] }>('POST', `/__mock/sessions/${encodeURIComponent(sid)}/expire`);
  if (opts.json) return io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  io.stdout(
    `expired sign-in ${answer.sid}: ${answer.expired.length} token${answer.expired.length === 1 ? '' : 's'} (${answer.expired.join(', ')}) now answer 401; its refresh token still refreshes it\n`,
  );
}
