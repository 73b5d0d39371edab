// @ts-check
// The QA panel's last script: the header (what is mocked, the admin token, reset), then the first poll.
// A classic script after panel-kit.browser.js and the section scripts, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

{
  const served = DATA.operations.filter((o) => o.name !== '*');
  $('operations').replaceChildren(el('code', { text: DATA.basePath || '/' }), `: ${served.map((o) => o.summary.replace(/^Customer /, '')).join(', ')}`);
  $('operations').title = served.map((o) => `${o.method} ${o.path}`).join('\n');
}
$('admin-token', HTMLInputElement).value = adminToken();
if (DATA.adminRequired && !adminToken()) $('admin-alert').hidden = false;
$('admin-form').addEventListener('submit', (event) => {
  event.preventDefault();
  useAdminToken($('admin-token', HTMLInputElement).value.trim());
  tick();
});
$('reset').addEventListener('click', async () => {
  if (!window.confirm('Reset the mock? It forgets every token, logout, armed fault, user added here and the journal, and sets its clock back.')) return;
  try {
    await api('POST', '/reset');
    for (const listener of hooks.reset) listener();
    say($('arm-message'), 'The mock was reset.');
  } catch (error) {
    say($('arm-message'), `Not reset: ${messageOf(error)}`, true);
  }
  refreshSoon();
});
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) tick();
});

tick();
