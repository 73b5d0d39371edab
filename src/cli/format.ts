import { DEFAULT_FAULT_OPERATION, type Fault } from '../faults/fault.ts';
import type { Io } from '../io.ts';
import type { JournalEntry } from '../state/journal.ts';
import { formatDuration } from './duration.ts';

/** What the CLI prints besides the banner: faults, journal lines, tables; colours only where `io.color` allows. */

/**
 * One fault as `fault arm` and `fault list` print it: its operation, what it does, what it has left, its scope.
 * Durations carry their unit (`delay 2s`, `ttl 90m`), as every duration the CLI prints does.
 */
export function describeFault(f: Fault): string {
  const operation = f.match.operation === '*' ? 'every operation' : (f.match.operation ?? DEFAULT_FAULT_OPERATION);
  const what = f.network ? `network ${f.network}` : f.status !== null ? `status ${f.status}` : 'delay only';
  const left =
    f.remaining === null ? 'until cleared' : f.remaining === 0 && f.network === 'hang' ? 'spent, holding its requests until cleared' : `${f.remaining} left`;
  const parts = [what, left];
  if (f.delayMs) parts.push(`delay ${formatDuration(f.delayMs)}`);
  if (f.skip) parts.push(`skipping ${f.skip} first`);
  if (f.probability < 1) parts.push(`p=${f.probability} seed=${f.seed}`);
  if (f.expiresAt !== null) parts.push(`ttl ${formatDuration(f.expiresAt - f.createdAt)} (disarms at ${isoSeconds(f.expiresAt)})`);
  const match = Object.entries(f.match).filter(([k]) => k !== 'operation');
  if (match.length) parts.push(`only ${match.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return `on ${operation}: ${parts.join(', ')}`;
}

/** The `warnings` the control API put on an armed fault (e.g. a `sid` no sign-in has), when it gave any. */
export function faultWarnings(armed: unknown): string[] {
  const warnings = (armed as { warnings?: unknown } | null)?.warnings;
  return Array.isArray(warnings) ? warnings.filter((w): w is string => typeof w === 'string') : [];
}

/**
 * One journal entry as `requests` prints it: time (with ` (mock time +1h)` when the mock's clock ran ahead), operation,
 * status, method and path, reason, then who it was; an entry with a warning (a refresh storm) gets a second line,
 * `  WARNING …`.
 */
export function journalLine(entry: JournalEntry): string {
  const who = [
    ['sid', entry.sid],
    ['sub', entry.sub],
    ['session', entry.session],
    ['email', entry.email],
    ['fault', entry.faultId],
  ]
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${v}`);
  const status = entry.status ? String(entry.status) : 'no answer';
  const line = [`${entry.at}${mockTime(entry)}`, (entry.operation ?? 'other').padEnd(7), status, `${entry.method} ${entry.path}`, entry.reason, ...who].join(
    '  ',
  );
  return entry.warning === undefined ? line : `${line}\n  WARNING ${entry.warning}`;
}

/** ` (mock time +1h)` after the time of an entry written while the mock's clock ran ahead of the real time, else nothing. */
export function mockTime(entry: Pick<JournalEntry, 'clockOffsetSeconds'>): string {
  return entry.clockOffsetSeconds ? ` (mock time +${formatDuration(entry.clockOffsetSeconds * 1000)})` : '';
}

/** A journal entry's identity, for `requests --follow` to print each entry once. */
export function key(entry: JournalEntry): string {
  return `${entry.at}|${entry.method}|${entry.path}|${entry.status}|${entry.jti ?? ''}|${entry.ms}`;
}

/** Rows under a header, each column as wide as its widest cell, two spaces apart (trailing spaces trimmed). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((row) => `${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd())
    .join('\n')
    .concat('\n');
}

/** Epoch milliseconds as an ISO time to the second (`2025-06-01T12:00:00Z`). */
export function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** How far `epochMs` is from `nowMs`, to the second, with units: `in 59m 58s`, `1h 5m ago` (seconds dropped past an hour), `now`. */
export function relative(epochMs: number, nowMs: number): string {
  const seconds = Math.round((epochMs - nowMs) / 1000);
  if (seconds === 0) return 'now';
  const s = Math.abs(seconds);
  const [h, m, rest] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const parts = h > 0 ? [`${h}h`, m ? `${m}m` : ''] : [m ? `${m}m` : '', rest ? `${rest}s` : ''];
  const size = parts.filter(Boolean).join(' ');
  return seconds > 0 ? `in ${size}` : `${size} ago`;
}

const COLORS = { red: 31, yellow: 33, cyan: 36, bold: 1 } as const;
/** `text` in a terminal colour when `io.color` (a TTY without NO_COLOR), else as it is. */
export function paint(io: Io, color: keyof typeof COLORS, text: string): string {
  return io.color ? `\x1b[${COLORS[color]}m${text}\x1b[0m` : text;
}
