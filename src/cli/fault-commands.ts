import { ConfigError } from '../errors.ts';
import type { Fault, FaultOperation } from '../faults/fault.ts';
import type { Io } from '../io.ts';
import type { ControlClient } from './client.ts';
import { describeFault, faultWarnings, paint } from './format.ts';

/** `fault arm`'s options as commander parsed them (durations already in milliseconds). */
export type ArmOptions = {
  network?: string;
  times?: number;
  forever?: boolean;
  skip?: number;
  probability?: number;
  seed?: number;
  delay?: number;
  ttl?: number;
  sub?: string;
  sid?: string;
  customer?: string;
  session?: string;
  operation?: FaultOperation;
  json?: boolean;
};

/**
 * `fault arm [status]`: arms the fault (`POST /__mock/faults`), prints it, and prints the warnings the mock put on
 * it (e.g. a `--sid` no sign-in has) on stderr, exit 0. Throws ConfigError for `--times` with `--forever`.
 */
export async function armFault(client: ControlClient, status: number | undefined, opts: ArmOptions, io: Io): Promise<void> {
  if (opts.forever && opts.times !== undefined) throw new ConfigError('--times', '--times and --forever cannot be used together');
  const match = {
    ...(opts.sub ? { sub: opts.sub } : {}),
    ...(opts.sid ? { sid: opts.sid } : {}),
    ...(opts.customer ? { customer: opts.customer } : {}),
    ...(opts.session ? { session: opts.session } : {}),
    ...(opts.operation ? { operation: opts.operation } : {}),
  };
  const body = {
    ...(status !== undefined ? { status } : {}),
    ...(opts.network ? { network: opts.network } : {}),
    ...(opts.forever ? { times: null } : opts.times !== undefined ? { times: opts.times } : {}),
    ...(opts.skip !== undefined ? { skip: opts.skip } : {}),
    ...(opts.probability !== undefined ? { probability: opts.probability } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.delay !== undefined ? { delayMs: opts.delay } : {}),
    ...(opts.ttl !== undefined ? { ttlMs: opts.ttl } : {}),
    ...(Object.keys(match).length ? { match } : {}),
  };
  const armed = await client.request<Fault>('POST', '/__mock/faults', body);
  printArmed(io, armed, opts.json === true);
}

/** Prints an armed fault (`--json`: the mock's answer as it is) and, on stderr, each of its warnings. */
export function printArmed(io: Io, armed: Fault, json: boolean): void {
  io.stdout(json ? `${JSON.stringify(armed, null, 2)}\n` : `armed ${armed.id}: ${describeFault(armed)}\n`);
  for (const warning of faultWarnings(armed)) io.stderr(paint(io, 'yellow', `warning: ${warning}\n`));
}

/**
 * `fault list`: the armed faults in firing order — the newest armed first, as the mock tries them: where several
 * match a request, the first listed that is ready (not skipping, its draw won) fires. `--json` keeps the API's order
 * (oldest first).
 */
export async function listFaults(client: ControlClient, opts: { json?: boolean }, io: Io): Promise<void> {
  const { faults } = await client.request<{ faults: Fault[] }>('GET', '/__mock/faults');
  if (opts.json) return io.stdout(`${JSON.stringify(faults, null, 2)}\n`);
  if (faults.length === 0) return io.stdout('no faults armed\n');
  const firing = [...faults].reverse();
  io.stdout(
    [
      `${faults.length} armed, in firing order (newest first: where several match a request, the first listed fires):`,
      ...firing.map((f, i) => `${String(i + 1).padStart(2)}. ${f.id}  ${describeFault(f)}  (fired ${f.hits}×)`),
    ]
      .join('\n')
      .concat('\n'),
  );
}

/** `fault clear [id]`: disarms one fault, or all, and says how many. */
export async function clearFaults(client: ControlClient, id: string | undefined, io: Io): Promise<void> {
  const path = id ? `/__mock/faults/${encodeURIComponent(id)}` : '/__mock/faults';
  const { cleared } = await client.request<{ cleared: number }>('DELETE', path);
  io.stdout(`cleared ${cleared} fault${cleared === 1 ? '' : 's'}\n`);
}
