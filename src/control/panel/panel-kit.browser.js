// @ts-check
// The QA panel's shared kit: the types of what the control API answers, the page's data, DOM and formatting
// helpers and the polling loop (the control API client is panel-api.browser.js, inlined right after this one). panel.ts inlines the panel's scripts in order, each a
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
