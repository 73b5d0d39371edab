// @ts-check
// The QA panel's control API client: every call the panel makes, with the admin token when the mock has one, and what
// a refused or failed call means for the page (the connection state it shows). A classic script after
// panel-kit.browser.js, whose declarations it uses; the scripts after it use these.
// biome-ignore-all lint/correctness/noUnusedVariables: this script's declarations are used by the panel's other scripts, inlined after it.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

const CONTROL = '/__mock';
const TOKEN_KEY = 'worth-auth-mock.adminToken';

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
