/** Counts the request log lines in a mock's output, by path and status; whatever else it prints is skipped. */
export type LogLineCounter = {
  /** Feeds output as it arrives: a chunk may hold several lines, and a line may span two chunks. */
  feed(chunk: string): void;
  /** Counts the last line when the output ended without a newline. */
  end(): void;
  /** Lines of requests to `path` answered with `status` (0: no answer, a network fault or a client gone). */
  count(path: string, status: number): number;
};

const PRETTY = /^\d\d:\d\d:\d\d\.\d{3} [A-Z]+ (\S+) (\d{3}|no answer) /;

/** A counter for the mock's `--log pretty` (`HH:MM:SS.mmm POST /path 200 …`) and `--log json` lines. */
export function createLogLineCounter(): LogLineCounter {
  const counts = new Map<string, number>();
  let partial = '';
  const countLine = (line: string) => {
    let key: string | undefined;
    if (line.startsWith('{')) {
      try {
        const entry = JSON.parse(line) as { path?: unknown; status?: unknown };
        if (typeof entry.path === 'string' && typeof entry.status === 'number') key = `${entry.status} ${entry.path}`;
      } catch {
        // not a log line
      }
    } else {
      const match = PRETTY.exec(line);
      if (match) key = `${match[2] === 'no answer' ? 0 : match[2]} ${match[1]}`;
    }
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  return {
    feed(chunk) {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) countLine(line);
    },
    end() {
      if (partial !== '') countLine(partial);
      partial = '';
    },
    count: (path, status) => counts.get(`${status} ${path}`) ?? 0,
  };
}
