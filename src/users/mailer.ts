import { randomUUID } from 'node:crypto';
import type { MessageKind, OutboxMessage, UserRecord } from '../state/records.ts';
import type { MailPurpose, MailTokens } from '../tokens/mail-tokens.ts';

/** A mail made for a user: the user as it must be stored for the mail's link to work (its newest token), and the message. */
export type Mail = { readonly user: UserRecord; readonly message: OutboxMessage };

/**
 * What the service would email, made for the outbox: an invitation (to a user still invited) and a password-reset
 * link. Each carries a new token that supersedes the user's earlier one of its kind (the user record keeps the `jti`
 * that works); the caller stores the user, then appends the message, so a message never names a token that does not
 * work.
 */
export type Mailer = {
  invitation(user: UserRecord): Promise<Mail>;
  passwordReset(user: UserRecord): Promise<Mail>;
};

/** What the mailer is built from: the token signer, the web app's URL, each token's lifetime (seconds), the clock. */
export type MailerDeps = {
  readonly tokens: MailTokens;
  readonly appUrl: string;
  readonly inviteTtlSeconds: number;
  readonly resetTtlSeconds: number;
  readonly clock: () => number;
};

/** Where each kind of link points in the web app: `<appUrl>/invite/<token>`, `<appUrl>/reset-password/<token>`. */
const LINKS: Readonly<Record<MessageKind, string>> = { invitation: 'invite', 'password-reset': 'reset-password' };

/** Builds the mailer. */
export function createMailer(deps: MailerDeps): Mailer {
  const base = deps.appUrl.replace(/\/+$/, '');
  async function mail(kind: MessageKind, purpose: MailPurpose, ttl: number, user: UserRecord, field: 'invitation' | 'passwordReset'): Promise<Mail> {
    const { token, jti } = await deps.tokens.sign(purpose, user.id, ttl);
    const now = deps.clock();
    return {
      user: { ...user, [field]: jti, updatedAt: now, version: user.version + 1 },
      message: { id: `m_${randomUUID()}`, kind, recipient: user.email, at: new Date(now).toISOString(), token, link: `${base}/${LINKS[kind]}/${token}` },
    };
  }
  return {
    invitation: (user) => mail('invitation', 'invitation', deps.inviteTtlSeconds, user, 'invitation'),
    passwordReset: (user) => mail('password-reset', 'password-reset', deps.resetTtlSeconds, user, 'passwordReset'),
  };
}
