// @ts-check
// The QA panel's shared kit: the types of what the control API answers, the page's data, DOM and formatting
// helpers, the control API client and the polling loop. panel.ts inlines the panel's scripts in order, each a
// classic script under the page's CSP nonce, so their top-level declarations share one scope: this one comes first.
// Plain JavaScript for the browser, no build step: `tsc -p tsconfig.panel.json` checks the JSDoc types of all of them.
// biome-ignore-all lint/correctness/noUnusedVariables: this script's declarations are used by the panel's other scripts, inlined after it.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

/**
 * A status as the page offers it (`PanelStatus` in panel.ts).
 * @typedef {{ status: number, description: string }} PanelStatus
 */
/**
 * What a fault can target: one served operation, or `*` (`PanelOperation` in panel.ts).
 * @typedef {{ name: string, summary: string, method: string, path: string, statuses: PanelStatus[], scopes: string[] }} PanelOperation
 */
/**
 * The page's data block, as panel.ts injects it (`PanelData` there).
 * @typedef {object} PanelData
 * @property {string} basePath
 * @property {PanelOperation[]} operations the served operations, the default one first, then `*`
 * @property {string} defaultOperation the operation a fault targets when its match names none
 * @property {{ name: string, hint: string }[]} networkFaults
 * @property {{ name: string, hint: string }[]} tokenKinds
 * @property {boolean} adminRequired
 */
/**
 * Which requests a fault applies to (`FaultMatch` in src/faults/fault.ts); `operation` absent means logout.
 * @typedef {{ sub?: string, sid?: string, customer?: string, session?: string, operation?: string }} FaultMatch
 */
/**
 * What a fault answers: a status, a network fault, or (neither) the normal answer, late.
 * @typedef {{ status?: number, network?: string }} Answer
 */
/**
 * The body of `POST /__mock/faults` (durations in milliseconds).
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
 * @property {number} createdAt epoch ms, on the mock's clock
 * @property {number | null} expiresAt epoch ms, on the mock's clock; null: never
 * @property {number} hits
 */
/**
 * What `POST /__mock/faults` answers: the fault, and why it may never fire (absent or empty when nothing is wrong).
 * @typedef {Fault & { warnings?: string[] }} ArmedFault
 */
/**
 * One sign-in, as `GET /__mock/sessions` lists it in `signIns` (`SignInView` in src/control/sign-in-history.ts; the
 * fields the panel reads). Times are ISO, on the mock's clock.
 * @typedef {object} SignIn
 * @property {string} sid the sign-in (`origin_jti`)
 * @property {string} sub
 * @property {string} role
 * @property {string} kind
 * @property {string} status 'active', 'tokens-expired', 'logged-out', 'ended' or 'expired'
 * @property {string} signedInAt
 * @property {string} tokensExpireAt
 * @property {string} [tokensExpiredEarlyAt]
 * @property {string} refreshExpiresAt
 * @property {string} [loggedOutAt]
 * @property {string} [loggedOutBy] 'logout', 'operator' or 'refresh-reuse'
 * @property {string} [endedBy] 'deactivation', 'removal' or 'password-reset'
 * @property {number} refreshes
 * @property {number} storms
 * @property {{ from: string, at: string, refreshes: number }} [lastStorm] ISO times of its latest storm's first and last refresh
 */
/**
 * One request the mock answered, as `GET /__mock/requests` lists it (`JournalEntry` in src/state/journal.ts).
 * @typedef {object} JournalEntry
 * @property {string} at ISO time it was answered, on the mock's clock
 * @property {number} [clockOffsetSeconds] how far the mock's clock ran ahead of the real time (absent: it did not)
 * @property {string} method
 * @property {string} path
 * @property {number} status 0: no HTTP answer
 * @property {string} reason
 * @property {string} [faultId]
 * @property {string} [sub]
 * @property {string} [jti]
 * @property {string} [sid]
 * @property {string} [session]
 * @property {string} [operation] 'sign-in', 'refresh', 'logout' or 'other'
 * @property {string} [email] the email a sign-in named
 * @property {string} [warning] what the mock noticed without changing the answer (a refresh storm)
 * @property {number} ms
 */
/**
 * What `POST /__mock/tokens` answers (`IssuedTokens` in src/control/services.ts; the fields the panel reads).
 * @typedef {{ token: string, kind: string, claims: { sub: string, origin_jti: string, exp: number } }} IssuedToken
 */
/**
 * A user as `GET /__mock/users` lists it (`UserView` in src/users/user.ts): never a password.
 * @typedef {object} UserView
 * @property {string} id
 * @property {string} email
 * @property {string} sub
 * @property {string} role
 * @property {string} customer_id
 * @property {string} customer_name
 * @property {string} subrole
 * @property {'ACTIVE' | 'INACTIVE'} status
 * @property {boolean} is_first_login true while invited: it has not accepted yet
 * @property {string[]} permissions
 * @property {string} source `seed` or `runtime`
 */
/**
 * A message the service would have mailed, as `GET /__mock/outbox` lists it (`OutboxMessage` in src/state/records.ts).
 * @typedef {{ id: string, kind: string, recipient: string, at: string, token: string, link: string }} OutboxMessage
 */
/**
 * The mock's clock, as `GET`/`POST /__mock/clock` answer it (`ClockView` in src/control/services.ts).
 * @typedef {{ now: string, offsetSeconds: number }} ClockView
 */
/**
 * The control API's error answer.
 * @typedef {{ message?: string, errorCode?: string, field?: string }} ErrorBody
 */
/**
 * What "Target" puts in the arming form's scope: it replaces the whole scope.
 * @typedef {{ sub?: string, sid?: string }} ScopeTarget
 */
/** @typedef {string | number | boolean | null | undefined} Attribute */

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
/** @param {number} ms epoch ms @returns {string} local `hh:mm:ss` */
const timeOf = (ms) => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};
/** @param {number} ms epoch ms @returns {string} local `hh:mm:ss.mmm` */
const preciseTimeOf = (ms) => `${timeOf(ms)}.${pad(new Date(ms).getMilliseconds(), 3)}`;
/** @param {number} ms epoch ms @returns {string} local `yyyy-mm-dd hh:mm:ss` */
const dateTimeOf = (ms) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${timeOf(ms)}`;
};
/**
 * A duration with its units, largest first: `2 h 5 min`, `30 s`, `500 ms`.
 * @param {number} ms
 */
function durationOf(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  let s = Math.round(ms / 1000);
  const parts = [];
  for (const [unit, size] of /** @type {[string, number][]} */ ([
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ])) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)} ${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s} s`);
  return parts.slice(0, 2).join(' ');
}
/** @param {string | undefined} id */
const short = (id) => (id && id.length > 13 ? `${id.slice(0, 8)}…` : id || '');
/** @param {number} status */
const statusClass = (status) => `s${String(status).charAt(0)}`;
/** @param {unknown} error */
const messageOf = (error) => (error instanceof Error ? error.message : String(error));

/** @param {string | undefined} name an operation name; absent: the default one (as a fault's `match.operation`) */
function operationOf(name) {
  return DATA.operations.find((o) => o.name === (name ?? DATA.defaultOperation)) ?? /** @type {PanelOperation} */ (DATA.operations[0]);
}
/** The spec's description of a status, for this operation (the default one when not given). @param {number} status @param {string} [operation] */
const description = (status, operation) => operationOf(operation).statuses.find((s) => s.status === status)?.description || '';

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
// Shared state is changed only by the script that declares it (Biome checks each script alone, and would make a
// `let` that only another script assigns a `const`).
let unsavedToken = '';
function adminToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || unsavedToken;
  } catch {
    return unsavedToken;
  }
}
/** Keeps the admin token for this browser tab (empty: forget it). @param {string} value */
function useAdminToken(value) {
  unsavedToken = value;
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage refused (private mode): the token then lasts only until the page is left.
  }
}
/**
 * The header's connection state: `live` only once a call worked; `locked` while calls are refused for want of the admin
 * token; `down` while the mock does not answer (or fails). @param {string} state @param {string} text
 */
function setConnection(state, text) {
  $('connection').dataset.state = state;
  $('connection-text').textContent = text;
}
/** What the alert under the header says until a refusal says more (the page's own words, for a mock with an admin token). */
const ADMIN_ALERT = $('admin-alert').textContent ?? '';
/** Shows the alert under the header saying how to get the panel's calls through, or hides it. @param {string | undefined} text */
function adminAlert(text) {
  const alert = $('admin-alert');
  if (text !== undefined && alert.textContent !== text) alert.textContent = text;
  alert.hidden = text === undefined;
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
    adminAlert(ADMIN_ALERT);
    setConnection('locked', token ? 'admin token refused' : 'admin token needed');
    throw new ControlError(
      token ? 'The admin token was refused: check it and enter it again.' : 'This mock needs its admin token: enter it above.',
      401,
      'admin',
    );
  }
  if (response.status === 403 && problem.errorCode === 'ERR_CROSS_SITE') {
    // A mock without an admin token answers only this machine: a page reached by another name gets nothing through.
    const here = `http://127.0.0.1:${location.port || (location.protocol === 'https:' ? '443' : '80')}${CONTROL}/`;
    adminAlert(
      `This mock has no admin token, so its control API answers only the machine it runs on: open the panel there at ${here}, ` +
        'or restart the mock with --admin-token (WORTH_MOCK_ADMIN_TOKEN) and enter that token in “Admin token” above.',
    );
    setConnection('locked', 'refused: not this machine');
    throw new ControlError('The mock refused the call: it answers only its own machine (no admin token).', 403, 'admin');
  }
  if (response.status >= 500) {
    setConnection('down', `mock failing (${response.status}) — retrying`);
    throw new ControlError(problem.message || `the mock answered ${response.status}`, response.status, problem.field);
  }
  // The mock answered the call itself (a 4xx here is about its input): the panel's calls get through.
  adminAlert(undefined);
  setConnection('live', 'live');
  if (!response.ok) throw new ControlError(problem.message || `the mock answered ${response.status}`, response.status, problem.field);
  return /** @type {T} */ (json);
}

/** @param {HTMLElement} node @param {string} message @param {boolean} [isError] */
function say(node, message, isError) {
  node.textContent = message;
  node.classList.toggle('error', Boolean(isError));
}
/** The number in an input, or undefined when it is empty. @param {string} id */
const numberOf = (id) => {
  const v = $(id, HTMLInputElement).value.trim();
  return v === '' ? undefined : Number(v);
};
/** The trimmed text of an input, or undefined when it is empty. @param {string} id */
const textOf = (id) => $(id, HTMLInputElement).value.trim() || undefined;

/**
 * Marks the input the mock named as wrong (or none) and moves focus to it.
 * @param {Record<string, string>} inputs control API field → input id
 * @param {unknown} error
 */
function markInvalid(inputs, error) {
  for (const id of Object.values(inputs)) $(id).removeAttribute('aria-invalid');
  const input = error instanceof ControlError && error.field ? inputs[error.field] : undefined;
  if (input) {
    $(input).setAttribute('aria-invalid', 'true');
    $(input).focus();
  }
}

/**
 * Copies `text` to the clipboard, by a selection copy where the async clipboard is refused (not a secure context);
 * resolves false when neither works.
 * @param {string} text
 */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el('textarea', { class: 'sr-only', 'aria-hidden': 'true' });
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}

// ---- what the scripts tell each other ---------------------------------------------------------
/** Listeners: `target` when a "Target" button scopes the next fault, `reset` when the mock was reset. */
const hooks = {
  /** @type {((scope: ScopeTarget) => void)[]} */
  target: [],
  /** @type {(() => void)[]} */
  reset: [],
};

// ---- polling ------------------------------------------------------------------------------------
/** @type {(() => Promise<void>)[]} */
const pollers = [];
/** @type {number | undefined} */
let timer;
let running = false;
let again = false;
/** Runs every poller now (or right after the running round), then again in a second while live. */
async function tick() {
  if (running) {
    again = true;
    return;
  }
  running = true;
  clearTimeout(timer);
  try {
    await Promise.allSettled(pollers.map((poll) => poll()));
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
