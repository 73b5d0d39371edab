// @ts-check
// The QA panel: arming faults (which operation, how often, the scope, the answer) and the list of armed faults.
// A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

/** Control API field → the input that holds it, to mark the one the mock refused. */
/** @type {Record<string, string>} */
const FAULT_INPUTS = {
  times: 'arm-times',
  skip: 'arm-skip',
  probability: 'arm-probability',
  delayMs: 'arm-delay',
  ttlMs: 'arm-ttl',
  'match.sub': 'arm-sub',
  'match.sid': 'arm-sid',
  'match.session': 'arm-session',
  'match.operation': 'arm-operation',
  match: 'arm-sub',
};
/** Why an armed fault may never fire, as the arming answer said; kept for this page's life, by fault id. */
/** @type {Map<string, string[]>} */
const faultWarnings = new Map();

/** The operation the next fault targets (the selector's value). */
const chosenOperation = () => operationOf($('arm-operation', HTMLSelectElement).value);
/** A sign-in request carries no sign-in id yet (it makes one): a sid scope could never match it. */
const sidApplies = () => chosenOperation().name !== 'sign-in';

/** The scope the form will arm with, exactly as it is sent. @returns {FaultMatch} */
function scopeFromForm() {
  /** @type {FaultMatch} */
  const match = {};
  const sub = textOf('arm-sub');
  if (sub) match.sub = sub;
  const sid = textOf('arm-sid');
  if (sid && sidApplies()) match.sid = sid;
  const session = textOf('arm-session');
  if (session) match.session = session;
  const operation = chosenOperation().name;
  if (operation !== DATA.defaultOperation) match.operation = operation;
  return match;
}

/**
 * A duration field in milliseconds: its number times its unit's size (the unit selector's value).
 * @param {string} id the number input; its unit selector is `${id}-unit`
 */
function millisecondsOf(id) {
  const n = numberOf(id);
  return n === undefined ? undefined : Math.round(n * Number($(`${id}-unit`, HTMLSelectElement).value));
}

/** @param {Answer} what @returns {FaultRequest} */
function faultFromForm(what) {
  /** @type {FaultRequest} */
  const fault = { ...what };
  fault.times = $('arm-forever', HTMLInputElement).checked ? null : numberOf('arm-times');
  const skip = numberOf('arm-skip');
  if (skip) fault.skip = skip;
  const probability = numberOf('arm-probability');
  if (probability !== undefined && probability !== 1) fault.probability = probability;
  const delayMs = millisecondsOf('arm-delay');
  if (delayMs) fault.delayMs = delayMs;
  const ttlMs = millisecondsOf('arm-ttl');
  if (ttlMs !== undefined) fault.ttlMs = ttlMs;
  const match = scopeFromForm();
  if (Object.keys(match).length > 0) fault.match = match;
  return fault;
}

/** Which requests a scope picks, in words: `Customer Sign In requests of customer cust-1`. @param {FaultMatch | undefined} match */
function scopeSentence(match) {
  const operation = operationOf(match?.operation);
  const who = [];
  if (match?.sub) who.push(`customer ${match.sub}`);
  if (match?.sid) who.push(`sign-in ${match.sid}`);
  if (match?.session) who.push(`client session ${match.session}`);
  if (operation.name === '*') return who.length ? `requests to every operation of ${who.join(' and ')}` : 'every request to every operation';
  return who.length ? `${operation.summary} requests of ${who.join(' and ')}` : `every ${operation.summary} request`;
}
function showScope() {
  const sid = $('arm-sid', HTMLInputElement);
  sid.disabled = !sidApplies();
  const match = scopeFromForm();
  let text = `Next fault: ${scopeSentence(match)}.`;
  if (!sidApplies() && sid.value.trim()) text += ' The sign-in id is left out: a sign-in request has none yet.';
  $('arm-scope').textContent = text;
  $('clear-scope', HTMLButtonElement).disabled = !(textOf('arm-sub') || textOf('arm-sid') || textOf('arm-session'));
}

/** @param {Fault} f */
function describeFault(f) {
  if (f.network) return `network fault “${f.network}”`;
  if (f.status !== null) return `${f.status} ${description(f.status, f.match.operation)}`;
  return 'normal answer';
}
/** @param {string[]} warnings */
function showArmWarnings(warnings) {
  const list = $('arm-warnings');
  list.replaceChildren(...warnings.map((text) => el('li', { text })));
  list.hidden = warnings.length === 0;
}
/** @param {Answer} what */
async function arm(what) {
  const message = $('arm-message');
  showArmWarnings([]);
  markInvalid(FAULT_INPUTS, undefined);
  try {
    /** @type {ArmedFault} */
    const fault = await api('POST', '/faults', faultFromForm(what));
    const warnings = Array.isArray(fault.warnings) ? fault.warnings.map(String) : [];
    if (warnings.length) faultWarnings.set(fault.id, warnings);
    const times = fault.remaining === null ? 'until disarmed' : `${fault.remaining}×`;
    const delay = fault.delayMs ? `, after ${durationOf(fault.delayMs)}` : '';
    const expires = fault.expiresAt === null ? '' : `, expires in ${durationOf(fault.expiresAt - fault.createdAt)}`;
    say(message, `Armed ${fault.id}: ${describeFault(fault)}, ${times}${delay}${expires}, for ${scopeSentence(fault.match)}.`);
    showArmWarnings(warnings);
    refreshSoon();
  } catch (error) {
    say(message, `Not armed: ${messageOf(error)}`, true);
    markInvalid(FAULT_INPUTS, error);
  }
}

/** The answer buttons for the chosen operation: one per status its spec documents. */
function showStatusButtons() {
  const operation = chosenOperation();
  $('status-legend').textContent =
    operation.name === '*' ? 'Answer with a status all operations document' : `Answer with a documented ${operation.summary.replace(/^Customer /, '')} status`;
  const buttons = operation.statuses.map(({ status, description: text }) => {
    const button = el(
      'button',
      { type: 'button', class: `arm ${statusClass(status)}`, 'data-status': status, 'aria-label': `Arm ${status} ${text}` },
      el('span', { class: 'big', text: String(status) }),
      el('span', { class: 'hint', text }),
    );
    button.addEventListener('click', () => arm({ status }));
    return button;
  });
  $('status-buttons').replaceChildren(...buttons);
}

for (const operation of DATA.operations) {
  const label = operation.name === '*' ? 'every operation (*)' : operation.summary;
  $('arm-operation').append(
    el('option', { value: operation.name, text: label, title: operation.method ? `${operation.method} ${operation.path}` : undefined }),
  );
}
$('arm-operation').addEventListener('change', () => {
  showStatusButtons();
  showScope();
});
for (const { name, hint } of DATA.networkFaults) {
  const button = el(
    'button',
    { type: 'button', class: 'arm s0', 'data-network': name, 'aria-label': `Arm network fault ${name}${hint ? `: ${hint}` : ''}` },
    el('span', { class: 'big', text: name }),
    hint ? el('span', { class: 'hint', text: hint }) : null,
  );
  button.addEventListener('click', () => arm({ network: name }));
  $('network-buttons').append(button);
}
$('arm-delay-only').addEventListener('click', () => arm({}));
$('arm-form').addEventListener('submit', (event) => event.preventDefault());
$('arm-forever').addEventListener('change', () => {
  $('arm-times', HTMLInputElement).disabled = $('arm-forever', HTMLInputElement).checked;
});
for (const id of ['arm-sub', 'arm-sid', 'arm-session']) $(id).addEventListener('input', showScope);
$('clear-scope').addEventListener('click', () => {
  for (const id of ['arm-sub', 'arm-sid', 'arm-session']) $(id, HTMLInputElement).value = '';
  showScope();
  $('arm-sub').focus();
});
// "Target" replaces the whole scope: a sid next to an earlier sub would arm a fault for both, which may never match.
hooks.target.push((target) => {
  $('arm-sub', HTMLInputElement).value = target.sub ?? '';
  $('arm-sid', HTMLInputElement).value = target.sid ?? '';
  $('arm-session', HTMLInputElement).value = '';
  if (target.sid && !sidApplies()) $('arm-operation', HTMLSelectElement).value = DATA.defaultOperation;
  showStatusButtons();
  showScope();
  $(target.sid ? 'arm-sid' : 'arm-sub').focus();
});
showStatusButtons();
showScope();

// ---- armed faults --------------------------------------------------------------------------
/** @type {Map<string, { row: HTMLTableRowElement, cells: { rank: HTMLTableCellElement, left: HTMLTableCellElement, hits: HTMLTableCellElement }, signature: string }>} */
const faultRows = new Map();
/** @param {Fault} f */
function scopeCell(f) {
  const parts = [];
  /** @param {string} v */
  const clip = (v) => (v.length > 18 ? `${v.slice(0, 16)}…` : v);
  if (f.match?.sub) parts.push(`sub ${clip(f.match.sub)}`);
  if (f.match?.sid) parts.push(`sid ${short(f.match.sid)}`);
  if (f.match?.session) parts.push(`session ${clip(f.match.session)}`);
  const operation = f.match?.operation ?? DATA.defaultOperation;
  const warnings = faultWarnings.get(f.id) ?? [];
  return el(
    'td',
    { title: JSON.stringify(f.match || {}) },
    el('span', { class: 'tag', text: operation === '*' ? 'every operation' : operation }),
    // Wrapped between the parts, never inside one.
    ...(parts.length ? parts : ['every request']).flatMap((part, i) => [i ? ', ' : ' ', el('span', { class: 'nowrap', text: part })]),
    warnings.length ? el('ul', { class: 'warnings' }, ...warnings.map((text) => el('li', { text }))) : null,
  );
}
/** @param {Fault} f */
function leftOf(f) {
  let left = f.remaining === null ? '∞ until disarmed' : `${f.remaining}×`;
  if (f.skip > 0) left += ` after ${f.skip} pass`;
  if (f.probability < 1) left += ` · p ${f.probability}`;
  return left;
}
/** @param {Fault} f */
function answerCell(f) {
  const late = f.delayMs ? el('span', { class: 'muted', text: ` after ${durationOf(f.delayMs)}` }) : null;
  if (f.network) return [el('span', { class: 'badge s0', text: 'net' }), ` ${f.network}`, late];
  if (f.status !== null)
    return [el('span', { class: `badge ${statusClass(f.status)}`, text: String(f.status) }), ` ${description(f.status, f.match.operation)}`, late];
  return [el('span', { class: 'muted', text: 'normal answer' }), late];
}
/** @param {string} id @param {HTMLButtonElement} button */
async function disarm(id, button) {
  // Not `disabled`: that would throw keyboard focus to <body> before the row goes.
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    await api('DELETE', `/faults/${encodeURIComponent(id)}`);
    say($('arm-message'), `Disarmed ${id}.`);
  } catch (error) {
    button.removeAttribute('aria-busy');
    if (!(error instanceof ControlError && error.status === 404)) {
      say($('arm-message'), `Not disarmed: ${messageOf(error)}`, true);
      return;
    }
  }
  refreshSoon();
}
/**
 * Lists the armed faults newest first, numbered: the store lists them oldest first, and where several match
 * one request the newest armed fires (`takeFrom` in src/faults/fault.ts), so #1 is the one a request meets first.
 * @param {Fault[]} oldestFirst
 */
function renderFaults(oldestFirst) {
  const faults = [...oldestFirst].reverse();
  const tbody = $('faults-rows');
  /** @type {Set<string>} */
  const seen = new Set();
  faults.forEach((f, index) => {
    seen.add(f.id);
    const signature = JSON.stringify([index, f.remaining, f.skip, f.hits, f.expiresAt]);
    let entry = faultRows.get(f.id);
    if (!entry) {
      const button = el('button', { type: 'button', class: 'small', 'aria-label': `Disarm ${f.id}` }, 'Disarm');
      button.addEventListener('click', () => disarm(f.id, button));
      const cells = { rank: el('td', { class: 'num' }), left: el('td', { class: 'nowrap' }), hits: el('td', { class: 'num' }) };
      const row = el(
        'tr',
        { 'data-fault': f.id },
        cells.rank,
        el('td', {}, el('code', { text: f.id })),
        el('td', {}, ...answerCell(f)),
        cells.left,
        scopeCell(f),
        cells.hits,
        el('td', { class: 'time', text: f.expiresAt === null ? 'never' : timeOf(f.expiresAt) }),
        el('td', {}, button),
      );
      entry = { row, cells, signature: '' };
      faultRows.set(f.id, entry);
    }
    if (entry.signature !== signature) {
      entry.cells.rank.textContent = String(index + 1);
      entry.cells.left.textContent = leftOf(f);
      entry.cells.hits.textContent = String(f.hits);
      entry.signature = signature;
    }
    if (tbody.children[index] !== entry.row) tbody.insertBefore(entry.row, tbody.children[index] || null);
  });
  for (const [id, entry] of faultRows) {
    if (seen.has(id)) continue;
    const hadFocus = entry.row.contains(document.activeElement);
    const next = entry.row.nextElementSibling || entry.row.previousElementSibling;
    entry.row.remove();
    faultRows.delete(id);
    // Keep keyboard users where they were: the next Disarm button, else the section heading.
    if (hadFocus) {
      const button = next instanceof HTMLElement && seen.has(next.dataset.fault ?? '') ? next.querySelector('button') : null;
      (button ?? $('faults-heading')).focus();
    }
  }
  $('faults-empty').hidden = faults.length > 0;
  $('faults-order').hidden = faults.length < 2;
  $('faults-count').textContent = faults.length ? `(${faults.length})` : '';
  $('disarm-all', HTMLButtonElement).disabled = faults.length === 0;
}
$('disarm-all').addEventListener('click', async () => {
  try {
    /** @type {{ cleared: number }} */
    const { cleared } = await api('DELETE', '/faults');
    say($('arm-message'), `Disarmed ${cleared} fault${cleared === 1 ? '' : 's'}.`);
    showArmWarnings([]);
    $('faults-heading').focus();
  } catch (error) {
    say($('arm-message'), `Not disarmed: ${messageOf(error)}`, true);
  }
  refreshSoon();
});
pollers.push(async () => {
  /** @type {{ faults: Fault[] }} */
  const { faults } = await api('GET', '/faults');
  renderFaults(faults);
});
