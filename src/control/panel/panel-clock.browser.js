// @ts-check
// The QA panel: the mock's clock (its time and how far it is ahead of real time) and moving it forward.
// A classic script after panel-kit.browser.js, whose declarations it uses.

// biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this file as a classic script, not a module: the directive is what makes it strict.
'use strict';

/** @param {ClockView} clock */
function showClock(clock) {
  const now = Date.parse(clock.now);
  $('clock-now').textContent = Number.isNaN(now) ? clock.now : dateTimeOf(now);
  $('clock-now').title = clock.now;
  $('clock-offset').textContent = clock.offsetSeconds > 0 ? `(real time + ${durationOf(clock.offsetSeconds * 1000)})` : '(real time)';
}

$('clock-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const inputs = { advanceSeconds: 'clock-amount', body: 'clock-amount' };
  markInvalid(inputs, undefined);
  const amount = numberOf('clock-amount');
  const unit = Number($('clock-unit', HTMLSelectElement).value);
  // The API takes whole seconds; an amount it refuses (empty, 0, too far) gets its own message, naming the field.
  const advanceSeconds = amount === undefined ? amount : Math.round(amount * unit);
  try {
    /** @type {ClockView} */
    const clock = await api('POST', '/clock', { advanceSeconds });
    showClock(clock);
    say($('clock-result'), `Moved the mock's clock forward ${durationOf((advanceSeconds ?? 0) * 1000)}.`);
    refreshSoon();
  } catch (error) {
    say($('clock-result'), `Not moved: ${messageOf(error)}`, true);
    markInvalid(inputs, error);
  }
});

pollers.push(async () => {
  /** @type {ClockView} */
  const clock = await api('GET', '/clock');
  showClock(clock);
});
