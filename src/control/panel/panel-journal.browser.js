// @ts-check
// The QA panel: the journal, newest first, polled; paused and cleared from the page.
// A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

const JOURNAL_ROWS_MAX = 500;
// A request is journaled when it is answered, stamped when it arrived: look back far enough for slow ones.
const JOURNAL_LOOKBACK_MS = 120000;
/** @type {Set<string>} */
const journalKeys = new Set();
let firstJournalLoad = true;
/** @type {number | undefined} */
let newestAt;
let paused = false;
/** @type {JournalEntry[]} */
let held = [];
/** @param {JournalEntry} e */
const keyOf = (e) => [e.at, e.method, e.path, e.status, e.reason, e.faultId, e.jti, e.session, e.email, e.ms].join('|');

/** A long value cut to fit its column (the whole of it in the cell's title). @param {string} v */
const clip = (v) => (v.length > 20 ? `${v.slice(0, 18)}…` : v);
/** Who a request was for: the email a sign-in named, else the token's customer. @param {JournalEntry} e */
function customerCell(e) {
  const title = [e.email, e.sub && `sub ${e.sub}`, e.sid && `sign-in ${e.sid}`].filter(Boolean).join(' · ');
  return el('td', { class: 'nowrap', title: title || undefined, text: e.email ? clip(e.email) : e.sub ? clip(e.sub) : '—' });
}
/**
 * When it was answered; written while the mock's clock ran ahead of the real time, the cell says so (`+1 h`: mock time)
 * and its title gives the real time too. @param {JournalEntry} e
 */
function timeCell(e) {
  const at = Date.parse(e.at);
  if (!e.clockOffsetSeconds) return el('td', { class: 'time', title: e.at, text: preciseTimeOf(at) });
  const ahead = durationOf(e.clockOffsetSeconds * 1000);
  return el(
    'td',
    {
      class: 'time',
      'data-mock-time': 'true',
      title: `${e.at}: mock time, ${ahead} ahead of the real time (${new Date(at - e.clockOffsetSeconds * 1000).toISOString()})`,
    },
    preciseTimeOf(at),
    el('span', { class: 'mock-time', text: ` +${ahead}` }),
  );
}
/** Why it got its answer; the fault that answered, when the reason does not already name it; a warning below (a refresh storm). @param {JournalEntry} e */
function reasonCell(e) {
  const fault = e.faultId && !e.reason.includes(e.faultId) ? el('span', { class: 'muted' }, ' · fault ', el('code', { text: e.faultId })) : null;
  const warning = e.warning ? el('div', { class: 'warning', role: 'note', text: e.warning }) : null;
  return el('td', { class: 'reason' }, e.reason, fault, warning);
}
/** @param {JournalEntry} e @param {boolean} fresh */
function journalRow(e, fresh) {
  const operation = operationOf(e.operation);
  const status =
    e.status === 0
      ? el('span', { class: 'badge s0', title: 'no HTTP answer (network fault or client gone)', text: '—' })
      : el('span', { class: `badge ${statusClass(e.status)}`, title: description(e.status, operation.name), text: String(e.status) });
  return el(
    'tr',
    {
      class: fresh ? 'new' : undefined,
      'data-status': e.status,
      'data-fault': e.faultId,
      'data-operation': e.operation,
      'data-warned': e.warning ? 'true' : undefined,
    },
    timeCell(e),
    el('td', { class: 'nowrap', title: `${e.method} ${e.path}`, text: e.operation || '—' }),
    el('td', {}, status),
    reasonCell(e),
    customerCell(e),
    el('td', { class: 'nowrap', title: e.session, text: e.session ? clip(e.session) : '—' }),
    el('td', { class: 'num', text: String(e.ms) }),
  );
}
/** @param {JournalEntry[]} entries @param {boolean} fresh */
function showJournal(entries, fresh) {
  const tbody = $('journal-rows');
  for (const e of entries) tbody.insertBefore(journalRow(e, fresh), tbody.firstChild);
  while (tbody.children.length > JOURNAL_ROWS_MAX) tbody.lastElementChild?.remove();
  $('journal-empty').hidden = tbody.children.length > 0;
  $('journal-count').textContent = tbody.children.length ? `(${tbody.children.length}${tbody.children.length === JOURNAL_ROWS_MAX ? ' newest' : ''})` : '';
}
async function refreshJournal() {
  const query = newestAt === undefined ? '?limit=100' : `?since=${newestAt - JOURNAL_LOOKBACK_MS}`;
  /** @type {{ requests: JournalEntry[] }} */
  const { requests } = await api('GET', `/requests${query}`);
  /** @type {JournalEntry[]} */
  const fresh = [];
  for (const e of requests) {
    const key = keyOf(e);
    if (journalKeys.has(key)) continue;
    journalKeys.add(key);
    fresh.push(e);
    const at = Date.parse(e.at);
    if (newestAt === undefined || at > newestAt) newestAt = at;
  }
  if (journalKeys.size > 5000) for (const key of [...journalKeys].slice(0, 2500)) journalKeys.delete(key);
  if (paused) held.push(...fresh);
  else showJournal(fresh, !firstJournalLoad);
  firstJournalLoad = false;
}
function clearJournalView() {
  $('journal-rows').replaceChildren();
  held = [];
  showJournal([], false);
}
$('journal-pause').addEventListener('click', () => {
  paused = !paused;
  $('journal-pause').setAttribute('aria-pressed', String(paused));
  $('journal-pause').textContent = paused ? 'Resume' : 'Pause';
  $('journal-live').textContent = paused ? 'PAUSED' : 'LIVE';
  $('journal-live').classList.toggle('paused', paused);
  if (!paused) {
    showJournal(held, true);
    held = [];
  }
});
$('journal-clear').addEventListener('click', async () => {
  try {
    await api('DELETE', '/requests');
    clearJournalView();
  } catch (error) {
    say($('arm-message'), `Journal not cleared: ${messageOf(error)}`, true);
  }
});
$('journal-hint').textContent = `${location.origin}${DATA.basePath}`;
hooks.reset.push(clearJournalView);
pollers.push(refreshJournal);
