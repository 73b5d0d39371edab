import type { LogFormat } from '../config.ts';
import type { JournalEntry } from '../state/journal.ts';

/** Turns journal entries into one log line each: `pretty` for people, `json` for machines, `off` for none. */
export function createLogger(format: LogFormat, write: (line: string) => void = (line) => process.stdout.write(line)): (entry: JournalEntry) => void {
  if (format === 'off') return () => {};
  if (format === 'json') return (entry) => write(`${JSON.stringify(entry)}\n`);
  return (entry) => {
    const who = entry.sub ? ` sub=${entry.sub}` : '';
    const fault = entry.faultId ? ` fault=${entry.faultId}` : '';
    write(`${entry.at.slice(11, 23)} ${entry.method} ${entry.path} ${entry.status || 'no answer'} ${entry.ms}ms — ${entry.reason}${who}${fault}\n`);
  };
}
