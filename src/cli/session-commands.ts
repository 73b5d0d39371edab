import type { ClockView } from '../control/services.ts';
import type { SessionsView, SignInStatus, SignInView } from '../control/sign-in-history.ts';
import type { Io } from '../io.ts';
import type { ControlClient } from './client.ts';
import { isoSeconds, relative, table } from './format.ts';

export { SIGN_IN_STATUSES } from '../control/sign-in-history.ts';

/** `sessions`' options as commander parsed them. */
export type SessionsOptions = { sub?: string; status?: SignInStatus; json?: boolean };

/**
 * `sessions`: the mock's sign-ins as `GET /__mock/sessions` answers them (`--sub`/`--status` ask it to filter):
 * `--json` prints that answer as it is; else one row per sign-in under a header — sid, sub, state (with what logged it
 * out or ended it), when its tokens expire (how far that is from the mock's clock, or `expired early` after
 * `sessions expire`), when its refresh token expires, how often it was refreshed and its refresh storms, its token
 * jtis newest first. Says so when there is none. Throws RemoteError when the mock is unreachable.
 */
export async function listSessions(client: ControlClient, opts: SessionsOptions, io: Io): Promise<void> {
  const query = new URLSearchParams();
  if (opts.sub !== undefined) query.set('sub', opts.sub);
  if (opts.status !== undefined) query.set('status', opts.status);
  const path = `/__mock/sessions${query.size ? `?${query}` : ''}`;
  const [answer, clock] = await Promise.all([
    client.request<SessionsView>('GET', path),
    opts.json ? undefined : client.request<ClockView>('GET', '/__mock/clock').catch(() => undefined),
  ]);
  if (opts.json) return io.stdout(`${JSON.stringify(answer, null, 2)}\n`);
  const { signIns } = answer;
  if (signIns.length === 0) {
    const filters = [opts.sub !== undefined ? `--sub ${opts.sub}` : '', opts.status !== undefined ? `--status ${opts.status}` : ''].filter(Boolean);
    return io.stdout(
      filters.length
        ? `no sign-ins match ${filters.join(' ')}\n`
        : 'no sign-ins yet: sign in (POST …/customer/sign-in) or mint one with `worth-auth-mock token`\n',
    );
  }
  const now = clock ? Date.parse(clock.now) : undefined;
  const when = (iso: string, early: boolean) =>
    `${isoSeconds(Date.parse(iso))}${now === undefined ? '' : ` (${early ? 'expired early' : relative(Date.parse(iso), now)})`}`;
  const rows = signIns.map((s) => [
    s.sid,
    s.sub,
    stateOf(s),
    when(s.tokensExpireAt, s.tokensExpiredEarlyAt !== undefined),
    when(s.refreshExpiresAt, false),
    s.storms === 0 ? String(s.refreshes) : `${s.refreshes} (${s.storms} storm${s.storms === 1 ? '' : 's'})`,
    [...s.tokens]
      .reverse()
      .map((t) => `${t.tokenUse}:${t.jti}`)
      .join(' '),
  ]);
  io.stdout(table(['SID', 'SUB', 'STATUS', 'TOKENS EXPIRE', 'REFRESH EXPIRES', 'REFRESHES', 'TOKENS (newest first)'], rows));
}

/** A sign-in's state as the table shows it: what ended it, and what logged it out unless Customer Logout did. */
function stateOf(s: SignInView): string {
  if (s.status === 'ended' && s.endedBy !== undefined) return `ended (${s.endedBy})`;
  if (s.status === 'logged-out' && s.loggedOutBy !== undefined && s.loggedOutBy !== 'logout') return `logged-out (${s.loggedOutBy})`;
  return s.status;
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
