// @ts-check
// The QA panel: minting a token, and the sessions (one row per sign-in, in the state the mock names) with "Target" and
// "Expire now", and a badge on a sign-in that had a refresh storm.
// A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

// ---- minting ------------------------------------------------------------------------------
for (const { name, hint } of DATA.tokenKinds) $('mint-kind').append(el('option', { value: name, text: hint ? `${name} — ${hint}` : name }));
$('mint-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  /** @type {{ kind: string, sub?: string, role?: string, ttlSeconds?: number }} */
  const body = { kind: $('mint-kind', HTMLSelectElement).value };
  const sub = textOf('mint-sub');
  if (sub) body.sub = sub;
  const role = textOf('mint-role');
  if (role) body.role = role;
  const ttl = numberOf('mint-ttl');
  if (ttl !== undefined) body.ttlSeconds = ttl;
  try {
    /** @type {IssuedToken} */
    const minted = await api('POST', '/tokens', body);
    $('minted').hidden = false;
    $('minted-token', HTMLTextAreaElement).value = minted.token;
    const c = minted.claims;
    $('minted-meta').textContent = `${minted.kind} · sub ${c.sub} · sign-in ${short(c.origin_jti)} · expires ${timeOf(c.exp * 1000)}`;
    say($('mint-result'), `Minted a ${minted.kind} token for ${c.sub}.`);
    refreshSoon();
  } catch (error) {
    say($('mint-result'), `Not minted: ${messageOf(error)}`, true);
  }
});
/** @param {string} text @param {string} what */
async function copy(text, what) {
  if (await copyText(text)) say($('mint-result'), `Copied ${what}.`);
  else say($('mint-result'), `Could not copy: select the token and copy it by hand.`, true);
}
$('copy-token').addEventListener('click', () => copy($('minted-token', HTMLTextAreaElement).value, 'the token'));
$('copy-curl').addEventListener('click', () => {
  const logout = operationOf('logout');
  const url = `${location.origin}${logout.path}`;
  copy(`curl -i -X ${logout.method} '${url}' -H 'Authorization: Bearer ${$('minted-token', HTMLTextAreaElement).value}'`, 'a curl command');
});

// ---- sessions --------------------------------------------------------------------------------
/** @type {Map<string, { row: HTMLTableRowElement, expires: HTMLTableCellElement, status: HTMLSpanElement, storm: HTMLSpanElement, expire: HTMLButtonElement, target: HTMLButtonElement, state: string }>} */
const sessionRows = new Map();
/** How the panel names each state (the API's names: `SIGN_IN_STATUSES` in src/control/sign-in-history.ts). @type {Record<string, string>} */
const SESSION_LABEL = { active: 'active', 'tokens-expired': 'tokens expired', 'logged-out': 'logged out', ended: 'ended', expired: 'expired' };
/** What ended a sign-in, or logged it out other than by Customer Logout, as the badge says it. @type {Record<string, string>} */
const WHY_LABEL = {
  deactivation: 'user deactivated',
  removal: 'user removed',
  'password-reset': 'password reset',
  operator: 'by an operator',
  'refresh-reuse': 'refresh token reused',
};

/** The state's badge text: its name, and what ended it or logged it out (unless Customer Logout did). @param {SignIn} s */
function stateText(s) {
  const why = s.status === 'ended' ? s.endedBy : s.status === 'logged-out' && s.loggedOutBy !== 'logout' ? s.loggedOutBy : undefined;
  const label = SESSION_LABEL[s.status] || s.status;
  return why ? `${label} (${WHY_LABEL[why] || why})` : label;
}

/** What the state means for the app, for the badge's title. @param {SignIn} s */
function stateTitle(s) {
  const refresh = `its refresh token expires ${dateTimeOf(Date.parse(s.refreshExpiresAt))}`;
  switch (s.status) {
    case 'active':
      return `An id or access token of it is live; ${refresh}.`;
    case 'tokens-expired':
      return `Its id and access tokens ${s.tokensExpiredEarlyAt ? 'were expired on request' : 'have expired'}; its refresh token still refreshes it (until ${dateTimeOf(Date.parse(s.refreshExpiresAt))}).`;
    case 'logged-out':
      return `Logged out${s.loggedOutAt ? ` at ${dateTimeOf(Date.parse(s.loggedOutAt))}` : ''}: every token of it, and its refresh token, answer 401.`;
    case 'ended':
      return 'Its user was deactivated, removed or reset the password after it began: every token of it, and its refresh token, answer 401.';
    default:
      return `Over by time: its refresh token expired ${dateTimeOf(Date.parse(s.refreshExpiresAt))}.`;
  }
}

/** @param {SignIn} s @param {HTMLButtonElement} button */
async function expireNow(s, button) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    /** @type {{ sid: string, expired: string[] }} */
    const { expired } = await api('POST', `/sessions/${encodeURIComponent(s.sid)}/expire`);
    say(
      $('sessions-result'),
      `Expired ${expired.length} token${expired.length === 1 ? '' : 's'} of ${s.sub}'s sign-in ${short(s.sid)} now: its id and access tokens answer 401, its refresh token still works.`,
    );
  } catch (error) {
    say($('sessions-result'), `Not expired: ${messageOf(error)}`, true);
  } finally {
    button.removeAttribute('aria-busy');
  }
  refreshSoon();
}

/** @param {SignIn} s */
function sessionRow(s) {
  const target = el(
    'button',
    { type: 'button', class: 'small', 'aria-label': `Scope faults to sign-in ${s.sid}`, title: 'Scope the next fault to this sign-in only' },
    'Target',
  );
  target.addEventListener('click', () => {
    for (const listener of hooks.target) listener({ sid: s.sid });
  });
  const expire = el(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-label': `Expire sign-in ${s.sid} now`,
      title: 'Expire its id and access tokens now; its refresh token stays valid',
    },
    'Expire now',
  );
  expire.addEventListener('click', () => expireNow(s, expire));
  const status = el('span');
  const storm = el('span', { class: 'badge storm', hidden: true });
  const expires = el('td', { class: 'time' });
  const row = el(
    'tr',
    { 'data-sid': s.sid },
    el('td', { text: s.sub }),
    el('td', { class: 'nowrap', title: s.sid }, el('code', { text: short(s.sid) }), storm),
    el('td', { class: 'nowrap', text: s.kind === 'valid' ? s.role : `${s.role} (${s.kind})` }),
    expires,
    el('td', {}, status),
    el('td', { class: 'actions' }, target, expire),
  );
  return { row, expires, status, storm, expire, target, state: '' };
}

/**
 * Shows a sign-in's refresh storms on its badge (hidden while it had none); its title says how many refreshes, and when
 * the latest storm was. @param {HTMLSpanElement} badge @param {SignIn | undefined} counts
 */
function showStorms(badge, counts) {
  const storms = counts?.storms ?? 0;
  badge.hidden = storms === 0;
  if (!counts || storms === 0) return;
  const text = storms === 1 ? 'storm' : `${storms} storms`;
  const latest = counts.lastStorm;
  const title = `Refresh storm: refreshed ${counts.refreshes} times in all${latest ? `, the latest storm ${latest.refreshes} refreshes from ${preciseTimeOf(Date.parse(latest.from))} to ${preciseTimeOf(Date.parse(latest.at))}` : ''}. The app refreshes this sign-in more than once at a time.`;
  if (badge.textContent !== text) badge.textContent = text;
  if (badge.title !== title) {
    badge.title = title;
    badge.setAttribute('aria-label', title);
  }
}

/** One row per sign-in, newest first, as the mock lists and names them (`signIns` of `GET /__mock/sessions`). @param {SignIn[]} signIns */
function renderSessions(signIns) {
  const tbody = $('sessions-rows');
  // The mock lists sign-ins oldest first: newest first here, ties kept in the mock's order, reversed.
  const list = [...signIns].reverse().sort((a, b) => Date.parse(b.signedInAt) - Date.parse(a.signedInAt));
  /** @type {Set<string>} */
  const seen = new Set();
  /** @type {Record<string, number>} */
  const counts = {};
  list.forEach((s, index) => {
    seen.add(s.sid);
    counts[s.status] = (counts[s.status] || 0) + 1;
    let entry = sessionRows.get(s.sid);
    if (!entry) {
      entry = sessionRow(s);
      sessionRows.set(s.sid, entry);
    }
    const expires = timeOf(Date.parse(s.tokensExpireAt));
    if (entry.expires.textContent !== expires) entry.expires.textContent = expires;
    entry.expires.title = `Its tokens expire${s.tokensExpiredEarlyAt ? 'd early (on request)' : ''} ${dateTimeOf(Date.parse(s.tokensExpireAt))}; its refresh token ${dateTimeOf(Date.parse(s.refreshExpiresAt))}`;
    showStorms(entry.storm, s);
    const text = stateText(s);
    entry.status.title = stateTitle(s);
    if (entry.state !== text) {
      entry.status.className = `badge ${s.status}`;
      entry.status.textContent = text;
      // Only a live sign-in can be expired; keep a keyboard user's focus in the row when its button goes.
      if (s.status !== 'active' && document.activeElement === entry.expire) entry.target.focus();
      entry.expire.disabled = s.status !== 'active';
      entry.state = text;
    }
    if (tbody.children[index] !== entry.row) tbody.insertBefore(entry.row, tbody.children[index] || null);
  });
  for (const [sid, entry] of sessionRows) {
    if (seen.has(sid)) continue;
    if (entry.row.contains(document.activeElement)) $('sessions-heading').focus();
    entry.row.remove();
    sessionRows.delete(sid);
  }
  $('sessions-empty').hidden = list.length > 0;
  const shown = Object.keys(SESSION_LABEL).filter((status) => counts[status]);
  $('sessions-count').textContent = shown.map((status) => `${counts[status]} ${SESSION_LABEL[status]}`).join(' · ');
}
pollers.push(async () => {
  /** @type {{ signIns: SignIn[] }} */
  const { signIns } = await api('GET', '/sessions');
  renderSessions(signIns);
});
