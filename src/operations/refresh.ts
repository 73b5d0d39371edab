import type { JournalEntry } from '../state/journal.ts';
import type { RefreshCheck, RefreshGrant } from '../tokens/issuer.ts';
import { createRefreshPolicy, type RefreshJudgement } from '../tokens/refresh-policy.ts';
import { signInKey } from '../tokens/revocation.ts';
import type { RefreshedTokens } from '../tokens/sign-ins.ts';
import { signInEnded } from '../users/sign-in-rules.ts';
import { demoOrFirstUser } from '../users/user-directory.ts';
import { objectOf } from './answers.ts';
import type { Operation, Subject } from './operation.ts';
import { invalidToken, type Outcome, type OutcomeBase } from './outcome.ts';
import type { OperationRequest } from './request.ts';
import { refreshCookie, refreshCookieAt } from './sign-in.ts';

/** A refresh request's subject: its sign-in and user once its token opens, and the token opened (or why not). */
type RefreshSubject = Subject & { readonly check?: RefreshCheck };

/** A refresh's outcome, with the storm detector's warning for its journal entry (the answer itself never changes). */
type RefreshOutcome = Outcome & Pick<JournalEntry, 'warning'>;

/**
 * Customer Refresh Token (spec: operationId `refresh`, `POST /refresh-token/customer`, public). After the shared
 * steps, its own: a body that is not JSON, not an object, or a `refresh_token` that is not a string → 400; no refresh
 * token (body or cookie) → the documented 400; unknown, tampered or expired → 401; its sign-in logged out, or its user
 * deactivated or removed → 401; with `--refresh-rotation`, a superseded refresh token past its grace → 401 (reused;
 * `--refresh-reuse revoke` also revokes the sign-in); else 200 with the sign-in's next access and id tokens (same
 * `origin_jti` and `auth_time`, new `jti`), and with rotation a new refresh token (body and cookie). The token is the
 * JSON body's `refresh_token`, else the refresh cookie sign-in set. Every refresh of a live sign-in is tallied by the
 * storm detector, whose warning goes to the journal and the request log. A forced 200 refreshes the request's sign-in
 * when its token opens, else it answers the tokens of a new sign-in of the demo user.
 */
export const refresh = {
  name: 'refresh' as const,
  decides: [200, 400, 401, 500],
  body: 'json-untyped',
  scopes: ['sub', 'sid', 'customer'],
  create({ config, store, clock, issuer, signIns, basePath }, contract) {
    const example = objectOf(contract.examples.get(200));
    const cookieName = config.refreshCookie;
    const policy = createRefreshPolicy({ config, store, issuer, signIns, clock });
    /** The refresh token a request carries: the body's `refresh_token`, else (when the body names none) the cookie. */
    const tokenOf = (request: OperationRequest): string | undefined => {
      const given = objectOf(request.json)?.refresh_token;
      if (typeof given === 'string' && given !== '') return given;
      return given === undefined ? request.cookie?.(cookieName) : undefined;
    };
    /** The 200: the new tokens, with rotation the new refresh token (in the body, and replacing the cookie for as long as it lives). */
    const answer = (tokens: RefreshedTokens, base: OutcomeBase, reason: string, judged?: RefreshJudgement): RefreshOutcome => {
      const refreshToken = judged?.ok ? judged.refreshToken : undefined;
      const data = { access_token: tokens.token, id_token: tokens.idToken, ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }) };
      const outcome: RefreshOutcome = {
        ...base,
        claims: tokens.claims,
        status: 200,
        reason: judged?.ok ? `${reason}${judged.note}` : reason,
        body: { status: example?.status, message: example?.message, data },
        warning: judged?.warning,
      };
      if (refreshToken === undefined) return outcome;
      const authTime = Number(tokens.claims.auth_time);
      const maxAgeSeconds = Math.max(0, authTime + issuer.refreshTtlSeconds - Math.floor(clock() / 1000));
      return { ...outcome, cookies: [refreshCookie({ ...refreshCookieAt(cookieName, basePath), maxAgeSeconds }, refreshToken)] };
    };
    /** A refresh of a live sign-in: judged (storms, rotation), then refreshed or refused as a reused token. */
    const refreshed = async (grant: RefreshGrant, base: OutcomeBase, forced: boolean): Promise<RefreshOutcome> => {
      const judged = await policy.judge(grant, forced);
      if (!judged.ok) {
        const refused: RefreshOutcome = { ...invalidToken(judged.reason, base), warning: judged.warning };
        return refused;
      }
      return answer(await signIns.refresh(grant), base, `refreshed sign-in ${grant.sid}`, judged);
    };

    return {
      async identify(request): Promise<RefreshSubject> {
        const token = tokenOf(request);
        if (token === undefined) return {};
        const check = await issuer.checkRefreshToken(token);
        return check.ok ? { sub: check.grant.sub, sid: check.grant.sid, check } : { check };
      },
      async decide(request, { base, subject }) {
        const json = request.json;
        const given = objectOf(json)?.refresh_token;
        if (request.hasBody && json === undefined)
          return { ...base, status: 400, reason: 'body must be JSON (Content-Type: application/json): { "refresh_token" }' };
        if (json !== undefined && objectOf(json) === undefined) return { ...base, status: 400, reason: 'body must be a JSON object { "refresh_token" }' };
        if (given !== undefined && typeof given !== 'string') return { ...base, status: 400, reason: 'refresh_token must be a string' };
        const { check } = subject as RefreshSubject;
        if (check === undefined)
          return { ...base, status: 400, reason: `no refresh token: send { "refresh_token": "<token>" } or the ${cookieName} cookie sign-in set` };
        if (!check.ok) return invalidToken(check.reason, base);
        const { grant } = check;
        const state = await store.signInState([signInKey(grant.sid)], grant.sub, clock());
        if (state.revoked !== undefined) return invalidToken('refresh token has been revoked: its sign-in logged out', base);
        const ended = signInEnded(state.user, grant.sid);
        if (ended !== undefined) return invalidToken(`refresh token is no longer valid: ${ended}`, base);
        return refreshed(grant, base, false);
      },
      async success(_request, { base, subject }) {
        const { check } = subject as RefreshSubject;
        if (check?.ok) return refreshed(check.grant, base, true);
        const started = await signIns.start(await demoOrFirstUser(store, clock()));
        // With rotation, a refresh answers a refresh token: the new sign-in's.
        const judged: RefreshJudgement | undefined = config.refreshRotation
          ? { ok: true, refreshToken: started.refreshToken, note: '', warning: undefined }
          : undefined;
        return answer(started, base, `new sign-in ${started.claims.origin_jti} (no refresh token of a live sign-in to refresh)`, judged);
      },
    };
  },
} satisfies Operation;
