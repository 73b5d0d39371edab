// @ts-check
// The QA panel's script, inlined by panel.ts into /__mock/ under the page's CSP nonce. Plain JavaScript for the
// browser, no build step: the JSDoc types below are checked by `tsc -p tsconfig.panel.json` (part of `npm test`).

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

/**
 * The page's data block, as panel.ts injects it (`PanelData` there).
 * @typedef {object} PanelData
 * @property {{ method: string, path: string }} operation
 * @property {{ status: number, description: string }[]} statuses
 * @property {{ name: string, hint: string }[]} networkFaults
 * @property {{ name: string, hint: string }[]} tokenKinds
 * @property {boolean} adminRequired
 */
/**
 * Which requests a fault applies to (`FaultMatch` in src/faults/fault.ts).
 * @typedef {{ sub?: string, sid?: string, session?: string }} FaultMatch
 */
/**
 * What a fault answers: a status, a network fault, or (neither) the normal answer, late.
 * @typedef {{ status?: number, network?: string }} Answer
 */
/**
 * The body of `POST /__mock/faults`.
 * @typedef {Answer & { times?: number | null, skip?: number, probability?: number, delayMs?: number, ttlMs?: number, match?: FaultMatch }} FaultRequest
 */
/**
 * An armed fault, as `GET /__mock/faults` lists it (`Fault` in src/faults/fault.ts; the fields the panel reads).
 * @typedef {object} Fault
 * @property {string} id
 * @property {number | null} status
 * @property {string | null} network
 * @property {number} delayMs
 * @property {number | null} remaining null: until disarmed
 * @property {number} skip
 * @property {number} probability
 * @property {FaultMatch} match
 * @property {number | null} expiresAt epoch ms; null: never
 * @property {number} hits
 */
/**
 * One issued token, as `GET /__mock/sessions` lists it (`SessionView` in src/control/services.ts).
 * @typedef {object} SessionRecord
 * @property {string} sid the sign-in (`origin_jti`)
 * @property {string} sub
 * @property {string} role
 * @property {string} kind
 * @property {number} iat epoch seconds
 * @property {number} exp epoch seconds
 * @property {string} status 'active', 'logged-out' or 'expired'
 */
/**
 * One request the mock answered, as `GET /__mock/requests` lists it (`JournalEntry` in src/state/journal.ts).
 * @typedef {object} JournalEntry
 * @property {string} at ISO time it arrived
 * @property {string} method
 * @property {string} path
 * @property {number} status 0: no HTTP answer
 * @property {string} reason
 * @property {string} [faultId]
 * @property {string} [sub]
 * @property {string} [jti]
 * @property {string} [sid]
 * @property {string} [session]
 * @property {number} ms
 */
/**
 * What `POST /__mock/tokens` answers (`IssuedTokens` in src/control/services.ts; the fields the panel reads).
 * @typedef {{ token: string, kind: string, claims: { sub: string, origin_jti: string, exp: number } }} IssuedToken
 */
/**
 * The control API's error answer.
 * @typedef {{ message?: string, errorCode?: string, field?: string }} ErrorBody
 */
/** @typedef {string | number | boolean | null | undefined} Attribute */

(() => {
  /**
   * The page's element with this id, checked to be a `type` (any HTMLElement when not given).
   * @template {typeof HTMLElement} [C=typeof HTMLElement]
   * @param {string} id
   * @param {C} [type]
   * @returns {InstanceType<C>}
   */
  function $(id, type) {
    const node = document.getElementById(id);
    if (!(node instanceof (type ?? HTMLElement))) throw new Error(`the page has no ${(type ?? HTMLElement).name} #${id}`);
    return /** @type {InstanceType<C>} */ (node);
  }
  /** @type {PanelData} */
  const DATA = JSON.parse($('panel-data').textContent ?? '');
  const CONTROL = '/__mock';
  const TOKEN_KEY = 'worth-auth-mock.adminToken';
  const JOURNAL_ROWS_MAX = 500;
  // A request is journaled when it is answered, stamped when it arrived: look back far enough for slow ones.
  const JOURNAL_LOOKBACK_MS = 120000;

  /**
   * Builds an element; strings become text nodes, so data never becomes markup.
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Record<string, Attribute>} [props] attributes, plus `class` and `text` (its text content)
   * @param {...(Node | string | null | undefined)} children
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = String(value);
      else if (key === 'text') node.textContent = String(value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== undefined && child !== null) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    return node;
  }
  /** @param {number} n @param {number} [w] */
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  /** @param {number} ms */
  const timeOf = (ms) => {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  };
  /** @param {number} ms */
  const preciseTimeOf = (ms) => `${timeOf(ms)}.${pad(new Date(ms).getMilliseconds(), 3)}`;
  /** @param {string | undefined} id */
  const short = (id) => (id && id.length > 13 ? `${id.slice(0, 8)}…` : id || '');
  /** @param {number} status */
  const statusClass = (status) => `s${String(status).charAt(0)}`;
  /** @param {number} status */
  const description = (status) => DATA.statuses.find((s) => s.status === status)?.description || '';
  /** @param {unknown} error */
  const messageOf = (error) => (error instanceof Error ? error.message : String(error));

  // ---- control API -------------------------------------------------------------------------
  class ControlError extends Error {
    /**
     * @param {string} message
     * @param {number} status the mock's status; 0 when it did not answer
     * @param {string} [field] the request field the mock named as wrong
     */
    constructor(message, status, field) {
      super(message);
      this.status = status;
      this.field = field;
    }
  }
  let unsavedToken = '';
  function adminToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || unsavedToken;
    } catch {
      return unsavedToken;
    }
  }
  /** @param {string} state @param {string} text */
  function setConnection(state, text) {
    $('connection').dataset.state = state;
    $('connection-text').textContent = text;
  }
  /**
   * Calls the control API. `T` is the JSON the caller expects back, as the control API documents it
   * (taken on trust, not checked); an error answer throws a ControlError.
   * @template T
   * @param {string} method
   * @param {string} path under /__mock
   * @param {unknown} [body]
   * @returns {Promise<T>}
   */
  async function api(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    const token = adminToken();
    if (token) headers['x-mock-admin-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await fetch(CONTROL + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch {
      setConnection('down', 'mock unreachable — retrying');
      throw new ControlError('The mock did not answer: is it still running?', 0);
    }
    const text = await response.text();
    /** @type {unknown} */
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    const problem = /** @type {ErrorBody} */ (json);
    if (response.status === 401 && problem.errorCode === 'ERR_ADMIN_TOKEN') {
      $('admin-alert').hidden = false;
      setConnection('locked', 'admin token needed');
      throw new ControlError(
        token ? 'The admin token was refused: check it and enter it again.' : 'This mock needs its admin token: enter it above.',
        401,
        'admin',
      );
    }
    $('admin-alert').hidden = true;
    setConnection('live', 'live');
    if (!response.ok) throw new ControlError(problem.message || `the mock answered ${response.status}`, response.status, problem.field);
    return /** @type {T} */ (json);
  }

  /** @param {HTMLElement} node @param {string} message @param {boolean} [isError] */
  function say(node, message, isError) {
    node.textContent = message;
    node.classList.toggle('error', Boolean(isError));
  }

  // ---- arming faults -----------------------------------------------------------------------
  /** @type {Record<string, string>} */
  const FIELD_INPUTS = {
    times: 'arm-times',
    skip: 'arm-skip',
    probability: 'arm-probability',
    delayMs: 'arm-delay',
    ttlMs: 'arm-ttl',
    'match.sub': 'arm-sub',
    'match.sid': 'arm-sid',
    'match.session': 'arm-session',
    match: 'arm-sub',
  };
  /** @param {string} id */
  const numberOf = (id) => {
    const v = $(id, HTMLInputElement).value.trim();
    return v === '' ? undefined : Number(v);
  };
  /** @param {string} id */
  const textOf = (id) => $(id, HTMLInputElement).value.trim() || undefined;

  /** @param {Answer} what @returns {FaultRequest} */
  function faultFromForm(what) {
    /** @type {FaultRequest} */
    const fault = { ...what };
    fault.times = $('arm-forever', HTMLInputElement).checked ? null : numberOf('arm-times');
    const skip = numberOf('arm-skip');
    if (skip) fault.skip = skip;
    const probability = numberOf('arm-probability');
    if (probability !== undefined && probability !== 1) fault.probability = probability;
    const delayMs = numberOf('arm-delay');
    if (delayMs) fault.delayMs = delayMs;
    const ttl = numberOf('arm-ttl');
    if (ttl !== undefined) fault.ttlMs = Math.round(ttl * 1000);
    /** @type {FaultMatch} */
    const match = {};
    for (const key of /** @type {const} */ (['sub', 'sid', 'session'])) {
      const v = textOf(`arm-${key}`);
      if (v) match[key] = v;
    }
    if (Object.keys(match).length > 0) fault.match = match;
    return fault;
  }
  /** @param {Fault} f */
  function describeFault(f) {
    if (f.network) return `network fault “${f.network}”`;
    if (f.status !== null) return `${f.status} ${description(f.status)}`;
    return 'normal answer';
  }
  /** @param {Answer} what */
  async function arm(what) {
    const result = $('arm-result');
    for (const id of Object.values(FIELD_INPUTS)) $(id).removeAttribute('aria-invalid');
    try {
      /** @type {Fault} */
      const fault = await api('POST', '/faults', faultFromForm(what));
      const times = fault.remaining === null ? 'until disarmed' : `${fault.remaining}×`;
      const delay = fault.delayMs ? `, after ${fault.delayMs} ms` : '';
      say(result, `Armed ${fault.id}: ${describeFault(fault)}, ${times}${delay}.`);
      refreshSoon();
    } catch (error) {
      say(result, `Not armed: ${messageOf(error)}`, true);
      const input = error instanceof ControlError && error.field ? FIELD_INPUTS[error.field] : undefined;
      if (input) {
        $(input).setAttribute('aria-invalid', 'true');
        $(input).focus();
      }
    }
  }
  for (const { status, description: text } of DATA.statuses) {
    const button = el(
      'button',
      { type: 'button', class: `arm ${statusClass(status)}`, 'data-status': status, 'aria-label': `Arm ${status} ${text}` },
      el('span', { class: 'big', text: String(status) }),
      el('span', { class: 'hint', text }),
    );
    button.addEventListener('click', () => arm({ status }));
    $('status-buttons').append(button);
  }
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

  // ---- armed faults --------------------------------------------------------------------------
  /** @type {Map<string, { row: HTMLTableRowElement, cells: { left: HTMLTableCellElement, hits: HTMLTableCellElement }, signature: string }>} */
  const faultRows = new Map();
  /** @param {FaultMatch | undefined} match */
  function scopeOf(match) {
    const parts = [];
    /** @param {string} v */
    const clip = (v) => (v.length > 18 ? `${v.slice(0, 16)}…` : v);
    if (match?.sub) parts.push(`sub ${clip(match.sub)}`);
    if (match?.sid) parts.push(`sid ${short(match.sid)}`);
    if (match?.session) parts.push(`session ${clip(match.session)}`);
    return parts.length ? parts.join(', ') : 'every request';
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
    const late = f.delayMs ? el('span', { class: 'muted', text: ` after ${f.delayMs} ms` }) : null;
    if (f.network) return [el('span', { class: 'badge s0', text: 'net' }), ` ${f.network}`, late];
    if (f.status !== null) return [el('span', { class: `badge ${statusClass(f.status)}`, text: String(f.status) }), ` ${description(f.status)}`, late];
    return [el('span', { class: 'muted', text: 'normal answer' }), late];
  }
  /** @param {string} id @param {HTMLButtonElement} button */
  async function disarm(id, button) {
    // Not `disabled`: that would throw keyboard focus to <body> before the row goes.
    if (button.getAttribute('aria-busy') === 'true') return;
    button.setAttribute('aria-busy', 'true');
    try {
      await api('DELETE', `/faults/${encodeURIComponent(id)}`);
      say($('arm-result'), `Disarmed ${id}.`);
    } catch (error) {
      button.removeAttribute('aria-busy');
      if (!(error instanceof ControlError && error.status === 404)) {
        say($('arm-result'), `Not disarmed: ${messageOf(error)}`, true);
        return;
      }
    }
    refreshSoon();
  }
  /** @param {Fault[]} faults */
  function renderFaults(faults) {
    const tbody = $('faults-rows');
    /** @type {Set<string>} */
    const seen = new Set();
    faults.forEach((f, index) => {
      seen.add(f.id);
      const signature = JSON.stringify([f.remaining, f.skip, f.hits, f.expiresAt]);
      let entry = faultRows.get(f.id);
      if (!entry) {
        const button = el('button', { type: 'button', class: 'small', 'aria-label': `Disarm ${f.id}` }, 'Disarm');
        button.addEventListener('click', () => disarm(f.id, button));
        const cells = { left: el('td', { class: 'nowrap' }), hits: el('td', { class: 'num' }) };
        const row = el(
          'tr',
          { 'data-fault': f.id },
          el('td', {}, el('code', { text: f.id })),
          el('td', { class: 'nowrap' }, ...answerCell(f)),
          cells.left,
          el('td', { title: JSON.stringify(f.match || {}), text: scopeOf(f.match) }),
          cells.hits,
          el('td', { class: 'time', text: f.expiresAt === null ? 'never' : timeOf(f.expiresAt) }),
          el('td', {}, button),
        );
        entry = { row, cells, signature: '' };
        faultRows.set(f.id, entry);
      }
      if (entry.signature !== signature) {
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
    $('faults-count').textContent = faults.length ? `(${faults.length})` : '';
    $('disarm-all', HTMLButtonElement).disabled = faults.length === 0;
  }
  $('disarm-all').addEventListener('click', async () => {
    try {
      /** @type {{ cleared: number }} */
      const { cleared } = await api('DELETE', '/faults');
      say($('arm-result'), `Disarmed ${cleared} fault${cleared === 1 ? '' : 's'}.`);
      $('faults-heading').focus();
    } catch (error) {
      say($('arm-result'), `Not disarmed: ${messageOf(error)}`, true);
    }
    refreshSoon();
  });

  // ---- tokens ----------------------------------------------------------------------------------
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
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // No async clipboard (not a secure context, or refused): fall back to a selection copy.
      const area = el('textarea', { class: 'sr-only', 'aria-hidden': 'true' });
      area.value = text;
      document.body.append(area);
      area.select();
      const ok = document.execCommand('copy');
      area.remove();
      if (!ok) {
        say($('mint-result'), `Could not copy: select the token and copy it by hand.`, true);
        return;
      }
    }
    say($('mint-result'), `Copied ${what}.`);
  }
  $('copy-token').addEventListener('click', () => copy($('minted-token', HTMLTextAreaElement).value, 'the token'));
  $('copy-curl').addEventListener('click', () => {
    const url = `${location.origin}${DATA.operation.path}`;
    copy(`curl -i -X ${DATA.operation.method} '${url}' -H 'Authorization: Bearer ${$('minted-token', HTMLTextAreaElement).value}'`, 'a curl command');
  });

  // ---- sessions --------------------------------------------------------------------------------
  /** @type {Map<string, { row: HTMLTableRowElement, status: HTMLSpanElement, state: string }>} */
  const sessionRows = new Map();
  /** @type {Record<string, string>} */
  const SESSION_LABEL = { active: 'active', 'logged-out': 'logged out', expired: 'expired' };
  /**
   * One row per sign-in (its access and id tokens share it), with the sign-in's status.
   * @param {SessionRecord[]} records
   */
  function signIns(records) {
    /** @type {Map<string, SessionRecord>} */
    const bySid = new Map();
    for (const r of records) {
      const s = bySid.get(r.sid);
      if (!s) bySid.set(r.sid, { ...r });
      else if (r.status === 'logged-out' || (r.status === 'expired' && s.status === 'active')) s.status = r.status;
    }
    // Newest first; the registry lists in issue order, so ties in iat keep that order, reversed.
    return [...bySid.values()].reverse().sort((a, b) => b.iat - a.iat);
  }
  /** @param {SessionRecord[]} records */
  function renderSessions(records) {
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
        const target = el(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Scope faults to sign-in ${s.sid}`, title: 'Scope the next fault to this sign-in' },
          'Target',
        );
        target.addEventListener('click', () => {
          $('arm-sid', HTMLInputElement).value = s.sid;
          $('arm-sid').focus();
        });
        const status = el('span');
        const row = el(
          'tr',
          { 'data-sid': s.sid },
          el('td', { text: s.sub }),
          el('td', { title: s.sid }, el('code', { text: short(s.sid) })),
          el('td', { text: s.kind === 'valid' ? s.role : `${s.role} (${s.kind})` }),
          el('td', { class: 'time', text: timeOf(s.exp * 1000) }),
          el('td', {}, status),
          el('td', {}, target),
        );
        entry = { row, status, state: '' };
        sessionRows.set(s.sid, entry);
      }
      if (entry.state !== s.status) {
        entry.status.className = `badge ${s.status}`;
        entry.status.textContent = SESSION_LABEL[s.status] || s.status;
        entry.state = s.status;
      }
      if (tbody.children[index] !== entry.row) tbody.insertBefore(entry.row, tbody.children[index] || null);
    });
    for (const [sid, entry] of sessionRows) {
      if (seen.has(sid)) continue;
      if (entry.row.contains(document.activeElement)) $('mint').focus();
      entry.row.remove();
      sessionRows.delete(sid);
    }
    $('sessions-empty').hidden = list.length > 0;
    $('sessions-count').textContent = list.length ? `${counts.active} active · ${counts['logged-out']} logged out · ${counts.expired} expired` : '';
  }

  // ---- journal -----------------------------------------------------------------------------------
  /** @type {Set<string>} */
  const journalKeys = new Set();
  let firstJournalLoad = true;
  /** @type {number | undefined} */
  let newestAt;
  let paused = false;
  /** @type {JournalEntry[]} */
  let held = [];
  /** @param {JournalEntry} e */
  const keyOf = (e) => [e.at, e.method, e.path, e.status, e.reason, e.faultId, e.jti, e.session, e.ms].join('|');
  /** @param {JournalEntry} e @param {boolean} fresh */
  function journalRow(e, fresh) {
    const status =
      e.status === 0
        ? el('span', { class: 'badge s0', title: 'no HTTP answer (network fault or client gone)', text: '—' })
        : el('span', { class: `badge ${statusClass(e.status)}`, title: description(e.status), text: String(e.status) });
    return el(
      'tr',
      { class: fresh ? 'new' : undefined, 'data-status': e.status, 'data-fault': e.faultId },
      el('td', { class: 'time', title: e.at, text: preciseTimeOf(Date.parse(e.at)) }),
      el('td', {}, status),
      el('td', { text: e.reason }),
      el('td', {}, e.faultId ? el('code', { text: e.faultId }) : el('span', { class: 'muted', text: '—' })),
      el('td', { title: e.sid ? `sign-in ${e.sid}` : undefined, text: e.sub || '—' }),
      el('td', { text: e.session || '—' }),
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
      say($('arm-result'), `Journal not cleared: ${messageOf(error)}`, true);
    }
  });

  // ---- polling ------------------------------------------------------------------------------------
  async function refreshFaults() {
    /** @type {{ faults: Fault[] }} */
    const { faults } = await api('GET', '/faults');
    renderFaults(faults);
  }
  async function refreshSessions() {
    /** @type {{ sessions: SessionRecord[] }} */
    const { sessions } = await api('GET', '/sessions');
    renderSessions(sessions);
  }
  /** @type {number | undefined} */
  let timer;
  let running = false;
  let again = false;
  async function tick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    clearTimeout(timer);
    try {
      await Promise.allSettled([refreshFaults(), refreshSessions(), refreshJournal()]);
    } finally {
      running = false;
      if (again) {
        again = false;
        tick();
      }
      // Once a second while live; slower while hidden, locked out or unreachable.
      else timer = setTimeout(tick, document.hidden ? 5000 : $('connection').dataset.state === 'live' ? 1000 : 3000);
    }
  }
  function refreshSoon() {
    tick();
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) tick();
  });

  // ---- header ---------------------------------------------------------------------------------------
  $('operation').textContent = `${DATA.operation.method} ${DATA.operation.path}`;
  $('journal-hint').textContent = `${location.origin}${DATA.operation.path}`;
  $('admin-token', HTMLInputElement).value = adminToken();
  if (DATA.adminRequired && !adminToken()) $('admin-alert').hidden = false;
  $('admin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('admin-token', HTMLInputElement).value.trim();
    unsavedToken = value;
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Storage refused (private mode): the token then lasts only until the page is left.
    }
    tick();
  });
  $('reset').addEventListener('click', async () => {
    if (!window.confirm('Reset the mock? It forgets every token, logout, armed fault and the journal.')) return;
    try {
      await api('POST', '/reset');
      clearJournalView();
      say($('arm-result'), 'The mock was reset.');
    } catch (error) {
      say($('arm-result'), `Not reset: ${messageOf(error)}`, true);
    }
    refreshSoon();
  });

  tick();
})();
