import type { ClockView } from '../control/services.ts';
import type { Io } from '../io.ts';
import type { ControlClient } from './client.ts';
import { formatDuration } from './duration.ts';

/** The mock's clock as `clock` prints it: its time, and how far ahead of the real time it runs, with units. */
export function describeClock(view: ClockView): string {
  const ahead = view.offsetSeconds === 0 ? 'the real time (no offset)' : `${formatDuration(view.offsetSeconds * 1000)} ahead of the real time`;
  return `mock time ${view.now}: ${ahead}\n`;
}

/** `clock`: prints the mock's time and offset (`GET /__mock/clock`); `--json` prints the answer. */
export async function showClock(client: ControlClient, opts: { json?: boolean }, io: Io): Promise<void> {
  const view = await client.request<ClockView>('GET', '/__mock/clock');
  io.stdout(opts.json ? `${JSON.stringify(view, null, 2)}\n` : describeClock(view));
}

/**
 * `clock advance <duration>`: moves the mock's clock forward (`POST /__mock/clock { advanceSeconds }`) for token
 * checks, minting, expiry and pruning; prints the new time. `reset` sets it back.
 */
export async function advanceClock(client: ControlClient, seconds: number, opts: { json?: boolean }, io: Io): Promise<void> {
  const view = await client.request<ClockView>('POST', '/__mock/clock', { advanceSeconds: seconds });
  if (opts.json) return io.stdout(`${JSON.stringify(view, null, 2)}\n`);
  io.stdout(`advanced ${formatDuration(seconds * 1000)}; ${describeClock(view)}`);
  io.stdout('tokens whose exp has now passed answer 401 (refresh tokens last longer); `worth-auth-mock reset` sets the clock back\n');
}
