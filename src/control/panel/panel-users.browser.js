// @ts-check
// The QA panel: the users who can sign in (their customer, subrole and status; list, add, remove; never a password)
// and "Target" on a user.
// A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

/** Control API field → the input that holds it. */
/** @type {Record<string, string>} */
const USER_INPUTS = { email: 'user-email', password: 'user-password', role: 'user-role', body: 'user-email' };
/** @type {Map<string, { row: HTMLTableRowElement, signature: string }>} */
const userRows = new Map();

/** @param {UserView} user @param {HTMLButtonElement} button */
async function removeUser(user, button) {
  if (button.getAttribute('aria-busy') === 'true') return;
  button.setAttribute('aria-busy', 'true');
  try {
    await api('DELETE', `/users/${encodeURIComponent(user.email)}`);
    say($('users-result'), `Removed ${user.email}: it can no longer sign in (its tokens stay valid until they expire).`);
  } catch (error) {
    button.removeAttribute('aria-busy');
    if (!(error instanceof ControlError && error.status === 404)) {
      say($('users-result'), `Not removed: ${messageOf(error)}`, true);
      return;
    }
  }
  refreshSoon();
}

/** @param {UserView} user */
function userRow(user) {
  const target = el(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-label': `Scope faults to customer ${user.email}`,
      title: `Scope the next fault to this customer (sub ${user.sub}) only`,
    },
    'Target',
  );
  target.addEventListener('click', () => {
    for (const listener of hooks.target) listener({ sub: user.sub });
  });
  const remove = el('button', { type: 'button', class: 'small', 'aria-label': `Remove user ${user.email}` }, 'Remove');
  remove.addEventListener('click', () => removeUser(user, remove));
  const state = user.status === 'INACTIVE' ? 'deactivated' : user.is_first_login ? 'invited' : 'active';
  return el(
    'tr',
    { 'data-email': user.email },
    el(
      'td',
      {},
      user.email,
      user.source === 'seed' ? el('span', { class: 'muted', text: ' (seed)' }) : null,
      el('span', { class: 'sub', title: user.sub, text: `sub ${short(user.sub)}` }),
    ),
    el('td', { title: `customer ${user.customer_id}`, text: user.customer_name }),
    el('td', { class: 'nowrap', title: user.permissions.join(', '), text: user.subrole }),
    el('td', { class: 'nowrap', 'data-state': state, text: state }),
    el('td', { class: 'actions' }, target, remove),
  );
}

/** @param {UserView[]} users */
function renderUsers(users) {
  const tbody = $('users-rows');
  /** @type {Set<string>} */
  const seen = new Set();
  users.forEach((user, index) => {
    seen.add(user.email);
    const signature = JSON.stringify([user.sub, user.customer_name, user.subrole, user.status, user.is_first_login, user.source]);
    let entry = userRows.get(user.email);
    if (entry && entry.signature !== signature) {
      entry.row.remove();
      entry = undefined;
    }
    if (!entry) {
      entry = { row: userRow(user), signature };
      userRows.set(user.email, entry);
    }
    if (tbody.children[index] !== entry.row) tbody.insertBefore(entry.row, tbody.children[index] || null);
  });
  for (const [email, entry] of userRows) {
    if (seen.has(email)) continue;
    if (entry.row.contains(document.activeElement)) $('users-heading').focus();
    entry.row.remove();
    userRows.delete(email);
  }
  $('users-empty').hidden = users.length > 0;
  $('users-count').textContent = users.length ? `(${users.length})` : '';
}

$('user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  markInvalid(USER_INPUTS, undefined);
  /** @type {{ email: string, password: string, role?: string }} */
  const body = { email: $('user-email', HTMLInputElement).value.trim(), password: $('user-password', HTMLInputElement).value };
  const role = textOf('user-role');
  if (role) body.role = role;
  try {
    /** @type {UserView} */
    const user = await api('POST', '/users', body);
    // The password goes to the mock once and nowhere else: not kept in the form, never shown.
    $('user-password', HTMLInputElement).value = '';
    $('user-email', HTMLInputElement).value = '';
    $('user-role', HTMLInputElement).value = '';
    say($('users-result'), `Added ${user.email} (${user.role}): it can sign in now.`);
    refreshSoon();
  } catch (error) {
    say($('users-result'), `Not added: ${messageOf(error)}`, true);
    markInvalid(USER_INPUTS, error);
  }
});
const signInOperation = operationOf('sign-in');
$('user-hint').textContent =
  signInOperation.name === 'sign-in' ? `signs in at ${signInOperation.method} ${signInOperation.path}` : 'this spec documents no sign-in';

pollers.push(async () => {
  /** @type {{ users: UserView[] }} */
  const { users } = await api('GET', '/users');
  renderUsers(users);
});
