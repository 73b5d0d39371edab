// @ts-check
// The QA panel: the outbox, newest first, polled: what the service would have mailed, each with the link its
// recipient would open. A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

const OUTBOX_ROWS_MAX = 50;
/** The ids shown, newest first, as the rows stand. */
let outboxShown = '';

/** @param {OutboxMessage} message */
function outboxRow(message) {
  const copy = el('button', { type: 'button', class: 'small', 'aria-label': `Copy the link mailed to ${message.recipient}` }, 'Copy');
  copy.addEventListener('click', async () => {
    if (await copyText(message.link)) say($('outbox-result'), `Copied the link mailed to ${message.recipient}.`);
    else say($('outbox-result'), 'Could not copy: open the link and copy it from the address bar.', true);
  });
  return el(
    'tr',
    { 'data-id': message.id },
    el('td', { class: 'nowrap', title: message.at, text: message.at.slice(11, 19) }),
    el('td', { class: 'nowrap', text: message.kind }),
    el('td', { text: message.recipient }),
    el('td', { class: 'actions' }, el('a', { href: message.link, target: '_blank', rel: 'noopener noreferrer', text: 'Open' }), ' ', copy),
  );
}

/** @param {OutboxMessage[]} messages oldest first, as the API lists them */
function renderOutbox(messages) {
  const newest = messages.slice(-OUTBOX_ROWS_MAX).reverse();
  const ids = newest.map((m) => m.id).join(' ');
  if (ids === outboxShown) return;
  outboxShown = ids;
  $('outbox-rows').replaceChildren(...newest.map(outboxRow));
  $('outbox-empty').hidden = messages.length > 0;
  $('outbox-count').textContent = messages.length ? `(${messages.length})` : '';
}

pollers.push(async () => {
  /** @type {{ messages: OutboxMessage[] }} */
  const { messages } = await api('GET', '/outbox');
  renderOutbox(messages);
});
