/** The Io type: where the CLI and the Pact commands read and write. A leaf: it imports nothing of ours. */

/** Where the CLI reads and writes; the bin passes the process's, tests their own. */
export type Io = {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colours only on a TTY, and never with NO_COLOR. */
  color: boolean;
  /** Aborts on SIGINT/SIGTERM: `start` and `requests --follow` stop cleanly. */
  signal: AbortSignal;
  /** Called once `start` is listening (tests use it to find the port). */
  onStarted?: (info: { url: string; baseUrl: string }) => void;
};
