// @ts-check
// The QA panel: minting a token, and the sessions (one row per sign-in) with "Target" and "Expire now", and a badge
// on a sign-in that had a refresh storm.
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
/** One sign-in: its tokens (the first access and id token, and every refresh of them) taken together. */
/** @typedef {{ sid: string, sub: string, role: string, kind: string, iat: number, exp: number, status: string }} SignIn */
/** @type {Map<string, { row: HTMLTableRowElement, expires: HTMLTableCellElement, status: HTMLSpanElement, storm: HTMLSpanElement, expire: HTMLButtonElement, target: HTMLButtonElement, state: string }>} */
const sessionRows = new Map();
/** @type {Record<string, string>} */
const SESSION_LABEL = { active: 'active', 'logged-out': 'logged out', expired: 'expired' };

/**
 * One row per sign-in. It is logged out when any of its tokens is (a logout revokes the whole sign-in), active
 * while any token is (a refresh mints new ones after the first expired), else expired.
 * @param {SessionRecord[]} records
 * @returns {SignIn[]}
 */
function signIns(records) {
  /** @type {Map<string, { first: SessionRecord, statuses: Set<string>, exp: number, activeExp: number }>} */
  const bySid = new Map();
  for (const r of records) {
    const s = bySid.get(r.sid) ?? { first: r, statuses: new Set(), exp: 0, activeExp: 0 };
    s.statuses.add(r.status);
    s.exp = Math.max(s.exp, r.exp);
    if (r.status === 'active') s.activeExp = Math.max(s.activeExp, r.exp);
    bySid.set(r.sid, s);
  }
  const list = [...bySid.values()].map(({ first, statuses, exp, activeExp }) => {
    const status = statuses.has('logged-out') ? 'logged-out' : statuses.has('active') ? 'active' : 'expired';
    return { sid: first.sid, sub: first.sub, role: first.role, kind: first.kind, iat: first.iat, exp: activeExp || exp, status };
  });
  // Newest sign-in first; the registry lists in issue order, so ties in iat keep that order, reversed.
  return list.reverse().sort((a, b) => b.iat - a.iat);
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
 * the latest storm was. @param {HTMLSpanElement} badge @param {SignInRefreshes | undefined} counts
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

/** @param {SessionRecord[]} records @param {SignInRefreshes[]} refreshes */
function renderSessions(records, refreshes) {
  const countsOf = new Map(refreshes.map((r) => [r.sid, r]));
  const tbody = $('sessions-rows');
  const list = signIns(records);
  /** @type {Set<string>} */
  const seen = new Set();
  /** @type {Record<string, number>} */
  const counts = { active: 0, 'logged-out': 0, expired: 0 };
  list.forEach((s, index) => {
    seen.add(s.sid);
    counts[s.status] = (counts[s.status] || 0) + 1;
    let entry = sessionRows.get(s.sid);
    if (!entry) {
      entry = sessionRow(s);
      sessionRows.set(s.sid, entry);
    }
    entry.expires.textContent = timeOf(s.exp * 1000);
    showStorms(entry.storm, countsOf.get(s.sid));
    if (entry.state !== s.status) {
      entry.status.className = `badge ${s.status}`;
      entry.status.textContent = SESSION_LABEL[s.status] || s.status;
      // Only a live sign-in can be expired; keep a keyboard user's focus in the row when its button goes.
      if (s.status !== 'active' && document.activeElement === entry.expire) entry.target.focus();
      entry.expire.disabled = s.status !== 'active';
      entry.state = s.status;
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
  $('sessions-count').textContent = list.length ? `${counts.active} active · ${counts['logged-out']} logged out · ${counts.expired} expired` : '';
}
pollers.push(async () => {
  /** @type {{ sessions: SessionRecord[], signIns?: SignInRefreshes[] }} */
  const { sessions, signIns = [] } = await api('GET', '/sessions');
  renderSessions(sessions, signIns);
});
